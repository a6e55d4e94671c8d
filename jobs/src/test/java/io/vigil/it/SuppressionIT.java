package io.vigil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.alert.AlertJson;
import io.vigil.cli.VigilCli;
import io.vigil.model.Alert;
import io.vigil.sink.file.JsonLinesSink;
import io.vigil.sink.kafka.KafkaSinks;
import io.vigil.sink.notify.AlertmanagerSink;
import io.vigil.sink.notify.NotifyConfig;
import io.vigil.suppress.InhibitRules;
import io.vigil.suppress.SilenceUpdates;
import io.vigil.suppress.Silences;
import io.vigil.suppress.Suppression;
import io.vigil.suppress.kafka.SilenceTopic;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Inhibition and silences against the real local stack ({@link LocalStack}: Kafka, and the stack's Alertmanager 0.25
 * routing to its webhook receiver, which appends every notification to a file). The suppression stage as
 * {@code DetectionJob} attaches it ({@link Suppression#attach}, with the starter {@code rules/_inhibit.yaml} and the
 * silence topic) runs in a MiniCluster in front of three outputs: the Kafka alerts topic, a JSON-lines file and the
 * Alertmanager. Alerts enter through a queue the test fills, with event times near now; a marker record after each
 * batch moves the watermark past it (the inhibitor judges alerts once the watermark passes them).
 */
class SuppressionIT {
    private static final int OFFSET = 25000;
    private static final String ALERTS = "it-suppression-alerts";
    private static final String SILENCES = "it-suppression-silences";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Alerts for the running job; an alert without rule id only moves the watermark. */
    static final BlockingQueue<Alert> INPUT = new LinkedBlockingQueue<>();

    private LocalStack stack;
    private JobClient job;

    @AfterEach
    void stop() throws Exception {
        if (job != null) job.cancel().get(30, TimeUnit.SECONDS);
        if (stack != null) stack.close();
    }

    @Test
    void inhibitedAndSilencedAlertsAreMarkedEverywhereAndNeverReachTheReceiver() throws Exception {
        stack = new LocalStack("suppression", OFFSET).up();
        String alertmanager = "http://127.0.0.1:" + (9095 + OFFSET);
        Path notifications = stack.home.resolve("receiver/notifications.jsonl");
        Path file = stack.home.resolve("out/alerts.jsonl");
        try (KafkaTestClient kafka = new KafkaTestClient(stack.bootstrap())) {
            kafka.createTopic(ALERTS, 1);
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(1000); // the Kafka output commits its transactions on checkpoints
        DataStream<Alert> alerts = env.fromSequence(0, Long.MAX_VALUE)
                .map(new TakeAlert(), TypeInformation.of(Alert.class))
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<Alert>forMonotonousTimestamps().withTimestampAssigner((a, t) -> a.eventTime))
                .filter(a -> a.ruleId != null);
        DataStream<Alert> marked = Suppression.attach(
                env,
                alerts,
                InhibitRules.load(LocalStack.ROOT.resolve("rules/_inhibit.yaml")),
                Silences.none(),
                SilenceUpdates.of(new SilenceTopic(stack.bootstrap(), SILENCES)),
                1);
        NotifyConfig am = NotifyConfig.alertmanager(alertmanager);
        marked.sinkTo(new AlertmanagerSink(am)).uid("alerts-alertmanager");
        marked.sinkTo(new KafkaSinks(stack.bootstrap(), "it-suppression", Duration.ofMinutes(5), new Properties())
                        .alerts(ALERTS, AlertJson::toBytes))
                .uid("alerts-kafka");
        marked.sinkTo(new JsonLinesSink<>(file, AlertJson::toBytes)).uid("alerts-file");
        job = env.executeAsync("suppression-it");

        // 1. The payments SLO page and its error burst at the same instant, the burst first: the burst is inhibited.
        //    The cart burst has no SLO page over it and is delivered.
        long t1 = System.currentTimeMillis();
        Alert slo = alert("slo-payments-availability", "payments", t1);
        slo.labels.put("slo.alert", "page");
        INPUT.add(alert("service-error-burst", "payments", t1));
        INPUT.add(slo);
        INPUT.add(alert("service-error-burst", "cart", t1));
        INPUT.add(tick(t1 + 1));
        await("the SLO page notified", () -> notified(notifications, "slo-payments-availability", "payments"));
        await("the cart burst notified", () -> notified(notifications, "service-error-burst", "cart"));
        JsonNode inhibited =
                await("the payments burst in the file", () -> inFile(file, "service-error-burst", "payments"));
        assertEquals(slo.id, inhibited.path("vigil").path("inhibited_by").asText());

        // 2. A maintenance window for checkout (and the probe service) pushed with the CLI while the job runs.
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = VigilCli.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(
                        "silence", "add",
                        "--bootstrap-servers", stack.bootstrap(),
                        "--topic", SILENCES,
                        "--id", "checkout-maintenance",
                        "-m", "service=~\"checkout|probe\"",
                        "--start", Instant.ofEpochMilli(t1).minusSeconds(3600).toString(),
                        "--duration", "2h",
                        "-c", "release window");
        assertEquals(0, code, out + "\n" + err);
        assertTrue(out.toString().contains("checkout-maintenance: added"), out.toString());
        // The broadcast reaches the job asynchronously: probe alerts until one comes out silenced.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int probe = 0; ; probe++) {
            assertTrue(System.nanoTime() < deadline, "the pushed silence never reached the job");
            long t = System.currentTimeMillis();
            Alert p = alert("probe", "probe", t);
            p.id = "probe-" + probe;
            INPUT.add(p);
            INPUT.add(tick(t + 1));
            String id = p.id;
            JsonNode seen = await("probe " + probe + " in the file", () -> byId(file, id));
            if ("checkout-maintenance"
                    .equals(seen.path("vigil").path("silenced_by").asText(null))) break;
        }

        // 3. The next checkout alert is silenced in every output; the cart alert beside it is delivered.
        long t3 = System.currentTimeMillis();
        INPUT.add(alert("service-latency-p95", "checkout", t3));
        INPUT.add(alert("service-latency-p95", "cart", t3));
        INPUT.add(tick(t3 + 1));
        await("the cart latency notified", () -> notified(notifications, "service-latency-p95", "cart"));
        JsonNode silenced =
                await("the checkout latency in the file", () -> inFile(file, "service-latency-p95", "checkout"));
        assertEquals(
                "checkout-maintenance",
                silenced.path("vigil").path("silenced_by").asText());
        JsonNode onKafka = await("the checkout latency on Kafka", () -> onKafka("service-latency-p95", "checkout"));
        assertEquals(
                "checkout-maintenance",
                onKafka.path("vigil").path("silenced_by").asText());
        JsonNode inhibitedOnKafka =
                await("the payments burst on Kafka", () -> onKafka("service-error-burst", "payments"));
        assertEquals(slo.id, inhibitedOnKafka.path("vigil").path("inhibited_by").asText());

        // Neither the inhibited nor the silenced alert ever reached the Alertmanager or its receiver, though alerts
        // sent with and after them did.
        assertNull(notified(notifications, "service-error-burst", "payments"), Files.readString(notifications));
        assertNull(notified(notifications, "service-latency-p95", "checkout"), Files.readString(notifications));
        JsonNode active = JSON.readTree(HTTP.send(
                        HttpRequest.newBuilder(URI.create(alertmanager + "/api/v2/alerts"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
        List<String> inAlertmanager = new ArrayList<>();
        for (JsonNode a : active) {
            inAlertmanager.add(a.path("labels").path("alertname").asText() + "/"
                    + a.path("labels").path("service").asText());
        }
        assertTrue(inAlertmanager.contains("service-error-burst/cart"), inAlertmanager.toString());
        assertTrue(inAlertmanager.contains("service-latency-p95/cart"), inAlertmanager.toString());
        assertTrue(!inAlertmanager.contains("service-error-burst/payments"), inAlertmanager.toString());
        assertTrue(!inAlertmanager.contains("service-latency-p95/checkout"), inAlertmanager.toString());

        // `vigil silence list` shows it active.
        StringWriter listed = new StringWriter();
        assertEquals(
                0,
                VigilCli.commandLine()
                        .setOut(new PrintWriter(listed))
                        .execute("silence", "list", "--bootstrap-servers", stack.bootstrap(), "--topic", SILENCES));
        assertTrue(listed.toString().startsWith("checkout-maintenance  active  "), listed.toString());
    }

    /** The job's source: blocks for the test's next alert (polling, so a cancel stops it). */
    static final class TakeAlert implements MapFunction<Long, Alert> {
        private static final long serialVersionUID = 1L;

        private long latest;

        /**
         * The next queued alert, or after 100 ms without one a marker at the latest event time (filtered out
         * downstream). Returning lets the task's mailbox run between records: waiting here for the next alert would
         * hold back the periodic watermark and the checkpoint barriers that the inhibitor and the Kafka output wait on.
         */
        @Override
        public Alert map(Long ignored) throws Exception {
            Alert a = INPUT.poll(100, TimeUnit.MILLISECONDS);
            if (a == null) {
                return tick(latest);
            }
            latest = Math.max(latest, a.eventTime);
            return a;
        }
    }

    private static Alert alert(String rule, String service, long now) {
        Alert a = new Alert();
        a.ruleId = rule;
        a.ruleName = rule;
        a.kind = rule.startsWith("slo-") ? "slo" : "frequency";
        a.severity = rule.startsWith("slo-") ? "critical" : "high";
        a.service = service;
        a.key = rule + "|" + service;
        a.keyFields.put("service.name", service);
        a.id = rule + "-" + service + "-" + now;
        a.incidentId = a.id;
        a.windowStart = now - 60_000;
        a.windowEnd = now;
        a.eventTime = now;
        a.observed = 42;
        a.expected = 20;
        a.comparison = ">";
        a.message = rule + " on " + service;
        return a;
    }

    /** A record that only moves event time on. */
    private static Alert tick(long eventTime) {
        Alert a = new Alert();
        a.eventTime = eventTime;
        return a;
    }

    /** The firing notification the receiver got for this alert, or null. */
    private static JsonNode notified(Path notifications, String rule, String service) {
        for (JsonNode n : lines(notifications)) {
            for (JsonNode a : n.path("alerts")) {
                JsonNode l = a.path("labels");
                if (rule.equals(l.path("alertname").asText())
                        && service.equals(l.path("service").asText())) {
                    return n;
                }
            }
        }
        return null;
    }

    private static JsonNode inFile(Path file, String rule, String service) {
        for (JsonNode a : lines(file)) {
            if (rule.equals(a.path("rule").path("id").asText())
                    && service.equals(a.path("service").path("name").asText())) {
                return a;
            }
        }
        return null;
    }

    private static JsonNode byId(Path file, String id) {
        for (JsonNode a : lines(file)) {
            if (id.equals(a.path("event").path("id").asText())) return a;
        }
        return null;
    }

    private JsonNode onKafka(String rule, String service) {
        try (KafkaTestClient kafka = new KafkaTestClient(stack.bootstrap())) {
            for (var r : kafka.readCommitted(ALERTS)) {
                JsonNode a = JSON.readTree(r.value());
                if (rule.equals(a.path("rule").path("id").asText())
                        && service.equals(a.path("service").path("name").asText())) {
                    return a;
                }
            }
            return null;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The JSON lines of a file written so far (a line being written is left out). */
    private static List<JsonNode> lines(Path file) {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    out.add(JSON.readTree(line));
                } catch (IOException partial) {
                    // the writer is mid-line; it is read again on the next poll
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    /** Polls the condition for up to 60 s; fails with what was awaited. */
    private static <T> T await(String what, Supplier<T> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            T value = condition.get();
            if (value != null) return value;
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
