package io.vigil.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.generator.GeneratorSource;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.model.Alert;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's day with every starter rule, in RocksDB as the cluster runs it (where the detectors' state is cached
 * between checkpoints and written back at each barrier), raises exactly the alerts it raises on the heap: same ids,
 * statuses, keys, windows and values. Checkpoints every 100 ms write the cache back many times during the run.
 */
class RocksDbDetectionTest {
    static final Path RULES = Path.of("..", "rules");

    @Test
    void rocksDbRaisesTheHeapsAlerts(@TempDir Path tmp) throws Exception {
        List<String> onHeap = rows(JobRun.run(
                new GeneratorSource(TelemetryGenerator.defaults()),
                RuleSource.directory(RULES),
                tmp.resolve("heap"),
                new DetectionConfig()));

        Configuration rocks = new Configuration();
        rocks.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        rocks.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(100));
        rocks.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                tmp.resolve("checkpoints").toUri().toString());
        List<String> inRocks = rows(JobRun.run(
                new GeneratorSource(TelemetryGenerator.defaults()),
                RuleSource.directory(RULES),
                tmp.resolve("rocksdb"),
                new DetectionConfig(),
                rocks));

        Set<String> kinds = new TreeSet<>();
        for (String r : onHeap) {
            kinds.add(r.split("\t")[2]);
        }
        assertTrue(kinds.size() >= 5, "the day's alerts come from rules of several kinds: " + kinds);
        assertEquals(onHeap, inRocks);
    }

    /** An alert as a sortable row: what must not depend on the backend (evidence may, by parallel input order). */
    private static List<String> rows(JobRun run) {
        List<String> rows = new ArrayList<>();
        for (Alert a : run.alerts) {
            rows.add(String.join(
                    "\t",
                    a.id,
                    a.status,
                    a.kind + "/" + a.ruleId,
                    a.key,
                    Long.toString(a.windowStart),
                    Long.toString(a.windowEnd),
                    Double.toString(a.observed),
                    Double.toString(a.expected),
                    a.severity,
                    String.valueOf(a.message)));
        }
        rows.sort(null);
        return rows;
    }
}
