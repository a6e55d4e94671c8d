package io.vigil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.alert.AlertEnricher;
import io.vigil.alert.ServiceCatalog;
import io.vigil.alert.kafka.CatalogTopic;
import io.vigil.cli.VigilCli;
import io.vigil.ingest.Decoders;
import io.vigil.ingest.kafka.DecoderFactory;
import io.vigil.ingest.kafka.KafkaTelemetrySource;
import io.vigil.ingest.kafka.StartOffsets;
import io.vigil.ingest.kafka.TopicFormats;
import io.vigil.job.CatalogUpdates;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.RuleSource;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.kafka.RuleTopic;
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

/**
 * Hot reload against the real Kafka broker ({@code bin/vigil stack start kafka}, port offset 23000): a running job
 * (local MiniCluster, telemetry from a Kafka topic, rules from the compacted rules topic) picks up a rule pushed with
 * {@code vigil rules push}, applies a change (the changed rule's state resets on purpose), stops a deleted rule, and
 * keeps the state of a rule that did not change; a pushed sequence rule fires without a redeploy. A second job follows the compacted service-catalog topic: alerts
 * raised after a {@code vigil catalog push} carry the pushed owner and team, and after a tombstone fall back to the
 * catalog file's entry or to unknown.
 *
 * <p>Telemetry: one cart INFO log per event second (rule "steady" keeps one incident open all along, so a reset of its
 * state would show as a second firing alert) and a burst of payments ERROR logs every 25 event seconds (rule "burst"
 * fires once per burst while it exists). Event time runs at ten seconds per wall second.
 */
class RuleHotReloadIT {
    static final long T0 = 1767225600000L; // 2026-01-01T00:00:00Z
    static final String TELEMETRY = "it-telemetry";
    static final String RULES = "it-rules";
    static final String CATALOG_TELEMETRY = "it-catalog-telemetry";
    static final String CATALOG = "it-services";

    static LocalStack stack;
    static Path dir;

    @BeforeAll
    static void up() throws Exception {
        // Only the broker: the job runs in this JVM's MiniCluster. Throws (the test fails) if Kafka cannot start.
        stack = new LocalStack("rules", 23000).start("kafka");
        dir = Files.createTempDirectory(Files.createDirectories(stack.home), "rules");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", (Object) stack.bootstrap()))) {
            // One partition, so the test's records arrive in event-time order.
            admin.createTopics(List.of(
                            new NewTopic(TELEMETRY, 1, (short) 1), new NewTopic(CATALOG_TELEMETRY, 1, (short) 1)))
                    .all()
                    .get();
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
        KafkaTelemetrySource kafka = new KafkaTelemetrySource(
                stack.bootstrap(),
                TopicFormats.topics(Map.of(TELEMETRY, "json")),
                "it-hot-reload",
                StartOffsets.parse("earliest"),
                new Properties(),
                decoders);
        // The job as the cluster runs it (KafkaDetectionJob with rules-topic set), without the Kafka sinks.
        DataStream<Alert> alerts = new DetectionJob(
                        new DetectionConfig().watermarkDelay(Duration.ofSeconds(1)),
                        kafka::create,
                        RuleSource.of(List.of()).withUpdates(new RuleTopic(stack.bootstrap(), RULES)),
                        DetectionJob.Sinks.none())
                .build(env)
                .alerts();

        List<Alert> got = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        // Not try-with-resources: CloseableIterator.close() throws Exception, which -Xlint:try flags.
        CloseableIterator<Alert> it = alerts.executeAndCollect("rule hot reload IT");
        try (KafkaProducer<String, String> producer = producer()) {
            Thread reader = new Thread(
                    () -> {
                        try {
                            it.forEachRemaining(got::add);
                        } catch (RuntimeException e) {
                            if (!stop.get()) {
                                throw e;
                            }
                        }
                    },
                    "alert-reader");
            reader.setDaemon(true);
            reader.start();
            Thread writer =
                    new Thread(() -> produce(producer, TELEMETRY, List.of("payments"), stop), "telemetry-writer");
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
            // Reported, not asserted: how long it takes depends on the machine; await() bounds it.
            System.out.println("new rule fired " + tookMs + " ms after the push");

            // 2. Change: alerts now carry the new version.
            rule("burst.yaml", "burst", "payments", "ERROR", 30, "10s", "v2");
            assertEquals(0, push(burst.toString()), "push changed burst");
            await(
                    got,
                    a -> a.ruleId.equals("burst") && "v2".equals(a.labels.get("version")),
                    "the changed rule fires with its new label");

            // 3. Delete: no more alerts from it, several bursts later.
            // A canary rule pushed after the tombstone fires on the same bursts. The rules topic is read in order, so
            // once the canary fired the deletion has taken effect; three canary incidents later, burst stayed silent.
            assertEquals(0, push("--delete", "burst"), "delete burst");
            assertEquals(
                    0,
                    push(rule("canary.yaml", "canary", "payments", "ERROR", 30, "10s", "v1")
                            .toString()),
                    "push canary");
            Predicate<Alert> canaryFires = a -> a.ruleId.equals("canary") && Alert.FIRING.equals(a.status);
            int from = got.indexOf(await(got, canaryFires, "the canary pushed after the deletion fires"));
            int before = ids(got, "burst").size();
            for (int i = 2; i <= 4; i++) {
                from = got.indexOf(await(got, from + 1, canaryFires, "canary incident " + i));
            }
            assertEquals(before, ids(got, "burst").size(), "a deleted rule fired: " + got);

            // 4. A graph kind is refused at push time (none registered yet: a rule the compiler rejects instead).
            StringWriter err = new StringWriter();
            int code = VigilCli.commandLine()
                    .setErr(new PrintWriter(err))
                    .execute(
                            "rules",
                            "push",
                            "--bootstrap-servers",
                            stack.bootstrap(),
                            "--topic",
                            RULES,
                            rule("bad.yaml", "bad", "cart", "INFO", 0, "10s", "v1")
                                    .toString());
            assertEquals(1, code);
            assertTrue(err.toString().contains("bad.yaml:"), err.toString());

            // 5. A sequence rule pushed while the job runs takes effect (keyed state machine, no redeploy): at least 20
            // payments errors, then a cart log, within 10 event seconds, which every error burst completes.
            Path sequence = dir.resolve("errors-then-cart.yaml");
            Files.writeString(
                    sequence,
                    String.join(
                            "\n",
                            "id: errors-then-cart",
                            "name: errors then cart",
                            "kind: sequence",
                            "match: {signal: log}",
                            "params:",
                            "  within: 10s",
                            "  steps:",
                            "    - {name: errors, match: {service.name: payments, severity: ERROR}, at_least: 20}",
                            "    - {name: cart, match: {service.name: cart}}",
                            ""));
            assertEquals(0, push(sequence.toString()), "push the sequence rule");
            Alert matched = await(got, a -> a.ruleId.equals("errors-then-cart"), "the pushed sequence rule fires");
            assertTrue(matched.annotations.get("sequence").startsWith("errors x"), matched.annotations.toString());
            // A shape that needs Flink CEP is still refused at push time, saying why.
            StringWriter refused = new StringWriter();
            Files.writeString(
                    sequence,
                    Files.readString(sequence)
                            .replace("{service.name: cart}}", "{service.name: cart}, follows: strict}"));
            assertEquals(
                    1,
                    VigilCli.commandLine()
                            .setErr(new PrintWriter(refused))
                            .execute(
                                    "rules",
                                    "push",
                                    "--bootstrap-servers",
                                    stack.bootstrap(),
                                    "--topic",
                                    RULES,
                                    sequence.toString()));
            assertTrue(refused.toString().contains("strict, any, consecutive or optional step"), refused.toString());

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

    @Test
    void pushedCatalogEntriesEnrichAlertsAndTombstonesFallBackWhileTheJobRuns() throws Exception {
        // The catalog file knows payments; billing only ever comes from the topic.
        ServiceCatalog.Entry fromFile = new ServiceCatalog.Entry();
        fromFile.owner = "file-payments@shop.example";
        fromFile.team = "payments";
        DetectionConfig config = new DetectionConfig().watermarkDelay(Duration.ofSeconds(1));
        config.catalog = new ServiceCatalog(Map.of("payments", fromFile));
        // The job as the cluster runs it with catalog-topic set (KafkaDetectionJob), without the Kafka sinks.
        config.catalogUpdates = CatalogUpdates.of(new CatalogTopic(stack.bootstrap(), CATALOG));

        // Pushed before the job starts: it comes from the topic's beginning.
        Path before = catalogFile("services-v1.yaml", "billing", "billing-oncall@shop.example", "finance");
        StringWriter out = new StringWriter();
        assertEquals(0, catalogPush(out, before.toString()), "push billing");
        assertTrue(out.toString().contains("billing: added"), out.toString());

        RuleSpec errors = new RuleSpec();
        errors.id = "errors";
        errors.name = "errors";
        errors.kind = "frequency";
        errors.match.put("signal", "log");
        errors.match.put("severity", "ERROR");
        errors.keyBy.add("service.name");
        errors.params.put("count", 30L);
        errors.params.put("window", "10s");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        env.getConfig().setAutoWatermarkInterval(100);
        DecoderFactory decoders = format -> Decoders.forFormat(format)::decode;
        KafkaTelemetrySource kafka = new KafkaTelemetrySource(
                stack.bootstrap(),
                TopicFormats.topics(Map.of(CATALOG_TELEMETRY, "json")),
                "it-catalog",
                StartOffsets.parse("earliest"),
                new Properties(),
                decoders);
        DataStream<Alert> alerts = new DetectionJob(
                        config, kafka::create, RuleSource.of(List.of(errors)), DetectionJob.Sinks.none())
                .build(env)
                .alerts();

        List<Alert> got = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        CloseableIterator<Alert> it = alerts.executeAndCollect("catalog hot reload IT");
        try (KafkaProducer<String, String> producer = producer()) {
            Thread reader = new Thread(
                    () -> {
                        try {
                            it.forEachRemaining(got::add);
                        } catch (RuntimeException e) {
                            if (!stop.get()) {
                                throw e;
                            }
                        }
                    },
                    "catalog-alert-reader");
            reader.setDaemon(true);
            reader.start();
            Thread writer = new Thread(
                    () -> produce(producer, CATALOG_TELEMETRY, List.of("payments", "billing"), stop),
                    "catalog-telemetry-writer");
            writer.setDaemon(true);
            writer.start();

            Alert billing = await(got, 0, a -> "billing".equals(a.service), "billing alerts");
            assertEquals("billing-oncall@shop.example", billing.enrichment.get("owner"), "the topic's entry");
            assertEquals("finance", billing.enrichment.get("team"));
            Alert payments = await(got, 0, a -> "payments".equals(a.service), "payments alerts");
            assertEquals("file-payments@shop.example", payments.enrichment.get("owner"), "the file's entry");

            // 1. A pushed entry wins over the file's within seconds.
            Path pushed = catalogFile("services-v2.yaml", "payments", "topic-payments@shop.example", "psp");
            out = new StringWriter();
            assertEquals(0, catalogPush(out, pushed.toString()), "push payments");
            assertTrue(out.toString().contains("payments: added"), out.toString());
            int from = got.size();
            long t = System.currentTimeMillis();
            Alert changed = await(
                    got,
                    from,
                    a -> "payments".equals(a.service)
                            && "topic-payments@shop.example".equals(a.enrichment.get("owner")),
                    "the pushed owner");
            assertEquals("psp", changed.enrichment.get("team"));
            System.out.println(
                    "pushed catalog entry applied " + (System.currentTimeMillis() - t) + " ms after the push");

            // 2. Tombstones: payments falls back to the file's entry, billing becomes unknown; the job keeps running.
            out = new StringWriter();
            assertEquals(
                    0, catalogPush(out, "--delete", "payments", "--delete", "billing", "--delete", "nobody"), "delete");
            assertTrue(out.toString().contains("payments: removed"), out.toString());
            assertTrue(out.toString().contains("nobody: not on the topic"), out.toString());
            from = got.size();
            await(
                    got,
                    from,
                    a -> "payments".equals(a.service)
                            && "file-payments@shop.example".equals(a.enrichment.get("owner"))
                            && "payments".equals(a.enrichment.get("team")),
                    "payments back on the file's entry");
            Alert unknown = await(
                    got,
                    from,
                    a -> "billing".equals(a.service) && "unknown".equals(a.enrichment.get(AlertEnricher.STATUS)),
                    "billing unknown");
            assertNull(unknown.enrichment.get("owner"));
        } finally {
            stop.set(true);
            it.close(); // cancels the job
        }
    }

    private static Alert await(List<Alert> got, Predicate<Alert> p, String what) throws InterruptedException {
        return await(got, 0, p, what);
    }

    /** The first alert at index {@code from} or later that matches. */
    private static Alert await(List<Alert> got, int from, Predicate<Alert> p, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            for (int i = from; i < got.size(); i++) {
                if (p.test(got.get(i))) {
                    return got.get(i);
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting until " + what + "; alerts so far: " + got);
    }

    private static Path catalogFile(String file, String service, String owner, String team) throws Exception {
        Path f = dir.resolve(file);
        Files.writeString(
                f,
                String.join("\n", "services:", "  " + service + ":", "    owner: " + owner, "    team: " + team, ""));
        return f;
    }

    private static int catalogPush(StringWriter out, String... args) {
        List<String> all = new ArrayList<>(
                List.of("catalog", "push", "--bootstrap-servers", stack.bootstrap(), "--topic", CATALOG));
        all.addAll(List.of(args));
        return VigilCli.commandLine().setOut(new PrintWriter(out)).execute(all.toArray(new String[0]));
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

    private static Path rule(
            String file, String id, String service, String severity, long count, String window, String version)
            throws Exception {
        Path f = dir.resolve(file);
        Files.writeString(
                f,
                String.join(
                        "\n",
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
        List<String> all =
                new ArrayList<>(List.of("rules", "push", "--bootstrap-servers", stack.bootstrap(), "--topic", RULES));
        all.addAll(List.of(args));
        return VigilCli.commandLine().execute(all.toArray(new String[0]));
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", stack.bootstrap());
        p.put("linger.ms", "5");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Ten event seconds per wall second until stopped: cart INFO logs, and error bursts of these services. */
    private static void produce(
            KafkaProducer<String, String> producer, String topic, List<String> bursts, AtomicBoolean stop) {
        long t = T0;
        while (!stop.get()) {
            producer.send(new ProducerRecord<>(topic, TelemetryJson.write(Telemetry.log(t, "cart", "INFO", "ok"))));
            long second = (t - T0) / 1000;
            if (second % 25 < 5) {
                for (String service : bursts) {
                    for (int i = 0; i < 8; i++) {
                        producer.send(new ProducerRecord<>(
                                topic,
                                TelemetryJson.write(Telemetry.log(t + i, service, "ERROR", "upstream timeout"))));
                    }
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
