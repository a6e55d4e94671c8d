package io.vigil.sink.notify;

import static io.vigil.sink.notify.NotifyAlerts.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.model.Alert;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertmanagerPayloadTest {
    private final NotifyConfig config = NotifyConfig.alertmanager("http://127.0.0.1:9093");

    @Test
    void labelsNameTheRuleSeverityKeyFieldsTeamAndRuleLabelsWithSafeNames() {
        Alert a = NotifyAlerts.firing("checkout-p95", "checkout");
        a.keyFields.put("9lives", "x");
        a.keyFields.put("empty", "");
        Map<String, String> labels = AlertmanagerPayload.labels(a);
        assertEquals("checkout-p95", labels.get("alertname"));
        assertEquals("high", labels.get("severity"));
        assertEquals("checkout", labels.get("service_name"));
        assertEquals("/cart", labels.get("http_route"));
        assertEquals("x", labels.get("_9lives"));
        assertEquals("payments", labels.get("team"));
        assertEquals("alice", labels.get("owner"));
        assertEquals("1", labels.get("tier"));
        assertEquals("checkout", labels.get("service"));
        assertFalse(labels.containsKey("empty"), "an empty value is an absent label in Prometheus' model");
        for (String name : labels.keySet()) {
            assertTrue(name.matches("[a-zA-Z_][a-zA-Z0-9_]*"), name);
        }
    }

    @Test
    void labelsStayTheSameFromFiringToResolvedSoTheAlertmanagerMatchesThem() {
        Alert f = NotifyAlerts.firing("checkout-p95", "checkout");
        assertEquals(AlertmanagerPayload.labels(f), AlertmanagerPayload.labels(NotifyAlerts.resolved(f, T0 + 600_000)));
    }

    @Test
    void anAlertGroupedIntoAnIncidentNamesItAsTheIncidentLabel() {
        Alert f = NotifyAlerts.firing("checkout-p95", "checkout");
        assertFalse(AlertmanagerPayload.labels(f).containsKey("incident"), "an alert without incident has no label");
        f.incident = "inc-7";
        f.annotations.put("suspected_cause", "New version of checkout");
        Alert r = NotifyAlerts.resolved(f, T0 + 600_000);
        r.incident = "inc-7";
        JsonNode firing = AlertmanagerPayload.alert(f, config, T0);
        assertEquals("inc-7", firing.path("labels").path("incident").asText());
        assertEquals(
                "New version of checkout",
                firing.path("annotations").path("suspected_cause").asText());
        assertEquals(AlertmanagerPayload.labels(f), AlertmanagerPayload.labels(r));
    }

    @Test
    void annotationsCarrySummaryDescriptionRunbookAndValues() {
        Map<String, String> ann = AlertmanagerPayload.annotations(NotifyAlerts.firing("checkout-p95", "checkout"));
        assertEquals("Checkout p95 latency", ann.get("summary"));
        assertEquals("p95 latency 812.5 ms > 500 ms", ann.get("description"));
        assertEquals("https://runbooks.example.com/checkout", ann.get("runbook_url"));
        assertEquals("812.5", ann.get("observed"));
        assertEquals("> 500", ann.get("expected"));
        assertEquals("https://grafana.example.com/d/1", ann.get("dashboard"));
        assertEquals("checkout-p95-checkout-1", ann.get("incident_id"));
    }

    @Test
    void firingEndsFourResendIntervalsFromNowAndResolvedEndsAtItsEventTime() {
        config.resendInterval = Duration.ofSeconds(30);
        config.generatorUrl = "https://git.example.com/rules/{rule}.yaml";
        long now = T0 + 3_600_000;
        Alert f = NotifyAlerts.firing("checkout-p95", "checkout");
        JsonNode firing = AlertmanagerPayload.alert(f, config, now);
        assertEquals(
                Instant.ofEpochMilli(T0).toString(), firing.path("startsAt").asText());
        assertEquals(
                Instant.ofEpochMilli(now + 120_000).toString(),
                firing.path("endsAt").asText());
        assertEquals(
                "https://git.example.com/rules/checkout-p95.yaml",
                firing.path("generatorURL").asText());

        JsonNode resolved = AlertmanagerPayload.alert(NotifyAlerts.resolved(f, T0 + 600_000), config, now);
        assertEquals(
                Instant.ofEpochMilli(T0 + 600_000).toString(),
                resolved.path("endsAt").asText());
        assertTrue(Instant.parse(resolved.path("startsAt").asText())
                .isBefore(Instant.parse(resolved.path("endsAt").asText())));
    }

    @Test
    void noGeneratorUrlWithoutATemplate() {
        JsonNode a = AlertmanagerPayload.alert(NotifyAlerts.firing("r", "s"), config, T0);
        assertTrue(a.path("generatorURL").isMissingNode());
    }

    @Test
    void oneArrayPostPerAlertmanager() {
        NotifyConfig two = NotifyConfig.alertmanager("http://a:9093/", "http://b:9093");
        var posts = AlertmanagerPayload.notifications(two).of(NotifyAlerts.firing("r", "s"), T0);
        assertEquals(2, posts.size());
        assertEquals("http://a:9093/api/v2/alerts", posts.get(0).url().toString());
        assertEquals("http://b:9093/api/v2/alerts", posts.get(1).url().toString());
        assertTrue(new String(posts.get(0).body(), java.nio.charset.StandardCharsets.UTF_8).startsWith("[{"));
    }
}
