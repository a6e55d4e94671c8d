package io.vigil.it;

import io.vigil.cli.VigilCli;
import io.vigil.ingest.Decoders;
import io.vigil.ingest.kafka.DecoderFactory;
import io.vigil.ingest.kafka.KafkaTelemetrySource;
import io.vigil.ingest.kafka.StartOffsets;
import io.vigil.ingest.kafka.TopicFormats;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.RuleSource;
import io.vigil.model.TelemetryJson;
import io.vigil.rules.kafka.RuleTopic;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hot reload against the real Kafka broker ({@code bin/vigil stack start kafka}, port offset 23000): a running job
 * (local MiniCluster, telemetry from a Kafka topic, rules from the compacted rules topic) picks up a rule pushed with
 * {@code vigil rules push}, applies a change (the changed rule's state resets on purpose), stops a deleted rule, and
 * keeps the state of a rule that did not change.
 *
 * <p>Telemetry: one cart INFO log per event second (rule "steady" keeps one incident open all along, so a reset of its
 * state would show as a second firing alert) and a burst of payments ERROR logs every 25 event seconds (rule "burst"
 * fires once per burst while it exists). Event time runs at ten seconds per wall second.
 */
class RuleHotReloadIT {
    static final long T0 = 1767225600000L; // 2026-01-01T00:00:00Z
    static final String TELEMETRY = "it-telemetry";
    static final String RULES = "it-rules";

    static LocalStack stack;
    static Path dir;

    @BeforeAll
    static void up() throws Exception {
        stack = new LocalStack("rules", 23000);
        stack.vigil(List.of("stack", "down"), 120);
        LocalStack.deleteTree(stack.home);
        // Only the broker: the job runs in this JVM's MiniCluster. Throws (the test fails) if Kafka cannot start.
        stack.vigil(List.of("stack", "start", "kafka"), 300);
        dir = Files.createTempDirectory(Files.createDirectories(stack.home), "rules");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", (Object) stack.bootstrap()))) {
            // One partition, so the test's records arrive in event-time order.
            admin.createTopics(List.of(new NewTopic(TELEMETRY, 1, (short) 1))).all().get();
        }
    }

    @AfterAll
    static void down() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void pushedRulesTakeEffectChangeAndStopWhileTheJobRuns() throws Exception {
        // A rule pushed before the job starts: it comes from the topic's beginning.
        Path steady = rule("steady.yaml", "steady", "cart", "INFO", 5, "10s", "v1");
        assertEquals(0, push(steady.toString()), "push steady");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        env.getConfig().setAutoWatermarkInterval(100);
        DecoderFactory decoders = format -> Decoders.forFormat(format)::decode;
        KafkaTelemetrySource kafka = new KafkaTelemetrySource(stack.bootstrap(),
                TopicFormats.topics(Map.of(TELEMETRY, "json")), "it-hot-reload", StartOffsets.parse("earliest"),
                new Properties(), decoders);
        // The job as the cluster runs it (KafkaDetectionJob with rules-topic set), without the Kafka sinks.
        DataStream<Alert> alerts = new DetectionJob(new DetectionConfig().watermarkDelay(Duration.ofSeconds(1)),
                kafka::create, RuleSource.of(List.of()).withUpdates(new RuleTopic(stack.bootstrap(), RULES)),
                DetectionJob.Sinks.none()).build(env).alerts();

        List<Alert> got = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        // Not try-with-resources: CloseableIterator.close() throws Exception, which -Xlint:try flags.
        CloseableIterator<Alert> it = alerts.executeAndCollect("rule hot reload IT");
        try (KafkaProducer<String, String> producer = producer()) {
            Thread reader = new Thread(() -> {
                try {
                    it.forEachRemaining(got::add);
                } catch (RuntimeException e) {
                    if (!stop.get()) {
                        throw e;
                    }
                }
            }, "alert-reader");
            reader.setDaemon(true);
            reader.start();
            Thread writer = new Thread(() -> produce(producer, stop), "telemetry-writer");
            writer.setDaemon(true);
            writer.start();

            await(got, a -> a.ruleId.equals("steady"), "steady fires from the rule pushed before the start");
            assertEquals(List.of(), ids(got, "burst"));

            // 1. Add: a new rule takes effect within seconds.
            Path burst = rule("burst.yaml", "burst", "payments", "ERROR", 30, "10s", "v1");
            long pushed = System.currentTimeMillis();
            assertEquals(0, push(burst.toString()), "push burst");
            Alert first = await(got, a -> a.ruleId.equals("burst"), "the pushed rule fires");
            long tookMs = System.currentTimeMillis() - pushed;
            assertEquals("v1", first.labels.get("version"));
            System.out.println("new rule fired " + tookMs + " ms after the push");
            assertTrue(tookMs < 20_000, "took " + tookMs + " ms");

            // 2. Change: alerts now carry the new version.
            rule("burst.yaml", "burst", "payments", "ERROR", 30, "10s", "v2");
            assertEquals(0, push(burst.toString()), "push changed burst");
            await(got, a -> a.ruleId.equals("burst") && "v2".equals(a.labels.get("version")),
                    "the changed rule fires with its new label");

            // 3. Delete: no more alerts from it, several bursts later.
            assertEquals(0, push("--delete", "burst"), "delete burst");
            Thread.sleep(2_000); // let the tombstone and records in flight pass
            int before = ids(got, "burst").size();
            Thread.sleep(10_000); // four bursts at ten event seconds per wall second
            assertEquals(before, ids(got, "burst").size(), "a deleted rule fired: " + got);

            // 4. A graph kind is refused at push time (none registered yet: a rule the compiler rejects instead).
            StringWriter err = new StringWriter();
            int code = VigilCli.commandLine().setErr(new PrintWriter(err)).execute("rules", "push",
                    "--bootstrap-servers", stack.bootstrap(), "--topic", RULES,
                    rule("bad.yaml", "bad", "cart", "INFO", 0, "10s", "v1").toString());
            assertEquals(1, code);
            assertTrue(err.toString().contains("bad.yaml:"), err.toString());

            // The unchanged rule kept its state through all of it: one incident, one firing alert.
            List<Alert> steadyFiring = new ArrayList<>();
            for (Alert a : got) {
                if (a.ruleId.equals("steady") && Alert.FIRING.equals(a.status)) {
                    steadyFiring.add(a);
                }
            }
            assertEquals(1, steadyFiring.size(), "steady's state was reset: " + steadyFiring);
        } finally {
            stop.set(true);
            it.close(); // cancels the job
        }
    }

    private static Alert await(List<Alert> got, Predicate<Alert> p, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            for (Alert a : got) {
                if (p.test(a)) {
                    return a;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting until " + what + "; alerts so far: " + got);
    }

    private static List<String> ids(List<Alert> got, String rule) {
        List<String> out = new ArrayList<>();
        for (Alert a : got) {
            if (a.ruleId.equals(rule) && Alert.FIRING.equals(a.status)) {
                out.add(a.id);
            }
        }
        return out;
    }

    private static Path rule(String file, String id, String service, String severity, long count, String window,
            String version) throws Exception {
        Path f = dir.resolve(file);
        Files.writeString(f, String.join("\n",
                "id: " + id,
                "name: " + id,
                "kind: frequency",
                "match: {signal: log, service.name: " + service + ", severity: " + severity + "}",
                "key_by: [service.name]",
                "params: {count: " + count + ", window: " + window + "}",
                "labels: {version: " + version + "}",
                ""));
        return f;
    }

    private static int push(String... args) {
        List<String> all = new ArrayList<>(List.of("rules", "push", "--bootstrap-servers", stack.bootstrap(),
                "--topic", RULES));
        all.addAll(List.of(args));
        return VigilCli.commandLine().execute(all.toArray(new String[0]));
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", stack.bootstrap());
        p.put("linger.ms", "5");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Ten event seconds per wall second until stopped. */
    private static void produce(KafkaProducer<String, String> producer, AtomicBoolean stop) {
        long t = T0;
        while (!stop.get()) {
            producer.send(new ProducerRecord<>(TELEMETRY, TelemetryJson.write(
                    Telemetry.log(t, "cart", "INFO", "ok"))));
            long second = (t - T0) / 1000;
            if (second % 25 < 5) {
                for (int i = 0; i < 8; i++) {
                    producer.send(new ProducerRecord<>(TELEMETRY, TelemetryJson.write(
                            Telemetry.log(t + i, "payments", "ERROR", "upstream timeout"))));
                }
            }
            t += 1000;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
