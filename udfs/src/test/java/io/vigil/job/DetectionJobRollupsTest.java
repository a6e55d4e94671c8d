package io.vigil.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Ingested;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/** The detection job's rollups stream carries the per-service rollups (issue 4), and can be switched off. */
class DetectionJobRollupsTest {
    private static final long T0 = 1_793_577_600_000L;

    private static List<Rollup> run(boolean serviceRollups) throws Exception {
        List<Ingested> input = new ArrayList<>();
        for (int s = 0; s < 180; s++) {
            input.add(Ingested.of(Telemetry.span(T0 + s * 1000L, "checkout", "GET /api/checkout", 30, "ok")));
        }
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        DetectionConfig config = new DetectionConfig();
        config.serviceRollups = serviceRollups;
        TelemetrySource source =
                (e, wm) -> e.fromData(input, TypeInformation.of(Ingested.class)).assignTimestampsAndWatermarks(wm);
        DetectionJob.Streams streams =
                new DetectionJob(config, source, RuleSource.of(List.of()), DetectionJob.Sinks.none()).build(env);
        List<Rollup> out = new ArrayList<>();
        CloseableIterator<Rollup> it = streams.rollups().executeAndCollect();
        try {
            it.forEachRemaining(out::add);
        } finally {
            it.close();
        }
        return out;
    }

    @Test
    void serviceRollupsJoinTheRollupsStream() throws Exception {
        List<Rollup> out = run(true);
        long rates = out.stream()
                .filter(r -> r.metric.equals("request_rate_per_second") && "1m".equals(r.labels.get("window")))
                .count();
        assertEquals(3, rates, out.toString());
        assertTrue(out.stream().allMatch(r -> r.service.equals("checkout")));
    }

    @Test
    void serviceRollupsCanBeSwitchedOff() throws Exception {
        assertTrue(run(false).isEmpty());
    }
}
