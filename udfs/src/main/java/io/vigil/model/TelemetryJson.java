package io.vigil.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes a {@link Telemetry} record as canonical JSON (the format documented in the README and in
 * {@code udfs/src/main/resources/schema/telemetry.schema.json}). Used for alert evidence, the generator and logs.
 */
public final class TelemetryJson {
    private static final JsonFactory JSON = new JsonFactory();

    private TelemetryJson() {}

    public static String write(Telemetry t) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(t, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static void write(Telemetry t, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("signal", t.signal == null ? null : t.signal.wireName());
        g.writeNumberField("timestamp", t.timestamp);
        writeMap(g, "resource", t.resource);
        if (t.attributes != null && !t.attributes.isEmpty()) {
            writeMap(g, "attributes", t.attributes);
        }
        if (t.name != null) {
            g.writeStringField("name", t.name);
        }
        if (t.signal == Signal.METRIC) {
            g.writeNumberField("value", t.value);
            if (t.unit != null) {
                g.writeStringField("unit", t.unit);
            }
            if (t.metricType != null) {
                g.writeStringField("metric_type", t.metricType.wireName());
            }
            if (t.metricType == MetricType.HISTOGRAM) {
                g.writeNumberField("count", t.count);
                g.writeNumberField("sum", t.sum);
                g.writeNumberField("min", t.min);
                g.writeNumberField("max", t.max);
            }
        }
        if (t.severity != null) {
            g.writeStringField("severity", t.severity);
        }
        if (t.severityNumber != 0) {
            g.writeNumberField("severity_number", t.severityNumber);
        }
        if (t.body != null) {
            g.writeStringField("body", t.body);
        }
        // Log records carry the trace and span they were written in (OpenTelemetry's log data model): kept, so the
        // evidence of an alert leads to the failed request's trace.
        if (t.traceId != null) {
            g.writeStringField("trace_id", t.traceId);
        }
        if (t.spanId != null) {
            g.writeStringField("span_id", t.spanId);
        }
        if (t.signal == Signal.SPAN) {
            if (t.parentSpanId != null) {
                g.writeStringField("parent_span_id", t.parentSpanId);
            }
            if (t.kind != null) {
                g.writeStringField("kind", t.kind);
            }
            if (t.status != null) {
                g.writeStringField("status", t.status);
            }
            g.writeNumberField("duration_ms", t.durationMs);
        }
        g.writeEndObject();
    }

    private static void writeMap(JsonGenerator g, String field, Map<String, String> m) throws IOException {
        g.writeObjectFieldStart(field);
        if (m != null) {
            for (Map.Entry<String, String> e : m.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
        }
        g.writeEndObject();
    }
}
