package io.vigil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.vigil.model.Alert;
import io.vigil.sink.notify.AlertmanagerSink;
import io.vigil.sink.notify.NotifyConfig;
import io.vigil.sink.notify.WebhookPayload;
import io.vigil.sink.notify.WebhookSink;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Alertmanager and webhook outputs in a Flink MiniCluster against real Alertmanagers 0.25 (the Debian package's
 * {@code /usr/bin/prometheus-alertmanager}, started by this test on fixed ports plus offset 24500, gossip off), whose
 * route groups by alertname and service into a webhook receiver run by this test. Alerts enter the job through a
 * queue the test fills; the job keeps running between steps, so its re-send timers run as in production. If the
 * Alertmanager cannot start, the test fails with its log.
 */
class AlertmanagerIT {
    private static final int OFFSET = 24500; // SecureStackIT has 24000
    private static final int AM1 = 9095 + OFFSET;
    private static final int AM2 = 9096 + OFFSET;
    private static final int RECEIVER = 9097 + OFFSET;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Alerts for the running job; a null-rule alert ends the job's input. */
    static final BlockingQueue<Alert> INPUT = new LinkedBlockingQueue<>();

    private final Path dir = Path.of("target", "it-alertmanager");
    private final List<JsonNode> fromAlertmanager = new CopyOnWriteArrayList<>();
    private final List<String[]> fromVigil = new CopyOnWriteArrayList<>(); // {signature, body}
    private HttpServer receiver;
    private Process am1;
    private Process am2;
    private JobClient job;

    @AfterEach
    void stop() throws Exception {
        if (job != null) job.cancel().get(30, TimeUnit.SECONDS);
        for (Process p : new Process[] {am1, am2}) {
            if (p != null) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (receiver != null) receiver.stop(0);
    }

    @Test
    void alertsReachAlertmanagerGroupResolveAndSurviveRestartsAndOutages() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", RECEIVER), 0);
        receiver.createContext("/alertmanager", ex -> {
            fromAlertmanager.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.createContext("/vigil", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            fromVigil.add(new String[] {ex.getRequestHeaders().getFirst(WebhookPayload.SIGNATURE_HEADER), body});
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        am1 = startAlertmanager("am1", AM1);

        Files.createDirectories(dir);
        Path secret = dir.resolve("webhook-secret");
        Files.writeString(secret, "s3cret\n");
        NotifyConfig am = NotifyConfig.alertmanager("http://127.0.0.1:" + AM1, "http://127.0.0.1:" + AM2);
        am.resendInterval = Duration.ofSeconds(2); // AM2 is down at start: only re-sends can reach it
        am.maxRetries = 1;
        am.generatorUrl = "https://git.example.com/rules/{rule}.yaml";
        NotifyConfig hook = NotifyConfig.webhook("http://127.0.0.1:" + RECEIVER + "/vigil");
        hook.secretFile = secret.toString();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<Alert> alerts = env.fromSequence(0, Long.MAX_VALUE)
                .map(new TakeAlert(), TypeInformation.of(Alert.class))
                .filter(a -> a.ruleId != null);
        alerts.sinkTo(new AlertmanagerSink(am)).uid("alerts-alertmanager");
        alerts.sinkTo(new WebhookSink(hook)).uid("alerts-webhook");
        job = env.executeAsync("alertmanager-it");

        long now = System.currentTimeMillis();
        Alert checkout = alert("checkout-p95", "checkout", now);
        INPUT.add(checkout);
        INPUT.add(alert("checkout-p95", "payments", now));

        // 1. Both alerts in the Alertmanager, with the mapped labels and annotations.
        JsonNode active = await("both alerts active in am1", () -> activeAlerts(AM1, 2));
        JsonNode c = byService(active, "checkout");
        JsonNode labels = c.path("labels");
        assertEquals("checkout-p95", labels.path("alertname").asText());
        assertEquals("high", labels.path("severity").asText());
        assertEquals("checkout", labels.path("service_name").asText());
        assertEquals("/cart", labels.path("http_route").asText());
        assertEquals("payments-team", labels.path("team").asText());
        assertEquals(
                "https://runbooks.example.com/p95",
                c.path("annotations").path("runbook_url").asText());
        assertEquals("812.5", c.path("annotations").path("observed").asText());
        assertEquals(
                "https://git.example.com/rules/checkout-p95.yaml",
                c.path("generatorURL").asText());
        assertEquals("active", c.path("status").path("state").asText());

        // 2. The route groups by alertname and service: one firing notification per service at the receiver.
        JsonNode group = await("a firing notification for checkout", () -> notification("firing", "checkout"));
        assertEquals(1, group.path("alerts").size());
        assertEquals("checkout-p95", group.path("groupLabels").path("alertname").asText());
        await("a firing notification for payments", () -> notification("firing", "payments"));

        // 3. An Alertmanager that was down when the alerts fired gets them from the re-sends once it is up.
        am2 = startAlertmanager("am2", AM2);
        await("both alerts active in am2 after it came up", () -> activeAlerts(AM2, 2));

        // 4. An Alertmanager restart forgets the alerts (it keeps only silences and its notification log); the
        //    re-sends restore them.
        am1.destroy();
        assertTrue(am1.waitFor(20, TimeUnit.SECONDS), "am1 did not stop");
        am1 = startAlertmanager("am1-restarted", AM1);
        await("both alerts restored in am1 after its restart", () -> activeAlerts(AM1, 2));

        // 5. The resolve ends the alert (endsAt) and reaches the receiver as a resolved notification.
        INPUT.add(resolved(checkout, System.currentTimeMillis()));
        JsonNode resolvedGroup =
                await("a resolved notification for checkout", () -> notification("resolved", "checkout"));
        JsonNode ended = resolvedGroup.path("alerts").get(0);
        assertTrue(
                !Instant.parse(ended.path("endsAt").asText()).isAfter(Instant.now()),
                "a resolved alert ends in the past: " + ended);
        await("only payments still active in am1", () -> {
            JsonNode a = activeAlerts(AM1, 1);
            return a != null && byService(a, "payments") != null ? a : null;
        });

        // 6. Vigil's own webhook: one signed POST per state change (two firing, one resolved), Alertmanager-shaped.
        await("three webhook posts from Vigil", () -> fromVigil.size() >= 3 ? fromVigil : null);
        for (String[] post : fromVigil) {
            assertEquals(
                    WebhookPayload.signature(
                            "s3cret".getBytes(StandardCharsets.UTF_8), post[1].getBytes(StandardCharsets.UTF_8)),
                    post[0]);
            JsonNode p = JSON.readTree(post[1]);
            assertEquals("4", p.path("version").asText());
        }
        assertEquals(
                List.of("firing", "firing", "resolved"),
                fromVigil.stream().map(p -> read(p[1]).path("status").asText()).toList());
        assertEquals(3, fromVigil.size(), "the webhook gets no re-sends");
    }

    /** The job's source: blocks for the test's next alert (polling, so a cancel stops it). */
    static final class TakeAlert implements MapFunction<Long, Alert> {
        private static final long serialVersionUID = 1L;

        @Override
        public Alert map(Long ignored) throws Exception {
            while (true) {
                Alert a = INPUT.poll(100, TimeUnit.MILLISECONDS);
                if (a != null) return a;
            }
        }
    }

    private static Alert alert(String rule, String service, long now) {
        Alert a = new Alert();
        a.ruleId = rule;
        a.ruleName = "Latency p95";
        a.kind = "threshold";
        a.severity = "high";
        a.service = service;
        a.key = rule + "|" + service;
        a.keyFields.put("service.name", service);
        a.keyFields.put("http.route", "/cart");
        a.enrichment.put("team", "payments-team");
        a.enrichment.put("runbook", "https://runbooks.example.com/p95");
        a.id = rule + "-" + service + "-" + now;
        a.incidentId = a.id;
        a.windowStart = now - 60_000;
        a.windowEnd = now;
        a.eventTime = now;
        a.observed = 812.5;
        a.expected = 500;
        a.comparison = ">";
        a.message = "p95 latency 812.5 ms > 500 ms on " + service;
        return a;
    }

    private static Alert resolved(Alert firing, long now) {
        Alert r = alert(firing.ruleId, firing.service, now);
        r.status = Alert.RESOLVED;
        r.id = firing.id + "-resolved";
        r.incidentId = firing.incidentId;
        r.observed = 300;
        r.message = "Resolved: " + r.message;
        return r;
    }

    private Process startAlertmanager(String name, int port) throws Exception {
        Path home = dir.resolve(name);
        // A fresh data folder: the notification log of an earlier run would make Alertmanager skip, as already sent,
        // the notifications this run waits for (repeat_interval is an hour).
        LocalStack.deleteTree(home);
        Files.createDirectories(home.resolve("data"));
        Path config = home.resolve("alertmanager.yml");
        Files.writeString(config, """
                route:
                  receiver: it
                  group_by: [alertname, service]
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: it
                    webhook_configs:
                      - url: http://127.0.0.1:%d/alertmanager
                        send_resolved: true
                """.formatted(RECEIVER));
        Path log = home.resolve("alertmanager.log");
        Process p = new ProcessBuilder(
                        "/usr/bin/prometheus-alertmanager",
                        "--config.file=" + config,
                        "--storage.path=" + home.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--cluster.listen-address=")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) fail("Alertmanager " + name + " exited: " + Files.readString(log));
            try {
                if (HTTP.send(
                                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return p;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        p.destroy();
        throw new AssertionError("Alertmanager " + name + " not ready in 30 s: " + Files.readString(log));
    }

    /** The active alerts of an Alertmanager if there are exactly {@code n}, else null. */
    private static JsonNode activeAlerts(int port, int n) {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/api/v2/alerts?active=true&silenced=false"
                                            + "&inhibited=false&unprocessed=true"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode alerts = JSON.readTree(r.body());
            int active = 0;
            for (JsonNode a : alerts) {
                if (Instant.parse(a.path("endsAt").asText()).isAfter(Instant.now())) active++;
            }
            return active == n && alerts.size() == n ? alerts : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static JsonNode byService(JsonNode alerts, String service) {
        for (JsonNode a : alerts) {
            if (service.equals(a.path("labels").path("service").asText())) return a;
        }
        return null;
    }

    private JsonNode notification(String status, String service) {
        for (JsonNode n : fromAlertmanager) {
            if (status.equals(n.path("status").asText())
                    && service.equals(n.path("groupLabels").path("service").asText())) {
                return n;
            }
        }
        return null;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
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
