package io.vigil.bench;

import io.vigil.bench.nab.NabResults;
import io.vigil.bench.nab.NabSeries;
import io.vigil.detect.anomaly.AnomalyScore;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.RuleSource;
import io.vigil.job.TelemetrySource;
import io.vigil.model.Ingested;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.rules.RuleSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs NAB series through the real detection job ({@link DetectionJob}) in a local MiniCluster: a bounded source of
 * Telemetry metric points (one series per metric name, all series merged in timestamp order as a telemetry topic would
 * carry them) with the job's event-time watermarks, one {@code anomaly} rule keyed by the series name, and a collecting
 * sink for the detector's per-point {@code anomaly_score} rollups, which become the NAB result files.
 */
final class NabJobRunner {
    static final String SERVICE = "nab";
    static final String RULE_ID = "nab-anomaly";

    private NabJobRunner() {}

    /** The one anomaly rule every NAB series runs through: defaults plus {@code overrides}, a score for every point. */
    static RuleSpec rule(Map<String, String> overrides) {
        RuleSpec r = new RuleSpec();
        r.id = RULE_ID;
        r.name = "NAB series anomaly";
        r.kind = "anomaly";
        r.match = new LinkedHashMap<>(Map.of("signal", "metric", "service.name", SERVICE));
        r.keyBy = new ArrayList<>(List.of("name"));
        r.params = new LinkedHashMap<>(overrides);
        r.params.put("rollup_every", "point");
        r.params.put("expire_after", "3650d"); // NAB series have gaps of days; none may be forgotten mid-file
        return r;
    }

    /** Scores every series through the job, writes the result files under {@code out}; returns the points scored. */
    static long run(Map<String, String> overrides, List<NabSeries> corpus, Path out) throws Exception {
        List<Ingested> points = new ArrayList<>();
        for (NabSeries s : corpus) {
            for (int i = 0; i < s.size(); i++) {
                points.add(Ingested.of(Telemetry.metric(s.epochMs()[i], SERVICE, s.name(), s.values()[i])));
            }
        }
        // A stable sort keeps a series' rows with equal timestamps in file order.
        points.sort(Comparator.comparingLong(p -> p.telemetry.timestamp));
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(
                Math.min(2, Runtime.getRuntime().availableProcessors()), conf);
        // The source is in timestamp order, so no out-of-orderness is needed; no idleness either: one bounded split
        // that is slowed down by backpressure must still hold back event time.
        DetectionConfig config =
                new DetectionConfig().watermarkDelay(Duration.ZERO).watermarkIdleness(Duration.ZERO);
        TelemetrySource source = (e, watermarks) -> e.fromData(points, TypeInformation.of(Ingested.class))
                .assignTimestampsAndWatermarks(watermarks)
                .name("NAB points")
                .setParallelism(1);
        DataStream<Rollup> rollups = new DetectionJob(
                        config, source, RuleSource.of(List.of(rule(overrides))), DetectionJob.Sinks.none())
                .build(env)
                .rollups();
        Map<String, List<Rollup>> perSeries = new HashMap<>();
        CloseableIterator<Rollup> it = rollups.executeAndCollect("vigil bench nab");
        try {
            while (it.hasNext()) {
                Rollup r = it.next();
                perSeries
                        .computeIfAbsent(r.labels.get("series"), k -> new ArrayList<>())
                        .add(r);
            }
        } finally {
            it.close();
        }
        long scored = 0;
        for (NabSeries s : corpus) {
            List<Rollup> rs = perSeries.getOrDefault(s.name(), List.of());
            if (rs.size() != 4 * s.size()) {
                throw new IllegalStateException(
                        s.name() + ": the job emitted " + rs.size() / 4 + " scored points for " + s.size() + " rows");
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
                rows[i] = new AnomalyScore(
                        score.windowStart,
                        s.values()[i],
                        score.value,
                        Double.NaN,
                        rs.get(4 * k + 1).value,
                        rs.get(4 * k + 2).value,
                        rs.get(4 * k + 3).value,
                        score.labels.get("model"),
                        score.value >= 0.5); // only a first crossing scores 0.5 or more
            }
            NabResults.write(out, s, java.util.Arrays.asList(rows));
            scored += s.size();
        }
        return scored;
    }
}
