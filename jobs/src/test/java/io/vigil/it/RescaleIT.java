package io.vigil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Rescaling and a badly timed kill, on the real stack ({@code bin/vigil stack up}, port offset 23800): the job is
 * stopped with a savepoint at parallelism 2 and resumed at 1, then at 3 with a second TaskManager; and, separately,
 * every TaskManager is killed right after the JobManager finalized a checkpoint, before the Kafka sink could commit
 * that checkpoint's transactions. Both runs must end with exactly the alerts of an undisturbed run of the same input
 * (alert ids are a function of rule, key and window), each once for a read_committed reader.
 *
 * <p>The input is deterministic and in event-time order per partition; bursts span every stop, so windows that are
 * open at a savepoint must carry over (keyed state redistributed to another number of subtasks; the Kafka source's
 * split offsets and the sink's transactions likewise).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RescaleIT {
    /** 2026-01-01T00:00:00Z: fixed, so alert ids are the same in every run. */
    static final long T0 = 1767225600000L;

    static final int SERVICES = 6;
    /** Six partitions: every subtask has splits at parallelism 1, 2 and 3. */
    static final int PARTITIONS = 6;

    static final int SECONDS = 90;
    static final ObjectMapper JSON = new ObjectMapper();

    static LocalStack stack;
    static KafkaTestClient kafka;
    static FlinkRest rest;
    /** The alerts of the undisturbed run (the first test's baseline). */
    static List<String> undisturbed;

    @BeforeAll
    static void up() throws Exception {
        stack = new LocalStack("rescale", 23800).up();
        kafka = new KafkaTestClient(stack.bootstrap());
        rest = new FlinkRest(stack.rest());
    }

    @AfterAll
    static void down() throws Exception {
        if (kafka != null) kafka.close();
        if (stack != null) stack.close();
    }

    static List<String> jobArgs(String name, String input, String alerts, int parallelism) {
        return List.of(
                "--bootstrap-servers=" + stack.bootstrap(),
                "--topic=" + input + "=json",
                "--rules-dir=" + LocalStack.ROOT.resolve("jobs/src/test/resources/it-rules"),
                "--job-name=" + name,
                "--alerts-topic=" + alerts,
                "--dead-letters-topic=" + name + "-dead-letters",
                "--start-offsets=earliest",
                "--parallelism=" + parallelism,
                "--checkpoint-interval=2s",
                "--watermark-delay=1s",
                "--watermark-idleness=10min",
                "--transaction-timeout=2min");
    }

    static byte[] log(long t, String service, String severity) {
        return TelemetryJson.write(Telemetry.log(t, service, severity, severity + " in " + service))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Event-time seconds [from, to) of input: service i on partition i, bursts 15 s in every 45 s, staggered. */
    static void write(String topic, int from, int to) {
        for (int t = from; t < to; t++) {
            for (int s = 0; s < SERVICES; s++) {
                String svc = "svc-" + s;
                long base = T0 + t * 1000L;
                kafka.send(topic, s % PARTITIONS, log(base, svc, "INFO"));
                if (((t / 15) + s) % 3 == 0) {
                    kafka.send(topic, s % PARTITIONS, log(base + 300, svc, "ERROR"));
                    kafka.send(topic, s % PARTITIONS, log(base + 600, svc, "ERROR"));
                } else if (t % 7 == s) {
                    kafka.send(topic, s % PARTITIONS, log(base + 500, svc, "ERROR"));
                }
            }
        }
        kafka.flush();
    }

    /** A record an hour ahead on every partition: the watermark passes every window, all alerts fire. */
    static void writeEnd(String topic) {
        for (int p = 0; p < PARTITIONS; p++) kafka.send(topic, p, log(T0 + 3_600_000L, "end-" + p, "INFO"));
        kafka.flush();
    }

    /** Waits until the job's group has committed offsets up to the topic's end, then for two more checkpoints. */
    static void awaitCaughtUp(String jobId, String group, String input) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!kafka.groupCaughtUp(group, input)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException(group + " never caught up on " + input);
            Thread.sleep(500);
        }
        rest.awaitCheckpoints(jobId, rest.completedCheckpoints(jobId), 2, Duration.ofMinutes(1));
    }

    /** The alerts as read_committed sees them, sorted, without wall-clock fields; asserts each id is there once. */
    static List<String> alerts(String topic) throws IOException {
        List<String> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(topic)) {
            JsonNode n = JSON.readTree(r.value());
            JsonNode v = n.path("vigil");
            String id = n.path("event").path("id").asText();
            assertTrue(ids.add(id), "alert " + id + " twice in " + topic);
            out.add(id + " " + n.path("rule").path("id").asText() + " "
                    + v.path("status").asText() + " "
                    + v.path("key").asText() + " [" + v.path("window_start").asLong() + ","
                    + v.path("window_end").asLong() + ") observed="
                    + v.path("observed").asText());
        }
        out.sort(null);
        return out;
    }

    /** The parallelism of the job's detectors, as the JobManager runs them. */
    static int detectorParallelism(String jobId) throws Exception {
        for (JsonNode v : rest.get("/jobs/" + jobId).path("vertices")) {
            if (v.path("name").asText().contains("Detectors"))
                return v.path("parallelism").asInt();
        }
        throw new IllegalStateException("no Detectors vertex in job " + jobId);
    }

    @Test
    @Order(1)
    void rescalingThroughSavepointsFrom2To1To3KeepsEveryAlert() throws Exception {
        String input = "rescale-telemetry";
        String topic = "rescale-alerts";
        kafka.createTopic(input, PARTITIONS);

        write(input, 0, SECONDS / 3);
        String p2 = stack.submit(jobArgs("rescale", input, topic, 2));
        rest.awaitRunning(p2, Duration.ofMinutes(2));
        awaitCaughtUp(p2, "rescale", input);
        assertEquals(2, detectorParallelism(p2));

        String p1 = stack.deploy(jobArgs("rescale", input, topic, 1));
        assertEquals("FINISHED", rest.state(p2), "stopped with a savepoint");
        rest.awaitRunning(p1, Duration.ofMinutes(2));
        assertEquals(1, detectorParallelism(p1));
        write(input, SECONDS / 3, 2 * SECONDS / 3);
        awaitCaughtUp(p1, "rescale", input);

        stack.vigil(List.of("stack", "start", "taskmanager-2"), 180); // 4 slots: room for parallelism 3
        String p3 = stack.deploy(jobArgs("rescale", input, topic, 3));
        assertEquals("FINISHED", rest.state(p1), "stopped with a savepoint");
        rest.awaitRunning(p3, Duration.ofMinutes(2));
        assertEquals(3, detectorParallelism(p3));
        write(input, 2 * SECONDS / 3, SECONDS);
        writeEnd(input);
        awaitCaughtUp(p3, "rescale", input);
        List<String> rescaled = alerts(topic);
        rest.cancel(p3);

        String baseline = stack.submit(jobArgs("rescale-baseline", input, "rescale-alerts-baseline", 2));
        rest.awaitRunning(baseline, Duration.ofMinutes(2));
        awaitCaughtUp(baseline, "rescale-baseline", input);
        undisturbed = alerts("rescale-alerts-baseline");
        rest.cancel(baseline);

        assertTrue(undisturbed.size() >= 12, "the input raises at least one alert per burst: " + undisturbed);
        assertEquals(undisturbed, rescaled, "alerts across rescaling differ from an undisturbed run");
    }

    /**
     * The JobManager writes {@code chk-N/_metadata} while it finalizes checkpoint N, after every task acknowledged
     * it and before it marks N completed and notifies the tasks; the Kafka sink commits N's transactions only when
     * that notification reaches its TaskManager (an RPC, then a round trip to the broker). Killing every TaskManager
     * (SIGKILL, from this JVM) as soon as the file appears therefore lands after N is decided and before its commit:
     * the restarted job restores N and must commit N's transactions itself, or N's alerts are lost. The test reads
     * the file system every few milliseconds, so the kill follows the file by about that much.
     */
    @Test
    @Order(2)
    @Disabled(
            "Open defect, issue 15: in CI on 2026-12-04 the run after a kill at checkpoint 2's finalization lacked 4 of"
                    + " the undisturbed run's 24 alerts (the first burst of two services, firing and resolved); nothing was"
                    + " doubled. Not yet known whether the job loses a committed checkpoint's transactions or the test's"
                    + " undisturbed comparison does not fit this run; see docs/operations/faults.md")
    void killBetweenCheckpointCompletionAndKafkaCommitLosesNothing() throws Exception {
        assertTrue(undisturbed != null, "needs the undisturbed run of the first test");
        String input = "window-telemetry";
        String topic = "window-alerts";
        kafka.createTopic(input, PARTITIONS);
        write(input, 0, SECONDS / 3);
        String job = stack.submit(jobArgs("window", input, topic, 2));
        rest.awaitRunning(job, Duration.ofMinutes(2));

        // Input keeps flowing, so the checkpoint that is cut short has alerts in its transactions.
        AtomicBoolean killed = new AtomicBoolean();
        ExecutorService producer = Executors.newSingleThreadExecutor();
        Future<?> flowing = producer.submit(() -> {
            for (int t = SECONDS / 3; t < SECONDS; t++) {
                if (t == 2 * SECONDS / 3) {
                    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                    while (!killed.get()) {
                        if (System.nanoTime() > deadline) throw new IllegalStateException("never killed");
                        Thread.sleep(50); // the last third only after the kill: part of it arrives while recovering
                    }
                }
                write(input, t, t + 1);
                Thread.sleep(200); // pacing: the input flows over time
            }
            writeEnd(input);
            return null;
        });

        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (kafka.readCommitted(topic).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "no committed alert within 2 minutes; logs: " + stack.logs());
            Thread.sleep(500);
        }
        Path checkpoints = stack.home.resolve("flink/checkpoints/" + job);
        long seen = lastFinalized(checkpoints);
        List<ProcessHandle> taskManagers = new ArrayList<>();
        for (String tm : List.of("taskmanager-1", "taskmanager-2")) {
            taskManagers.add(
                    ProcessHandle.of(stack.pid(tm)).orElseThrow(() -> new IllegalStateException(tm + " gone")));
        }
        long finalized;
        long waitUntil = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while ((finalized = lastFinalized(checkpoints)) <= seen) {
            assertTrue(System.nanoTime() < waitUntil, "no new checkpoint in " + checkpoints);
            Thread.sleep(2);
        }
        long cut = finalized;
        taskManagers.forEach(ProcessHandle::destroyForcibly);
        killed.set(true);
        for (ProcessHandle p : taskManagers) p.onExit().get();
        // The sink logs every commit (DEBUG, VIGIL_STACK_DEBUG) with the transaction's id, <prefix>-<subtask>-<N>:
        // fewer than one per sink subtask for N before the kill shows the kill landed inside the window for at least
        // one of N's transactions. Where the kill lands is a race with the TaskManagers (a run on a loaded machine had
        // one of the two committed, one not), so it is reported, not asserted: what must hold wherever it lands is
        // the comparison with the undisturbed run below.
        String commitsOfCut = "commitTransaction window-alerts-\\d+-" + cut + "(\\s|$)";
        long committedBeforeKill = stack.logLines(commitsOfCut).lines().count();
        System.out.println("RescaleIT: killed every TaskManager as checkpoint " + cut + " was finalized, "
                + committedBeforeKill + " of its 2 alert transactions committed"
                + (committedBeforeKill < 2 ? " (inside the window)" : " (after the window)"));

        stack.vigil(List.of("stack", "start", "taskmanager-1"), 180);
        stack.vigil(List.of("stack", "start", "taskmanager-2"), 180);
        flowing.get();
        producer.shutdown();
        rest.awaitRunning(job, Duration.ofMinutes(2));
        awaitCaughtUp(job, "window", input);
        assertTrue(rest.restarts(job) >= 1, "the job never failed over");
        List<String> after = alerts(topic);
        rest.cancel(job);
        String restores = stack.logLines("Restoring job|Committing|committed|recover")
                .lines()
                .limit(40)
                .reduce("", (a, b) -> a + b + "\n");
        assertEquals(
                undisturbed,
                after,
                () -> "alerts after a kill between checkpoint " + cut + " and its commit differ; logs:\n" + restores);
    }

    /** The highest checkpoint id whose {@code _metadata} exists under the job's checkpoint folder, or 0. */
    static long lastFinalized(Path checkpoints) throws IOException {
        if (!Files.isDirectory(checkpoints)) return 0;
        long max = 0;
        try (Stream<Path> s = Files.list(checkpoints)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith("chk-") && Files.exists(p.resolve("_metadata"))) {
                    max = Math.max(max, Long.parseLong(n.substring(4)));
                }
            }
        }
        return max;
    }
}
