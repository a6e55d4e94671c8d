package io.vigil.sink.notify;

import static io.vigil.sink.notify.NotifyAlerts.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.model.Alert;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookPayloadTest {
    @TempDir
    Path dir;

    @Test
    void payloadHasAlertmanagersWebhookShape() {
        NotifyConfig c = NotifyConfig.webhook("http://127.0.0.1:1/hook");
        Alert f = NotifyAlerts.firing("p95", "checkout");
        JsonNode p = WebhookPayload.payload(f, c);
        assertEquals("4", p.path("version").asText());
        assertEquals("firing", p.path("status").asText());
        assertEquals("vigil", p.path("receiver").asText());
        assertEquals("vigil:" + f.incidentId, p.path("groupKey").asText());
        assertEquals("p95", p.path("groupLabels").path("alertname").asText());
        assertEquals("checkout", p.path("commonLabels").path("service_name").asText());
        assertEquals(
                "Checkout p95 latency",
                p.path("commonAnnotations").path("summary").asText());
        JsonNode alert = p.path("alerts").get(0);
        assertEquals("firing", alert.path("status").asText());
        assertEquals("0001-01-01T00:00:00Z", alert.path("endsAt").asText());
        assertEquals(16, alert.path("fingerprint").asText().length());

        JsonNode r = WebhookPayload.payload(NotifyAlerts.resolved(f, T0 + 600_000), c);
        assertEquals("resolved", r.path("status").asText());
        assertEquals(p.path("groupKey"), r.path("groupKey"));
        assertEquals(alert.path("fingerprint"), r.path("alerts").get(0).path("fingerprint"));
        assertEquals(
                "2026-05-28T20:36:40Z", r.path("alerts").get(0).path("endsAt").asText());
    }

    @Test
    void anAlertGroupedIntoAnIncidentIsInTheIncidentsGroup() {
        NotifyConfig c = NotifyConfig.webhook("http://127.0.0.1:1/hook");
        Alert p95 = NotifyAlerts.firing("p95", "checkout");
        Alert slo = NotifyAlerts.firing("slo-checkout-latency", "checkout");
        p95.incident = "inc-7";
        slo.incident = "inc-7";
        JsonNode a = WebhookPayload.payload(p95, c);
        JsonNode b = WebhookPayload.payload(slo, c);
        assertEquals("vigil:inc-7", a.path("groupKey").asText());
        assertEquals(a.path("groupKey"), b.path("groupKey"));
        assertEquals("inc-7", a.path("groupLabels").path("incident").asText());
        assertEquals("checkout", a.path("groupLabels").path("service").asText());
        assertEquals("inc-7", a.path("commonLabels").path("incident").asText());
        assertNotEquals(
                a.path("alerts").get(0).path("fingerprint"),
                b.path("alerts").get(0).path("fingerprint"));
    }

    @Test
    void signatureIsHmacSha256OfTheBodyInHex() throws Exception {
        // RFC 4231 test case 2.
        assertEquals(
                "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                WebhookPayload.signature(
                        "Jefe".getBytes(StandardCharsets.UTF_8),
                        "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)));
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "Jefe\n");
        NotifyConfig c = NotifyConfig.webhook("http://127.0.0.1:1/hook");
        c.secretFile = secret.toString();
        var post = WebhookPayload.notifications(c.validate())
                .of(NotifyAlerts.firing("p95", "checkout"), T0)
                .get(0);
        assertEquals(
                WebhookPayload.signature("Jefe".getBytes(StandardCharsets.UTF_8), post.body()),
                post.headers().get(WebhookPayload.SIGNATURE_HEADER));
        assertNotEquals(
                WebhookPayload.signature("Jefe!".getBytes(StandardCharsets.UTF_8), post.body()),
                post.headers().get(WebhookPayload.SIGNATURE_HEADER));
    }

    @Test
    void fingerprintIsTheOneAlertmanagerGives() {
        // Alertmanager 0.25 (Debian) answered fingerprint 823de09697ca9348 for {alertname="Test", severity="page"}.
        var labels = new java.util.TreeMap<String, String>(java.util.Map.of("alertname", "Test", "severity", "page"));
        assertEquals("823de09697ca9348", WebhookPayload.fingerprint(labels));
    }
}
