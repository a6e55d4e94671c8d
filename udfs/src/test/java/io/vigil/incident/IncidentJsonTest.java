package io.vigil.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.sink.search.IncidentDocuments;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The incident wire format and its search documents. */
class IncidentJsonTest {
    private static final long T0 = 1_793_577_600_000L; // 2026-11-02T00:00:00Z

    private static Incident incident() {
        Incident i = new Incident();
        i.id = "incident-0123456789abcdef0123";
        i.groupField = "service.name";
        i.groupValue = "checkout";
        i.severity = "critical";
        i.title = "p95 latency of checkout is 557.6 ms (bound 500 ms)";
        i.firstSeen = T0;
        i.lastSeen = T0 + 600_000L;
        i.revision = 3;
        i.alertIds.add("service-latency-p95-1");
        i.alertCount = 1;
        i.ruleIds.add("service-latency-p95");
        SuspectedCause c = new SuspectedCause();
        c.alertId = "service-version-change-1";
        c.ruleId = "service-version-change";
        c.time = T0 - 360_000L;
        c.message = "New version of checkout: service.version changed from 1.8.0 to 1.9.0";
        i.suspectedCause = c;
        i.timeline.add(TimelineEntry.of(
                T0, TimelineEntry.FIRING, "service-latency-p95-1", "service-latency-p95", "high", "p95 latency"));
        i.errorLogs.add(
                "{\"signal\":\"log\",\"timestamp\":1793577600000,\"trace_id\":\"5b8efff798038103d269b633813fc60c\"}");
        i.traceIds.add("5b8efff798038103d269b633813fc60c");
        return i;
    }

    @Test
    void anOpenIncidentIsWrittenWithItsCauseTimelineAndSamples() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(IncidentJson.toBytes(incident()));
        assertEquals("2026-11-02T00:00:00Z", doc.path("@timestamp").asText());
        assertEquals("incident", doc.path("event").path("kind").asText());
        assertEquals(99, doc.path("event").path("severity").asInt());
        assertFalse(doc.path("event").has("end"), "an open incident has no end");
        assertEquals("checkout", doc.path("service").path("name").asText());
        JsonNode i = doc.path("incident");
        assertEquals("open", i.path("status").asText());
        assertEquals(3, i.path("revision").asLong());
        assertEquals(
                "service-version-change-1",
                i.path("suspected_cause").path("alert_id").asText());
        assertEquals(
                "2026-11-01T23:54:00Z", i.path("suspected_cause").path("time").asText());
        assertEquals("firing", i.path("timeline").get(0).path("type").asText());
        assertEquals(
                "5b8efff798038103d269b633813fc60c",
                i.path("error_logs").get(0).path("trace_id").asText(),
                "error logs are embedded as JSON objects, not strings");
        assertEquals(
                List.of("5b8efff798038103d269b633813fc60c"),
                List.of(i.path("trace_ids").get(0).asText()));
    }

    @Test
    void everyRevisionOfAnIncidentIsOneDocumentInTheIndexOfItsFirstDay() {
        Incident i = incident();
        IncidentDocuments docs = new IncidentDocuments("vigil");
        String index = docs.index(i);
        i.lastSeen = T0 + 2 * 86_400_000L; // still going two days later: same document
        i.revision++;
        assertEquals("vigil-incidents-2026.11.02", index);
        assertEquals(index, docs.index(i));
        assertEquals(i.id, docs.id(i));
    }
}
