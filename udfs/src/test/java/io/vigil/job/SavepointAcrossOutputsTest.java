package io.vigil.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.file.TelemetryFileFormat;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A savepoint taken with one set of outputs restores into a job with another (sinks added and removed): each sink's
 * uid names what it is, so the detectors' state comes back whatever the outputs. A frequency window spans the
 * savepoint: three errors before it, three after, and the rule (five in a minute) fires, which it can only do with the
 * errors from before the savepoint counted.
 */
class SavepointAcrossOutputsTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    /** 2026-01-01T00:00:00Z: a minute boundary, so the six errors share one window. */
    private static final long T0 = 1_767_225_600_000L;

    private static final Queue<Telemetry> SEEN = new ConcurrentLinkedQueue<>();
    private static final Queue<Alert> ALERTS = new ConcurrentLinkedQueue<>();

    @TempDir
    Path tmp;

    @Test
    void detectorStateSurvivesASavepointWhenSinksAreAddedAndRemoved() throws Exception {
        Path input = Files.createDirectories(tmp.resolve("input"));
        Path rules = Files.createDirectories(tmp.resolve("rules"));
        Files.writeString(
                rules.resolve("burst.yaml"),
                String.join(
                        "\n",
                        "id: burst",
                        "name: burst",
                        "kind: frequency",
                        "match: {signal: log, service.name: payments, severity: ERROR}",
                        "key_by: [service.name]",
                        "params: {count: 5, window: 1m}",
                        ""));

        // 1. Alerts to a file and to memory, rollups and dead letters to files; three errors, then a savepoint.
        write(input, "a.jsonl", errors(0, 10, 20));
        JobClient first = start(
                input,
                rules,
                null,
                new DetectionJob.Sinks(
                        List.of(
                                DetectionJob.NamedSink.of(
                                        "file",
                                        new io.vigil.sink.file.JsonLinesSink<>(
                                                tmp.resolve("alerts-1.jsonl"), io.vigil.alert.AlertJson::toBytes)),
                                DetectionJob.NamedSink.of("memory", new MemoryAlerts())),
                        List.of(DetectionJob.NamedSink.of(
                                "file",
                                new io.vigil.sink.file.JsonLinesSink<>(
                                        tmp.resolve("rollups-1.jsonl"), io.vigil.sink.kafka.RollupJson::toBytes))),
                        List.of(DetectionJob.NamedSink.of(
                                "file",
                                new io.vigil.sink.file.JsonLinesSink<>(
                                        tmp.resolve("dead-letters-1.jsonl"),
                                        io.vigil.sink.kafka.DeadLetterJson::toBytes)))));
        await(() -> SEEN.size() >= 3, "the first three errors were read");
        String savepoint = first.stopWithSavepoint(
                        false, tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
        assertTrue(ALERTS.isEmpty(), "three errors are below the rule's count: " + ALERTS);

        // 2. Restored with other outputs: the file sinks of alerts and rollups removed, a second memory-like sink
        // added; three more errors in the same minute, then a record an hour later that closes the window.
        write(input, "b.jsonl", errors(30, 40, 50) + line(Telemetry.log(T0 + 3_600_000L, "cart", "INFO", "later")));
        JobClient second = start(
                input,
                rules,
                savepoint,
                new DetectionJob.Sinks(
                        List.of(
                                DetectionJob.NamedSink.of("memory", new MemoryAlerts()),
                                DetectionJob.NamedSink.of("audit", new DiscardingSink<>())),
                        List.of(),
                        List.of(DetectionJob.NamedSink.of(
                                "file",
                                new io.vigil.sink.file.JsonLinesSink<>(
                                        tmp.resolve("dead-letters-2.jsonl"),
                                        io.vigil.sink.kafka.DeadLetterJson::toBytes)))));
        Predicate<Alert> fired = a -> a.ruleId.equals("burst") && Alert.FIRING.equals(a.status);
        try {
            await(() -> ALERTS.stream().anyMatch(fired), "burst fires after the restore");
        } finally {
            second.cancel().get();
        }
        Alert a = ALERTS.stream().filter(fired).findFirst().orElseThrow();
        // The rule fires on the fifth error within a minute (at second 40): only two came after the restore before
        // it, so three are from before the savepoint.
        assertEquals(5.0, a.observed, "the errors before the savepoint were kept: " + a);
        assertTrue(a.windowStart <= T0 && a.windowEnd > T0 + 40_000, "one window spanning the savepoint: " + a);
    }

    private JobClient start(Path input, Path rules, String savepoint, DetectionJob.Sinks sinks) throws Exception {
        SEEN.clear();
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            // Every operator's state must find its operator: a sink's or detector's state lost would fail the start.
            conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(Duration.ofHours(1).toMillis()); // savepoints only, when the test asks
        DetectionConfig config = new DetectionConfig();
        config.watermarkEveryRecord = true;
        TelemetrySource source = (e, watermarks) -> e.fromSource(
                        FileSource.forRecordStreamFormat(
                                        new TelemetryFileFormat(
                                                "json",
                                                input.toString(),
                                                IngestLimits.defaults().withoutFutureBound()),
                                        new org.apache.flink.core.fs.Path(input.toUri()))
                                .monitorContinuously(Duration.ofMillis(200))
                                .build(),
                        watermarks,
                        "Input folder")
                .uid("input-folder")
                .setParallelism(1);
        DetectionJob.Streams streams = new DetectionJob(config, source, RuleSource.directory(rules), sinks).build(env);
        streams.telemetry().sinkTo(new SeenTelemetry()).name("Seen").uid("seen");
        return env.executeAsync("savepoint across outputs");
    }

    private static String errors(int... seconds) {
        StringBuilder b = new StringBuilder();
        for (int s : seconds) {
            b.append(line(Telemetry.log(T0 + s * 1000L, "payments", "ERROR", "upstream timeout")));
        }
        return b.toString();
    }

    private static String line(Telemetry t) {
        return TelemetryJson.write(t) + "\n";
    }

    /** Writes a file the monitored folder picks up only whole (moved in after writing). */
    private void write(Path input, String name, String content) throws Exception {
        Path partial = tmp.resolve(name + ".partial");
        Files.writeString(partial, content, StandardCharsets.UTF_8);
        Files.move(partial, input.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + "; alerts: " + new ArrayList<>(ALERTS));
            }
            Thread.sleep(50);
        }
    }

    /** Alerts into the test's memory (the MiniCluster runs in this JVM). */
    private static final class MemoryAlerts implements Sink<Alert> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<Alert> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Alert a, Context c) {
                    ALERTS.add(a);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /** Telemetry records that passed the source, so the test knows when to take the savepoint. */
    private static final class SeenTelemetry implements Sink<Telemetry> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<Telemetry> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Telemetry t, Context c) {
                    SEEN.add(t);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /** A stateless extra output, added after the savepoint. */
    private static final class DiscardingSink<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(T t, Context c) {}

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
