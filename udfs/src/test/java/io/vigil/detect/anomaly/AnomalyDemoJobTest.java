package io.vigil.detect.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.generator.GeneratorSource;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.RuleSource;
import io.vigil.model.Alert;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * The whole detection job in a local MiniCluster over the demo's generated telemetry (6 simulated hours, default
 * seed) with the anomaly rule from {@code rules/anomaly/}: it alerts on cart's queue.depth during the scripted
 * 5h00-5h15 breakout and nowhere else. A second rule with the same parameters over every gauge of every service
 * (request rate, CPU, queue depth) shows that the normal daily cycle does not fire either.
 */
class AnomalyDemoJobTest {
    @Test
    void theAnomalyRuleAlertsOnCartQueueDepthDuringTheBreakoutOnly() throws Exception {
        List<RuleSpec> rules = new ArrayList<>(RuleLoader.load(List.of(Path.of("../rules/anomaly"))));
        RuleSpec demo = rules.get(0);
        RuleSpec everyGauge =
                RuleLoader.load(List.of(Path.of("../rules/anomaly"))).get(0);
        everyGauge.id = "every-gauge-anomaly";
        everyGauge.match = new LinkedHashMap<>(Map.of("signal", "metric"));
        rules.add(everyGauge);

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        DetectionConfig config = new DetectionConfig();
        config.parallelism = 2;
        TelemetryGenerator generator = TelemetryGenerator.defaults();
        DetectionJob.Streams streams = new DetectionJob(
                        config, new GeneratorSource(generator), RuleSource.of(rules), DetectionJob.Sinks.none())
                .build(env);

        List<Alert> alerts = new ArrayList<>();
        CloseableIterator<Alert> it = streams.alerts().executeAndCollect("anomaly demo test");
        try {
            it.forEachRemaining(alerts::add);
        } finally {
            it.close();
        }
        long start = generator.startMs();
        long from = start + 5 * 3_600_000L;
        long to = from + 15 * 60_000L;
        List<Alert> firing =
                alerts.stream().filter(a -> Alert.FIRING.equals(a.status)).toList();
        for (String rule : List.of(demo.id, everyGauge.id)) {
            List<Alert> mine =
                    firing.stream().filter(a -> a.ruleId.equals(rule)).toList();
            assertFalse(mine.isEmpty(), rule + " alerts on the breakout; all alerts: " + alerts);
            for (Alert a : mine) {
                assertEquals("cart", a.service, rule + ": " + a);
                assertEquals("queue.depth", a.labels.get("metric"), rule + ": " + a);
                assertTrue(
                        a.windowStart >= from && a.windowStart < to,
                        rule + ": alert outside 5h00-5h15 at " + (a.windowStart - start) / 60_000.0 + " min: " + a);
            }
            assertTrue(mine.get(0).windowStart < from + 60_000L, "within a minute of the start: " + mine.get(0));
            List<Alert> resolved = alerts.stream()
                    .filter(a -> a.ruleId.equals(rule) && Alert.RESOLVED.equals(a.status))
                    .toList();
            assertEquals(1, resolved.size(), rule + ": resolved once: " + resolved);
            assertTrue(resolved.get(0).windowStart >= to, rule + ": resolved after the breakout ended: " + resolved);
        }
    }
}
