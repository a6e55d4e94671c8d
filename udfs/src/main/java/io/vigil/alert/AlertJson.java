package io.vigil.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.model.Alert;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The alert wire format, version {@value #SCHEMA_VERSION}: Elastic Common Schema names where ECS has one
 * ({@code @timestamp}, {@code event.kind: alert}, {@code event.severity}, {@code rule.id}, {@code rule.name},
 * {@code service.name}, {@code message}, {@code labels}, and key fields such as {@code source.ip} as nested objects),
 * and Vigil's own fields under {@code vigil.*}. Consumers should check {@code vigil.schema_version}.
 */
public final class AlertJson {
    public static final int SCHEMA_VERSION = 1;
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Top-level objects this format writes itself; key fields under these names stay only in vigil.key_fields. */
    private static final Set<String> RESERVED =
            Set.of("@timestamp", "event", "rule", "message", "labels", "vigil", "service");

    private AlertJson() {}

    /** ECS event.severity as a number, so severities sort: info 1, low 21, medium 47, high 73, critical 99. */
    public static int severityNumber(String severity) {
        if (severity == null) {
            return 0;
        }
        switch (severity) {
            case "critical":
                return 99;
            case "high":
                return 73;
            case "medium":
                return 47;
            case "low":
                return 21;
            default:
                return 1;
        }
    }

    public static byte[] toBytes(Alert a) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(a, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String toJson(Alert a) {
        return new String(toBytes(a), java.nio.charset.StandardCharsets.UTF_8);
    }

    public static void write(Alert a, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("@timestamp", Instant.ofEpochMilli(a.eventTime).toString());
        g.writeStringField("message", a.message);
        g.writeObjectFieldStart("event");
        g.writeStringField("kind", "alert");
        g.writeStringField("id", a.id);
        g.writeNumberField("severity", severityNumber(a.severity));
        g.writeStringField("start", Instant.ofEpochMilli(a.windowStart).toString());
        g.writeStringField("end", Instant.ofEpochMilli(a.windowEnd).toString());
        g.writeStringField("created", Instant.ofEpochMilli(a.processingTime).toString());
        g.writeEndObject();
        g.writeObjectFieldStart("rule");
        g.writeStringField("id", a.ruleId);
        g.writeStringField("name", a.ruleName);
        g.writeStringField("category", a.kind);
        g.writeEndObject();
        if (a.service != null) {
            g.writeObjectFieldStart("service");
            g.writeStringField("name", a.service);
            g.writeEndObject();
        }
        writeNested(g, a.keyFields);
        writeMap(g, "labels", a.labels);
        g.writeObjectFieldStart("vigil");
        g.writeNumberField("schema_version", SCHEMA_VERSION);
        g.writeStringField("status", a.status);
        g.writeStringField("incident_id", a.incidentId);
        g.writeStringField("severity", a.severity);
        g.writeStringField("key", a.key);
        writeMap(g, "key_fields", a.keyFields);
        g.writeNumberField("window_start", a.windowStart);
        g.writeNumberField("window_end", a.windowEnd);
        writeNumber(g, "observed", a.observed);
        writeNumber(g, "expected", a.expected);
        if (a.comparison != null) {
            g.writeStringField("comparison", a.comparison);
        }
        g.writeNumberField("event_time", a.eventTime);
        g.writeNumberField("processing_time", a.processingTime);
        g.writeNumberField("suppressed", a.suppressed);
        if (a.inhibitedBy != null) {
            g.writeStringField("inhibited_by", a.inhibitedBy);
        }
        if (a.silencedBy != null) {
            g.writeStringField("silenced_by", a.silencedBy);
        }
        writeMap(g, "annotations", a.annotations);
        writeMap(g, "enrichment", a.enrichment);
        g.writeArrayFieldStart("evidence");
        for (String e : a.evidence) {
            g.writeRawValue(e);
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeNumber(JsonGenerator g, String name, double v) throws IOException {
        if (Double.isFinite(v)) {
            g.writeNumberField(name, v);
        } else {
            g.writeNullField(name);
        }
    }

    private static void writeMap(JsonGenerator g, String name, Map<String, String> m) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, String> e : m.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    /**
     * Key fields with ECS-style dotted names as nested objects ({@code source.geo.country_iso_code} becomes
     * {@code source: {geo: {country_iso_code: ...}}}). A name that would clash with a value already placed there
     * ({@code a.b} and {@code a.b.c}) stays only in {@code vigil.key_fields}.
     */
    private static void writeNested(JsonGenerator g, Map<String, String> fields) throws IOException {
        Map<String, Object> root = new TreeMap<>();
        for (Map.Entry<String, String> e : fields.entrySet()) {
            String[] parts = e.getKey().split("\\.", -1);
            if (parts.length < 2
                    || RESERVED.contains(parts[0])
                    || Arrays.asList(parts).contains("")) {
                continue;
            }
            place(root, parts, e.getValue());
        }
        writeTree(g, root);
    }

    @SuppressWarnings("unchecked")
    private static void place(Map<String, Object> root, String[] parts, String value) {
        Map<String, Object> node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            Object child = node.get(parts[i]);
            if (child == null) {
                child = new TreeMap<String, Object>();
                node.put(parts[i], child);
            } else if (!(child instanceof Map)) {
                return; // a value sits where this name needs an object
            }
            node = (Map<String, Object>) child;
        }
        node.putIfAbsent(parts[parts.length - 1], value);
    }

    @SuppressWarnings("unchecked")
    private static void writeTree(JsonGenerator g, Map<String, Object> tree) throws IOException {
        for (Map.Entry<String, Object> e : tree.entrySet()) {
            if (e.getValue() instanceof Map) {
                g.writeObjectFieldStart(e.getKey());
                writeTree(g, (Map<String, Object>) e.getValue());
                g.writeEndObject();
            } else {
                g.writeStringField(e.getKey(), (String) e.getValue());
            }
        }
    }

    /** Reads an alert written by {@link #toBytes}. */
    public static Alert fromBytes(byte[] bytes) {
        try {
            JsonNode n = MAPPER.readTree(bytes);
            JsonNode v = n.path("vigil");
            Alert a = new Alert();
            a.id = n.path("event").path("id").asText(null);
            a.message = n.path("message").asText(null);
            a.ruleId = n.path("rule").path("id").asText(null);
            a.ruleName = n.path("rule").path("name").asText(null);
            a.kind = n.path("rule").path("category").asText(null);
            a.service = n.path("service").path("name").asText(null);
            a.status = v.path("status").asText(null);
            a.incidentId = v.path("incident_id").asText(null);
            a.severity = v.path("severity").asText(null);
            a.key = v.path("key").asText(null);
            a.windowStart = v.path("window_start").asLong();
            a.windowEnd = v.path("window_end").asLong();
            a.observed = v.path("observed").isNumber() ? v.path("observed").asDouble() : Double.NaN;
            a.expected = v.path("expected").isNumber() ? v.path("expected").asDouble() : Double.NaN;
            a.comparison = v.path("comparison").asText(null);
            a.eventTime = v.path("event_time").asLong();
            a.processingTime = v.path("processing_time").asLong();
            a.suppressed = v.path("suppressed").asLong();
            a.inhibitedBy = v.path("inhibited_by").asText(null);
            a.silencedBy = v.path("silenced_by").asText(null);
            readMap(v.path("key_fields"), a.keyFields);
            readMap(n.path("labels"), a.labels);
            readMap(v.path("annotations"), a.annotations);
            readMap(v.path("enrichment"), a.enrichment);
            for (JsonNode e : v.path("evidence")) {
                a.evidence.add(e.toString());
            }
            return a;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void readMap(JsonNode n, Map<String, String> into) {
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            into.put(e.getKey(), e.getValue().asText());
        }
    }
}
