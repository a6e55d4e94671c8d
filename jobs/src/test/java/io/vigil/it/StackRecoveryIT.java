package io.vigil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.cluster.FlinkRest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Exactly-once and state continuity of the real job on the real stack: a Kafka broker and a Flink standalone cluster
 * as separate processes ({@code bin/vigil stack up}), the shaded job jar submitted through Flink's CLI
 * ({@code bin/vigil submit}), alerts read back as a read_committed consumer. The stack runs with its own data folder
 * ({@code jobs/target/it-stack}) and ports (offset 20000), so it does not disturb a developer's stack.
 *
 * <p>The input is deterministic and written in event-time order per partition, so an undisturbed run and a run with a
 * failure must produce the same alerts (alert ids are a function of rule, key and window).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackRecoveryIT {
    static final int SECONDS = 90;
    /** Two partitions: service i on partition i % 2. */
    static final int PARTITIONS = 2;

    static final ObjectMapper JSON = new ObjectMapper();

    static LocalStack stack;
    static KafkaTestClient kafka;
    static FlinkRest rest;
    static long startedAt;

    @BeforeAll
    static void up() throws Exception {
        startedAt = System.currentTimeMillis();
        stack = new LocalStack("recovery", 20000).up();
        kafka = new KafkaTestClient(stack.bootstrap());
        rest = new FlinkRest(stack.rest());
    }

    @AfterAll
    static void down() throws Exception {
        if (kafka != null) kafka.close();
        if (stack != null) stack.close();
    }

    static List<String> jobArgs(String name, String input, String alerts) {
        return List.of(
                "--bootstrap-servers=" + stack.bootstrap(),
                "--topic=" + input + "=json",
                "--rules-dir=" + LocalStack.ROOT.resolve("jobs/src/test/resources/it-rules"),
                "--job-name=" + name,
                "--alerts-topic=" + alerts,
                "--dead-letters-topic=" + name + "-dead-letters",
                "--start-offsets=earliest",
                "--parallelism=2",
                "--checkpoint-interval=2s",
                "--watermark-delay=1s",
                // Quiet partitions must not advance event time past records still to come: every record of this
                // input is on time, in an undisturbed run and after a restart alike.
                "--watermark-idleness=10min"
                // No --transaction-timeout: the job's default (10 min) must outlast the recovery, or the broker aborts
                // the last checkpoint's transactions before the restored job commits them (RescaleIT lost alerts so).
                );
    }

    /** The alerts as read_committed sees them: one line each, without the wall-clock fields. */
    static List<String> alerts(String topic) throws IOException {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(topic)) {
            JsonNode n = JSON.readTree(r.value());
            JsonNode v = n.path("vigil");
            String key = new String(r.key(), StandardCharsets.UTF_8);
            assertEquals(n.path("event").path("id").asText(), key, "record key = alert id");
            // Stamped when written, not with the 2026-01-01 event time: the broker's retention check would delete
            // records that old (it did, 30 s after the broker started: the first checkpoint's alerts vanished).
            assertTrue(r.timestamp() >= startedAt, "alert " + key + " carries Kafka timestamp " + r.timestamp());
            out.add(key + " " + n.path("rule").path("id").asText() + " "
                    + v.path("status").asText() + " "
                    + v.path("key").asText() + " [" + v.path("window_start").asLong() + ","
                    + v.path("window_end").asLong()
                    + ") observed=" + v.path("observed").asText());
        }
        out.sort(null);
        return out;
    }

    /** Checkpoints, restores and the Kafka sink's transaction handling, from every log of the stack. */
    static String logStory() {
        try {
            return stack.logLines("Completed checkpoint|Restoring job|KafkaCommitter|ExactlyOnceKafkaWriter"
                    + "|TransactionAbort|ProducerFenced|InvalidTxnState|switched from RUNNING to FAILING"
                    + "|retention|Deleting segment");
        } catch (IOException e) {
            return "(logs unreadable: " + e + ")";
        }
    }

    @Test
    @Order(1)
    void killedTaskManagerLosesAndDuplicatesNoAlert() throws Exception {
        String input = "recovery-telemetry";
        kafka.createTopic(input, PARTITIONS);
        // A third of the input is there before the job starts; the rest flows while the TaskManager is killed.
        kafka.sendSeconds(input, 0, SECONDS / 3, PARTITIONS);

        String disturbed = stack.submit(jobArgs("recovery-disturbed", input, "recovery-alerts-disturbed"));
        rest.awaitRunning(disturbed, Duration.ofMinutes(2));
        // The second third flows while the job runs; the last third only after the kill, so part of the input always
        // arrives while the job recovers, however fast or slow this machine is.
        CountDownLatch killed = new CountDownLatch(1);
        ExecutorService producer = Executors.newSingleThreadExecutor();
        Future<?> rest2 = producer.submit(() -> {
            for (int t = SECONDS / 3; t < SECONDS; t++) {
                if (t == 2 * SECONDS / 3 && !killed.await(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the TaskManager was never killed");
                }
                kafka.sendSeconds(input, t, t + 1, PARTITIONS);
                Thread.sleep(400); // pacing: the input flows over time, as in production
            }
            kafka.sendEnd(input, PARTITIONS);
            return null;
        });

        // Kill only once alerts are committed, i.e. detection and transactions are in full swing.
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (kafka.readCommitted("recovery-alerts-disturbed").isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "no committed alert within 2 minutes; logs: " + stack.logs());
            Thread.sleep(500);
        }
        stack.vigil(List.of("stack", "kill", "taskmanager-1"), 60);
        killed.countDown();
        stack.vigil(List.of("stack", "start", "taskmanager-2"), 180);
        rest2.get();
        producer.shutdown();

        rest.awaitRunning(disturbed, Duration.ofMinutes(2));
        stack.awaitCaughtUp(kafka, disturbed, "recovery-disturbed", input);
        assertTrue(rest.restarts(disturbed) >= 1, "the job never failed over");
        List<String> afterFailure = alerts("recovery-alerts-disturbed");
        rest.cancel(disturbed);

        String baseline = stack.submit(jobArgs("recovery-baseline", input, "recovery-alerts-baseline"));
        stack.awaitCaughtUp(kafka, baseline, "recovery-baseline", input);
        List<String> undisturbed = alerts("recovery-alerts-baseline");
        rest.cancel(baseline);

        assertTrue(undisturbed.size() >= 12, "the input should raise at least one alert per burst: " + undisturbed);
        assertEquals(undisturbed.size(), new HashSet<>(undisturbed).size(), "duplicates in the undisturbed run");
        Set<String> ids = new HashSet<>();
        for (String a : afterFailure) assertTrue(ids.add(a.substring(0, a.indexOf(' '))), "duplicate alert " + a);
        assertEquals(
                undisturbed,
                afterFailure,
                () -> "alerts after a TaskManager failure differ from an undisturbed run;" + " what the stack logged:\n"
                        + logStory());
    }

    @Test
    @Order(2)
    void savepointCarriesAWindowAcrossTheRedeploy() throws Exception {
        String input = "savepoint-telemetry";
        String alertsTopic = "savepoint-alerts";
        kafka.createTopic(input, PARTITIONS);
        String first = stack.submit(jobArgs("savepoint", input, alertsTopic));
        rest.awaitRunning(first, Duration.ofMinutes(2));

        // Six errors before the stop, six after, all in one 10 s window: only counted together do they reach 8.
        for (int i = 0; i < 6; i++)
            kafka.send(input, 0, KafkaTestClient.log(KafkaTestClient.T0 + i * 1000L, "svc-sp", "ERROR"));
        kafka.flush();
        stack.awaitCaughtUp(kafka, first, "savepoint", input);

        String second = stack.deploy();
        assertTrue(!first.equals(second), "deploy should have started a new job");
        assertEquals("FINISHED", rest.state(first), "the first job should have stopped with a savepoint");
        rest.awaitRunning(second, Duration.ofMinutes(2));
        for (int i = 6; i < 12; i++)
            kafka.send(input, 0, KafkaTestClient.log(KafkaTestClient.T0 + i * 1000L, "svc-sp", "ERROR"));
        kafka.sendEnd(input, PARTITIONS);
        stack.awaitCaughtUp(kafka, second, "savepoint", input);
        List<String> alerts = alerts(alertsTopic);
        rest.cancel(second);

        List<String> firing =
                alerts.stream().filter(a -> a.contains(" firing ")).toList();
        assertEquals(1, firing.size(), "one burst spanning the redeploy: " + alerts);
        double observed =
                Double.parseDouble(firing.get(0).substring(firing.get(0).indexOf("observed=") + 9));
        assertTrue(observed >= 8 && observed <= 12, "counts from both sides of the savepoint: " + firing);
    }
}
