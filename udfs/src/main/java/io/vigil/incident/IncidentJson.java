package io.vigil.incident;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vigil.alert.AlertJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The incident wire format, version {@value #SCHEMA_VERSION}: ECS names where they fit ({@code @timestamp} = first
 * seen, {@code message} = title, {@code event.id}, {@code event.severity}, {@code service.name}) and the incident under
 * {@code incident.*}. Times are ISO-8601 UTC. Each revision is a whole document; the latest revision of an id wins.
 */
public final class IncidentJson {
    public static final int SCHEMA_VERSION = 1;

    private static final JsonFactory JSON = new JsonFactory();

    private IncidentJson() {}

    public static byte[] toBytes(Incident i) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(i, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static void write(Incident i, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("@timestamp", time(i.firstSeen));
        g.writeStringField("message", i.title);
        g.writeObjectFieldStart("event");
        g.writeStringField("kind", "incident");
        g.writeStringField("id", i.id);
        g.writeNumberField("severity", AlertJson.severityNumber(i.severity));
        g.writeStringField("start", time(i.firstSeen));
        if (i.resolvedAt > 0) {
            g.writeStringField("end", time(i.resolvedAt));
        }
        g.writeEndObject();
        if ("service.name".equals(i.groupField)) {
            g.writeObjectFieldStart("service");
            g.writeStringField("name", i.groupValue);
            g.writeEndObject();
        }
        g.writeObjectFieldStart("incident");
        g.writeNumberField("schema_version", SCHEMA_VERSION);
        g.writeStringField("id", i.id);
        g.writeStringField("status", i.status);
        g.writeStringField("severity", i.severity);
        g.writeStringField("title", i.title);
        g.writeObjectFieldStart("group");
        g.writeStringField("field", i.groupField);
        g.writeStringField("value", i.groupValue);
        g.writeEndObject();
        g.writeStringField("first_seen", time(i.firstSeen));
        g.writeStringField("last_seen", time(i.lastSeen));
        if (i.resolvedAt > 0) {
            g.writeStringField("resolved_at", time(i.resolvedAt));
        }
        g.writeNumberField("revision", i.revision);
        g.writeNumberField("alert_count", i.alertCount);
        strings(g, "alert_ids", i.alertIds);
        strings(g, "rule_ids", i.ruleIds);
        if (i.suspectedCause != null) {
            SuspectedCause c = i.suspectedCause;
            g.writeObjectFieldStart("suspected_cause");
            g.writeStringField("alert_id", c.alertId);
            g.writeStringField("rule_id", c.ruleId);
            g.writeStringField("time", time(c.time));
            g.writeStringField("message", c.message);
            g.writeEndObject();
        }
        g.writeArrayFieldStart("timeline");
        for (TimelineEntry e : i.timeline) {
            g.writeStartObject();
            g.writeStringField("time", time(e.time));
            g.writeStringField("type", e.type);
            if (e.alertId != null) {
                g.writeStringField("alert_id", e.alertId);
                g.writeStringField("rule_id", e.ruleId);
            }
            if (e.severity != null) {
                g.writeStringField("severity", e.severity);
            }
            if (e.message != null) {
                g.writeStringField("message", e.message);
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("timeline_omitted", i.timelineOmitted);
        g.writeArrayFieldStart("error_logs");
        for (String log : i.errorLogs) {
            g.writeRawValue(log);
        }
        g.writeEndArray();
        strings(g, "trace_ids", i.traceIds);
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void strings(JsonGenerator g, String field, java.util.List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
