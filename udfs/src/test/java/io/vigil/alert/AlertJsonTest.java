package io.vigil.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The alert wire format: ECS names, Vigil's fields under vigil.*, and a lossless round trip. */
class AlertJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T = 1_793_586_000_000L; // 2026-11-02T02:20:00Z

    static Alert sample() {
        Alert a = new Alert();
        a.ruleId = "ssh-brute-force";
        a.ruleName = "SSH brute force";
        a.kind = "frequency";
        a.severity = "high";
        a.key = "ssh-brute-force\u001f203.0.113.45\u001fbastion-1";
        a.keyFields.put("source.ip", "203.0.113.45");
        a.keyFields.put("host.name", "bastion-1");
        a.keyFields.put("service.name", "sshd");
        a.service = "sshd";
        a.windowStart = T - 60_000;
        a.windowEnd = T;
        a.id = AlertIds.of(a.ruleId, a.key, a.windowStart, a.windowEnd);
        a.incidentId = a.id;
        a.observed = 152;
        a.expected = 20.5;
        a.comparison = ">=";
        a.message = "152 failed logins from 203.0.113.45";
        a.evidence.add(TelemetryJson.write(Telemetry.log(T - 1000, "sshd", "WARN", "Failed password for root")
                .attr("source.ip", "203.0.113.45")));
        a.labels.put("category", "security");
        a.annotations.put("summary", a.message);
        a.enrichment.put("team", "secops");
        a.eventTime = T;
        a.processingTime = T + 1234;
        a.suppressed = 3;
        return a;
    }

    @Test
    void ecsFieldNames() throws Exception {
        JsonNode n = JSON.readTree(AlertJson.toBytes(sample()));
        assertEquals("2026-11-02T02:20:00Z", n.get("@timestamp").asText());
        assertEquals("alert", n.at("/event/kind").asText());
        assertEquals(sample().id, n.at("/event/id").asText());
        assertEquals(73, n.at("/event/severity").asInt());
        assertTrue(n.at("/event/severity").isInt());
        assertEquals("2026-11-02T02:19:00Z", n.at("/event/start").asText());
        assertEquals("2026-11-02T02:20:00Z", n.at("/event/end").asText());
        assertEquals("ssh-brute-force", n.at("/rule/id").asText());
        assertEquals("SSH brute force", n.at("/rule/name").asText());
        assertEquals("frequency", n.at("/rule/category").asText());
        assertEquals("sshd", n.at("/service/name").asText());
        assertEquals("152 failed logins from 203.0.113.45", n.get("message").asText());
        assertEquals("security", n.at("/labels/category").asText());
        assertEquals(AlertJson.SCHEMA_VERSION, n.at("/vigil/schema_version").asInt());
        assertEquals(1, n.at("/vigil/schema_version").asInt());
        assertEquals("firing", n.at("/vigil/status").asText());
        assertEquals(152.0, n.at("/vigil/observed").asDouble());
        assertEquals(3, n.at("/vigil/suppressed").asInt());
    }

    @Test
    void keyFieldsAppearAsNestedEcsObjects() throws Exception {
        JsonNode n = JSON.readTree(AlertJson.toBytes(sample()));
        assertEquals("203.0.113.45", n.at("/source/ip").asText());
        assertEquals("bastion-1", n.at("/host/name").asText());
        assertEquals(1, n.get("service").size(), "service.name is written once, not again from the key fields");
        assertEquals("203.0.113.45", n.at("/vigil/key_fields/source.ip").asText());
    }

    @Test
    void evidenceIsEmbeddedAsJsonObjects() throws Exception {
        JsonNode n = JSON.readTree(AlertJson.toBytes(sample()));
        JsonNode e = n.at("/vigil/evidence/0");
        assertTrue(e.isObject());
        assertEquals("203.0.113.45", e.at("/attributes/source.ip").asText());
    }

    @Test
    void severitiesSortAsNumbers() {
        assertEquals(99, AlertJson.severityNumber("critical"));
        assertEquals(73, AlertJson.severityNumber("high"));
        assertEquals(47, AlertJson.severityNumber("medium"));
        assertEquals(21, AlertJson.severityNumber("low"));
        assertEquals(1, AlertJson.severityNumber("info"));
        assertEquals(0, AlertJson.severityNumber(null));
    }

    @Test
    void inhibitionAndSilenceMarksAreWrittenOnlyWhenSetAndReadBack() {
        Alert a = sample();
        assertEquals(false, AlertJson.toJson(a).contains("inhibited_by"));
        assertEquals(false, AlertJson.toJson(a).contains("silenced_by"));
        a.inhibitedBy = "slo-payments-availability-1";
        a.silencedBy = "db-migration,weekend";
        Alert marked = AlertJson.fromBytes(AlertJson.toBytes(a));
        assertEquals(a.inhibitedBy, marked.inhibitedBy);
        assertEquals(a.silencedBy, marked.silencedBy);
    }

    @Test
    void roundTripKeepsEveryWireField() {
        Alert a = sample();
        Alert b = AlertJson.fromBytes(AlertJson.toBytes(a));
        assertEquals(a.id, b.id);
        assertEquals(a.incidentId, b.incidentId);
        assertEquals(a.ruleId, b.ruleId);
        assertEquals(a.ruleName, b.ruleName);
        assertEquals(a.kind, b.kind);
        assertEquals(a.severity, b.severity);
        assertEquals(a.status, b.status);
        assertEquals(a.key, b.key);
        assertEquals(a.keyFields, b.keyFields);
        assertEquals(List.copyOf(a.keyFields.keySet()), List.copyOf(b.keyFields.keySet()));
        assertEquals(a.service, b.service);
        assertEquals(a.windowStart, b.windowStart);
        assertEquals(a.windowEnd, b.windowEnd);
        assertEquals(a.observed, b.observed);
        assertEquals(a.expected, b.expected);
        assertEquals(a.comparison, b.comparison);
        assertEquals(a.message, b.message);
        assertEquals(a.labels, b.labels);
        assertEquals(a.annotations, b.annotations);
        assertEquals(a.enrichment, b.enrichment);

        assertEquals(a.eventTime, b.eventTime);
        assertEquals(a.processingTime, b.processingTime);
        assertEquals(a.suppressed, b.suppressed);
        assertEquals(a.evidence.size(), b.evidence.size());
        assertEquals(AlertJson.toJson(a), AlertJson.toJson(b), "written again, byte for byte the same");
    }

    @Test
    void aResolvedAlertWithoutServiceOrNumbers() throws Exception {
        Alert a = sample();
        a.status = Alert.RESOLVED;
        a.service = null;
        a.keyFields.remove("service.name");
        a.observed = Double.NaN;
        a.expected = Double.POSITIVE_INFINITY;
        a.comparison = null;
        byte[] bytes = AlertJson.toBytes(a);
        JsonNode n = JSON.readTree(bytes);
        assertFalse(n.has("service"));
        assertTrue(n.at("/vigil/observed").isNull(), "JSON has no NaN");
        assertTrue(n.at("/vigil/expected").isNull());
        assertFalse(n.get("vigil").has("comparison"));
        Alert b = AlertJson.fromBytes(bytes);
        assertEquals(Alert.RESOLVED, b.status);
        assertTrue(Double.isNaN(b.observed));
        assertEquals(null, b.service);
        assertEquals(null, b.comparison);
    }

    @Test
    void keyFieldsThatCollideWithFormatFieldsStayOnlyInVigilKeyFields() throws Exception {
        Alert a = sample();
        a.keyFields.clear();
        a.keyFields.put("event.action", "ssh_login");
        a.keyFields.put("rule.custom", "x");
        a.keyFields.put("user", "no-dot");
        a.keyFields.put("source.geo.country_iso_code", "CN");
        JsonNode n = JSON.readTree(AlertJson.toBytes(a));
        assertEquals("alert", n.at("/event/kind").asText());
        assertFalse(n.get("event").has("action"));
        assertFalse(n.get("rule").has("custom"));
        assertFalse(n.has("user"));
        assertEquals("CN", n.at("/source/geo/country_iso_code").asText(), "deeper ECS names nest all the way");
        assertEquals(
                Map.of(
                        "event.action",
                        "ssh_login",
                        "rule.custom",
                        "x",
                        "user",
                        "no-dot",
                        "source.geo.country_iso_code",
                        "CN"),
                AlertJson.fromBytes(AlertJson.toBytes(a)).keyFields);
    }

    @Test
    void aKeyFieldThatWouldNestUnderAValueIsLeftOut() throws Exception {
        Alert a = sample();
        a.keyFields.clear();
        a.keyFields.put("host.name", "bastion-1");
        a.keyFields.put("host.name.short", "b1");
        a.keyFields.put("host.ip", "10.0.0.1");
        JsonNode n = JSON.readTree(AlertJson.toBytes(a));
        assertEquals("bastion-1", n.at("/host/name").asText());
        assertEquals("10.0.0.1", n.at("/host/ip").asText());
        assertEquals("b1", n.at("/vigil/key_fields/host.name.short").asText());
    }

    @Test
    void textIsUtf8AndEscaped() {
        Alert a = sample();
        a.message = "Läuft \"nicht\"\n— 遅い";
        byte[] bytes = AlertJson.toBytes(a);
        assertTrue(new String(bytes, StandardCharsets.UTF_8).contains("Läuft"));
        assertEquals(a.message, AlertJson.fromBytes(bytes).message);
    }
}
