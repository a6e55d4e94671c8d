package io.vigil.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One canonical telemetry record: a metric point, a log record, a span or an event.
 *
 * <p>Never changed once decoded (operators after the decoder only read records, see {@link TelemetrySerializer}).
 * Serialized by the hand-written {@link TelemetrySerializer} (see {@link TelemetryTypeInfo}), never by Kryo. It is
 * still shaped as a Flink POJO (public fields, no-arg constructor, map fields with {@link TypeInfo} factories), which is
 * how state written by earlier versions was serialized and is read back for migration. Fields that do not apply to a signal keep their
 * defaults (null, 0). Attribute values are strings: OTLP numbers and booleans arrive as their text, which keeps one
 * serializer for every record and lets rules compare numbers through {@link #number(String)}.
 *
 * <p>Rule authors name fields as documented in {@link TelemetryField}: top-level fields by their JSON name, resource
 * attributes by their OpenTelemetry semantic-convention name ({@code service.name}), record attributes by theirs.
 */
@TypeInfo(TelemetryTypeInfo.Factory.class)
public class Telemetry {
    public Signal signal;
    /** Event time, epoch milliseconds (UTC). */
    public long timestamp;
    /** Resource attributes (OpenTelemetry semantic conventions: service.name, host.name, ...). */
    @TypeInfo(StringMapTypeInfo.class)
    public Map<String, String> resource = new LinkedHashMap<>();
    /** Attributes of the record itself (http.route, user.name, source.ip, ...). */
    @TypeInfo(StringMapTypeInfo.class)
    public Map<String, String> attributes = new LinkedHashMap<>();
    /** Metric name, span name or event name; null for logs. */
    public String name;

    // Metric point
    public double value;
    public String unit;
    public MetricType metricType;
    /** Histogram summary: number of observations, their sum, min and max. */
    public long count;

    public double sum;
    public double min;
    public double max;

    // Log record
    /** Normalised severity text: TRACE, DEBUG, INFO, WARN, ERROR or FATAL. */
    public String severity;
    /** OpenTelemetry severity number (1-24), 0 when unknown. */
    public int severityNumber;

    public String body;

    // Span
    public String traceId;
    public String spanId;
    public String parentSpanId;
    /** Span kind: internal, server, client, producer, consumer. */
    public String kind;
    /** Span status: unset, ok, error. */
    public String status;

    public double durationMs;

    /**
     * The record's bytes as {@link TelemetrySerializer} read them, written again as they are; null for a record built
     * here. Valid only because a record read from the network or state is never changed: code that needs a changed
     * record makes a new one ({@link #copy()}), which has none. Not a field of the record (transient: no POJO field).
     */
    transient byte[] encoded;

    public Telemetry() {}

    public static Telemetry metric(long timestamp, String service, String name, double value) {
        Telemetry t = new Telemetry();
        t.signal = Signal.METRIC;
        t.timestamp = timestamp;
        t.resource.put("service.name", service);
        t.name = name;
        t.value = value;
        t.metricType = MetricType.GAUGE;
        return t;
    }

    public static Telemetry log(long timestamp, String service, String severity, String body) {
        Telemetry t = new Telemetry();
        t.signal = Signal.LOG;
        t.timestamp = timestamp;
        t.resource.put("service.name", service);
        t.severity = severity;
        t.severityNumber = Severities.number(severity);
        t.body = body;
        return t;
    }

    public static Telemetry span(long timestamp, String service, String name, double durationMs, String status) {
        Telemetry t = new Telemetry();
        t.signal = Signal.SPAN;
        t.timestamp = timestamp;
        t.resource.put("service.name", service);
        t.name = name;
        t.kind = "server";
        t.durationMs = durationMs;
        t.status = status;
        return t;
    }

    public static Telemetry event(long timestamp, String service, String name) {
        Telemetry t = new Telemetry();
        t.signal = Signal.EVENT;
        t.timestamp = timestamp;
        t.resource.put("service.name", service);
        t.name = name;
        return t;
    }

    /** Fluent setter for a record attribute. */
    public Telemetry attr(String key, String value) {
        attributes.put(key, value);
        return this;
    }

    /** Fluent setter for a resource attribute. */
    public Telemetry res(String key, String value) {
        resource.put(key, value);
        return this;
    }

    /** The service this record belongs to, or {@code "unknown_service"} as OpenTelemetry's SDKs report it. */
    public String service() {
        String s = resource.get("service.name");
        return s == null ? "unknown_service" : s;
    }

    /** A field's value as text, by its rule name (see {@link TelemetryField}); null when absent. */
    public String get(String field) {
        return TelemetryField.text(this, field);
    }

    /** A field's value as a number; NaN when absent or not numeric. */
    public double number(String field) {
        return TelemetryField.number(this, field);
    }

    /**
     * A copy with maps of its own, for a stage of ingest that adds attributes (GeoIP enrichment) without changing the
     * record it was given. Copies every field {@link #equals} compares.
     */
    public Telemetry copy() {
        Telemetry t = new Telemetry();
        t.signal = signal;
        t.timestamp = timestamp;
        t.resource = new LinkedHashMap<>(resource);
        t.attributes = new LinkedHashMap<>(attributes);
        t.name = name;
        t.value = value;
        t.unit = unit;
        t.metricType = metricType;
        t.count = count;
        t.sum = sum;
        t.min = min;
        t.max = max;
        t.severity = severity;
        t.severityNumber = severityNumber;
        t.body = body;
        t.traceId = traceId;
        t.spanId = spanId;
        t.parentSpanId = parentSpanId;
        t.kind = kind;
        t.status = status;
        t.durationMs = durationMs;
        return t;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Telemetry)) {
            return false;
        }
        Telemetry t = (Telemetry) o;
        return timestamp == t.timestamp
                && Double.compare(value, t.value) == 0
                && count == t.count
                && Double.compare(sum, t.sum) == 0
                && Double.compare(min, t.min) == 0
                && Double.compare(max, t.max) == 0
                && severityNumber == t.severityNumber
                && Double.compare(durationMs, t.durationMs) == 0
                && signal == t.signal
                && Objects.equals(resource, t.resource)
                && Objects.equals(attributes, t.attributes)
                && Objects.equals(name, t.name)
                && Objects.equals(unit, t.unit)
                && metricType == t.metricType
                && Objects.equals(severity, t.severity)
                && Objects.equals(body, t.body)
                && Objects.equals(traceId, t.traceId)
                && Objects.equals(spanId, t.spanId)
                && Objects.equals(parentSpanId, t.parentSpanId)
                && Objects.equals(kind, t.kind)
                && Objects.equals(status, t.status);
    }

    @Override
    public int hashCode() {
        return Objects.hash(signal, timestamp, resource, attributes, name, value, body, spanId);
    }

    @Override
    public String toString() {
        return TelemetryJson.write(this);
    }
}
