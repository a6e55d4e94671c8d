package io.vigil.bench;

import io.vigil.detect.anomaly.AnomalyConfig;
import io.vigil.detect.anomaly.AnomalyScore;
import io.vigil.detect.anomaly.AnomalySeriesFunction;
import io.vigil.detect.anomaly.nab.NabResults;
import io.vigil.detect.anomaly.nab.NabSeries;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs NAB series through Flink in a local MiniCluster: a bounded source of Telemetry metric points (one series per
 * metric name) with event-time watermarks, a keyed function that scores each series with {@link AnomalyScorer} in
 * event-time order from keyed state, and a collecting sink for the per-point score rollups, which become the NAB
 * result files.
 *
 * <p>Status: the keyed function ({@link AnomalySeriesFunction}) stands in for the rule engine's anomaly detector
 * until {@code io.vigil.job.DetectionJob} exists; it uses the same scorer, state type, event-time buffering and rollup
 * names ({@code anomaly_score}, {@code anomaly_expected}, {@code anomaly_lower}, {@code anomaly_upper}), so swapping in
 * the job graph changes the middle of {@link #run} only.
 */
final class NabJobRunner {
    static final String SERVICE = "nab";

    private NabJobRunner() {}

    /** Scores every series through the job, writes the result files under {@code out}; returns the points scored. */
    static long run(AnomalyConfig config, List<NabSeries> corpus, Path out) throws Exception {
        List<Telemetry> points = new ArrayList<>();
        Map<String, NabSeries> byName = new HashMap<>();
        for (NabSeries s : corpus) {
            byName.put(s.name(), s);
            for (int i = 0; i < s.size(); i++) {
                points.add(Telemetry.metric(s.epochMs()[i], SERVICE, s.name(), s.values()[i]));
            }
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(Math.min(2, Runtime.getRuntime().availableProcessors()));
        // One event-time stream, as a telemetry topic would carry it: all series merged in timestamp order (a stable
        // sort keeps a series' rows with equal timestamps in file order), watermarks that follow it exactly.
        points.sort(java.util.Comparator.comparingLong(t -> t.timestamp));
        DataStream<Telemetry> source = env.fromData(points)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Telemetry>forMonotonousTimestamps()
                        .withTimestampAssigner((t, ts) -> t.timestamp))
                .name("nab-points");
        DataStream<Rollup> rollups = source.keyBy(t -> t.name).process(new AnomalySeriesFunction(config, Long.MAX_VALUE / 4)).name("anomaly");
        Map<String, List<Rollup>> perSeries = new HashMap<>();
        CloseableIterator<Rollup> it = rollups.executeAndCollect("vigil bench nab");
        try {
            while (it.hasNext()) {
                Rollup r = it.next();
                perSeries.computeIfAbsent(r.labels.get("series"), k -> new ArrayList<>()).add(r);
            }
        } finally {
            it.close();
        }
        long scored = 0;
        for (NabSeries s : corpus) {
            List<Rollup> rs = perSeries.getOrDefault(s.name(), List.of());
            if (rs.size() != 4 * s.size()) {
                throw new IllegalStateException(s.name() + ": the job emitted " + rs.size() / 4 + " scored points for "
                        + s.size() + " rows");
            }
            // The job scores in event-time order; a file that goes back in time (NAB's machine_temperature repeats
            // an hour) is scored in timestamp order, rows with equal timestamps in file order. Map back to file rows.
            Integer[] order = new Integer[s.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, java.util.Comparator.comparingLong(i -> s.epochMs()[i]));
            AnomalyScore[] rows = new AnomalyScore[s.size()];
            for (int k = 0; k < s.size(); k++) {
                int i = order[k];
                Rollup score = rs.get(4 * k);
                if (score.windowStart != s.epochMs()[i]) {
                    throw new IllegalStateException(s.name() + ": scored point " + k + " has time " + score.windowStart
                            + " but row " + i + " has " + s.epochMs()[i]);
                }
                rows[i] = new AnomalyScore(score.windowStart, s.values()[i], score.value, Double.NaN,
                        rs.get(4 * k + 1).value, rs.get(4 * k + 2).value, rs.get(4 * k + 3).value,
                        score.labels.get("model"), "true".equals(score.labels.get("alert")));
            }
            NabResults.write(out, s, java.util.Arrays.asList(rows));
            scored += s.size();
        }
        return scored;
    }

}
