package io.vigil.ingest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import io.vigil.model.MetricType;
import io.vigil.model.Severities;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flattens one OTLP export request (resource, then scope, then records) into {@link Telemetry} records, one per log
 * record, span or metric data point. Resource attributes go to {@link Telemetry#resource}; record (or data point)
 * attributes to {@link Telemetry#attributes}, with the scope's name and version as {@code otel.scope.name} and
 * {@code otel.scope.version}, the names OpenTelemetry uses when it maps scopes onto other formats.
 *
 * <p>A record that cannot be used (no time, NaN value, bad id) becomes a dead letter whose detail names the record by
 * its OTLP/JSON path; its raw bytes are the whole export request, since one record of a batch has no bytes of its own.
 * The other records of the batch are kept.
 */
final class OtlpFlattener {
    static final String SCOPE_NAME = "otel.scope.name";
    static final String SCOPE_VERSION = "otel.scope.version";
    static final String STATUS_DESCRIPTION = "otel.status_description";

    private final byte[] payload;
    private final String origin;
    private final String format;
    private final IngestLimits limits;
    /** Everything decoded from the request, in order; emitted by the caller only once the request is accepted. */
    final List<Ingested> out = new ArrayList<>();
    /** Records that are implausible for the signal (unknown fields, no time, wrong id length): a hint that the
     *  request holds another signal than the one it was parsed as. */
    int implausible;

    int records;

    OtlpFlattener(byte[] payload, String origin, String format, IngestLimits limits) {
        this.payload = payload;
        this.origin = origin;
        this.format = format;
        this.limits = limits;
    }

    void flatten(OtlpSignal signal, Message data) {
        switch (signal) {
            case LOGS:
                logs((LogsData) data);
                break;
            case METRICS:
                metrics((MetricsData) data);
                break;
            default:
                traces((TracesData) data);
        }
    }

    // ---------------------------------------------------------------- logs

    private void logs(LogsData data) {
        for (int i = 0; i < data.getResourceLogsCount(); i++) {
            ResourceLogs rl = data.getResourceLogs(i);
            Map<String, String> resource = attributes(rl.getResource().getAttributesList(), new LinkedHashMap<>());
            for (int j = 0; j < rl.getScopeLogsCount(); j++) {
                ScopeLogs sl = rl.getScopeLogs(j);
                for (int k = 0; k < sl.getLogRecordsCount(); k++) {
                    LogRecord r = sl.getLogRecords(k);
                    records++;
                    if (!r.getUnknownFields().asMap().isEmpty()
                            || r.getTimeUnixNano() == 0 && r.getObservedTimeUnixNano() == 0) {
                        implausible++;
                    }
                    try {
                        out.add(Ingested.of(log(r, resource, sl.getScope())));
                    } catch (Rejection e) {
                        dead(e, "resourceLogs[" + i + "].scopeLogs[" + j + "].logRecords[" + k + "]");
                    }
                }
            }
        }
    }

    private Telemetry log(LogRecord r, Map<String, String> resource, InstrumentationScope scope) throws Rejection {
        // Time of the event if the source knew it, else when the Collector observed it (OTLP log data model).
        boolean observed = r.getTimeUnixNano() == 0;
        long ms = millis(
                observed ? r.getObservedTimeUnixNano() : r.getTimeUnixNano(),
                observed ? "timeUnixNano and observedTimeUnixNano" : "timeUnixNano");
        Telemetry t = record(Signal.LOG, ms, resource, scope, r.getAttributesList());
        int number = r.getSeverityNumberValue();
        if (number > 0) {
            t.severityNumber = Math.min(number, 24);
            t.severity = Severities.text(t.severityNumber);
        } else {
            t.severity = Severities.normalise(r.getSeverityText());
            t.severityNumber = Severities.number(t.severity);
        }
        if (r.hasBody()) {
            t.body = text(r.getBody());
        }
        if (!r.getTraceId().isEmpty()) {
            t.traceId = hex(r.getTraceId());
        }
        if (!r.getSpanId().isEmpty()) {
            t.spanId = hex(r.getSpanId());
        }
        // Events are log records with an event name (the OTLP field, or the older event.name attribute).
        String event = r.getEventName().isEmpty() ? t.attributes.get("event.name") : r.getEventName();
        if (event != null && !event.isEmpty()) {
            t.signal = Signal.EVENT;
            t.name = event;
        }
        return t;
    }

    // ---------------------------------------------------------------- metrics

    private void metrics(MetricsData data) {
        for (int i = 0; i < data.getResourceMetricsCount(); i++) {
            ResourceMetrics rm = data.getResourceMetrics(i);
            Map<String, String> resource = attributes(rm.getResource().getAttributesList(), new LinkedHashMap<>());
            for (int j = 0; j < rm.getScopeMetricsCount(); j++) {
                ScopeMetrics sm = rm.getScopeMetrics(j);
                for (int k = 0; k < sm.getMetricsCount(); k++) {
                    Metric m = sm.getMetrics(k);
                    String path = "resourceMetrics[" + i + "].scopeMetrics[" + j + "].metrics[" + k + "]";
                    if (!m.getUnknownFields().asMap().isEmpty()
                            || m.getName().isEmpty()
                            || m.getDataCase() == Metric.DataCase.DATA_NOT_SET) {
                        implausible++;
                    }
                    metric(m, resource, sm.getScope(), path);
                }
            }
        }
    }

    private void metric(Metric m, Map<String, String> resource, InstrumentationScope scope, String path) {
        if (m.getName().isEmpty()) {
            records++;
            dead(new Rejection(Reasons.MISSING_FIELD, "name: missing"), path);
            return;
        }
        switch (m.getDataCase()) {
            case GAUGE:
                for (int p = 0; p < m.getGauge().getDataPointsCount(); p++) {
                    number(m, m.getGauge().getDataPoints(p), MetricType.GAUGE, resource, scope, path, "gauge", p);
                }
                break;
            case SUM:
                // A non-monotonic sum (an UpDownCounter: queue length, memory in use) behaves like a gauge.
                MetricType type = m.getSum().getIsMonotonic() ? MetricType.COUNTER : MetricType.GAUGE;
                for (int p = 0; p < m.getSum().getDataPointsCount(); p++) {
                    number(m, m.getSum().getDataPoints(p), type, resource, scope, path, "sum", p);
                }
                break;
            case HISTOGRAM:
                for (int p = 0; p < m.getHistogram().getDataPointsCount(); p++) {
                    HistogramDataPoint d = m.getHistogram().getDataPoints(p);
                    histogram(
                            m,
                            resource,
                            scope,
                            path + ".histogram.dataPoints[" + p + "]",
                            d.getTimeUnixNano(),
                            d.getFlags(),
                            d.getAttributesList(),
                            d.getCount(),
                            d.hasSum() ? d.getSum() : Double.NaN,
                            d.hasMin() ? d.getMin() : Double.NaN,
                            d.hasMax() ? d.getMax() : Double.NaN);
                }
                break;
            case EXPONENTIAL_HISTOGRAM:
                for (int p = 0; p < m.getExponentialHistogram().getDataPointsCount(); p++) {
                    ExponentialHistogramDataPoint d =
                            m.getExponentialHistogram().getDataPoints(p);
                    histogram(
                            m,
                            resource,
                            scope,
                            path + ".exponentialHistogram.dataPoints[" + p + "]",
                            d.getTimeUnixNano(),
                            d.getFlags(),
                            d.getAttributesList(),
                            d.getCount(),
                            d.hasSum() ? d.getSum() : Double.NaN,
                            d.hasMin() ? d.getMin() : Double.NaN,
                            d.hasMax() ? d.getMax() : Double.NaN);
                }
                break;
            case SUMMARY:
                for (int p = 0; p < m.getSummary().getDataPointsCount(); p++) {
                    SummaryDataPoint d = m.getSummary().getDataPoints(p);
                    double min = Double.NaN;
                    double max = Double.NaN;
                    for (SummaryDataPoint.ValueAtQuantile q : d.getQuantileValuesList()) {
                        if (q.getQuantile() == 0.0) {
                            min = q.getValue();
                        } else if (q.getQuantile() == 1.0) {
                            max = q.getValue();
                        }
                    }
                    histogram(
                            m,
                            resource,
                            scope,
                            path + ".summary.dataPoints[" + p + "]",
                            d.getTimeUnixNano(),
                            d.getFlags(),
                            d.getAttributesList(),
                            d.getCount(),
                            d.getSum(),
                            min,
                            max);
                }
                break;
            default:
                records++;
                dead(
                        new Rejection(
                                Reasons.MISSING_FIELD,
                                "data: missing (one of gauge, sum, histogram, exponentialHistogram, summary)"),
                        path);
        }
    }

    private void number(
            Metric m,
            NumberDataPoint d,
            MetricType type,
            Map<String, String> resource,
            InstrumentationScope scope,
            String path,
            String kind,
            int index) {
        records++;
        try {
            checkRecorded(d.getFlags());
            long ms = millis(d.getTimeUnixNano(), "timeUnixNano");
            double value;
            switch (d.getValueCase()) {
                case AS_DOUBLE:
                    value = d.getAsDouble();
                    if (!Double.isFinite(value)) {
                        throw new Rejection(Reasons.INVALID_VALUE, "asDouble: " + value + " is not a finite number");
                    }
                    break;
                case AS_INT:
                    value = d.getAsInt();
                    break;
                default:
                    throw new Rejection(Reasons.MISSING_FIELD, "value: missing (asDouble or asInt)");
            }
            Telemetry t = record(Signal.METRIC, ms, resource, scope, d.getAttributesList());
            t.name = m.getName();
            t.unit = m.getUnit().isEmpty() ? null : m.getUnit();
            t.metricType = type;
            t.value = value;
            out.add(Ingested.of(t));
        } catch (Rejection e) {
            dead(e, path + "." + kind + ".dataPoints[" + index + "]");
        }
    }

    /** Histograms, exponential histograms and summaries all become count, sum, min, max and value = mean. */
    private void histogram(
            Metric m,
            Map<String, String> resource,
            InstrumentationScope scope,
            String path,
            long timeNanos,
            int flags,
            List<KeyValue> attributes,
            long count,
            double sum,
            double min,
            double max) {
        records++;
        try {
            checkRecorded(flags);
            long ms = millis(timeNanos, "timeUnixNano");
            if (count < 0) {
                throw new Rejection(
                        Reasons.INVALID_VALUE, "count: " + Long.toUnsignedString(count) + " is out of range");
            }
            finiteOrAbsent(sum, "sum");
            finiteOrAbsent(min, "min");
            finiteOrAbsent(max, "max");
            Telemetry t = record(Signal.METRIC, ms, resource, scope, attributes);
            t.name = m.getName();
            t.unit = m.getUnit().isEmpty() ? null : m.getUnit();
            t.metricType = MetricType.HISTOGRAM;
            t.count = count;
            // Optional in OTLP; 0 when the sender sent none (the model has no "absent" for doubles).
            t.sum = Double.isNaN(sum) ? 0 : sum;
            t.min = Double.isNaN(min) ? 0 : min;
            t.max = Double.isNaN(max) ? 0 : max;
            t.value = count == 0 ? 0 : t.sum / count;
            out.add(Ingested.of(t));
        } catch (Rejection e) {
            dead(e, path);
        }
    }

    private static void checkRecorded(int flags) throws Rejection {
        if ((flags & 1) != 0) {
            // FLAG_NO_RECORDED_VALUE: e.g. a Prometheus staleness marker. There is no value to watch, but the point
            // is still kept as a dead letter rather than dropped.
            throw new Rejection(Reasons.INVALID_VALUE, "flags: NO_RECORDED_VALUE is set (the point has no value)");
        }
    }

    private static void finiteOrAbsent(double d, String field) throws Rejection {
        if (Double.isInfinite(d)) {
            throw new Rejection(Reasons.INVALID_VALUE, field + ": " + d + " is not a finite number");
        }
    }

    // ---------------------------------------------------------------- traces

    private void traces(TracesData data) {
        for (int i = 0; i < data.getResourceSpansCount(); i++) {
            ResourceSpans rs = data.getResourceSpans(i);
            Map<String, String> resource = attributes(rs.getResource().getAttributesList(), new LinkedHashMap<>());
            for (int j = 0; j < rs.getScopeSpansCount(); j++) {
                ScopeSpans ss = rs.getScopeSpans(j);
                for (int k = 0; k < ss.getSpansCount(); k++) {
                    Span s = ss.getSpans(k);
                    records++;
                    if (!s.getUnknownFields().asMap().isEmpty()
                            || s.getTraceId().size() != 16
                            || s.getSpanId().size() != 8
                            || s.getStartTimeUnixNano() == 0) {
                        implausible++;
                    }
                    try {
                        out.add(Ingested.of(span(s, resource, ss.getScope())));
                    } catch (Rejection e) {
                        dead(e, "resourceSpans[" + i + "].scopeSpans[" + j + "].spans[" + k + "]");
                    }
                }
            }
        }
    }

    private Telemetry span(Span s, Map<String, String> resource, InstrumentationScope scope) throws Rejection {
        long ms = millis(s.getStartTimeUnixNano(), "startTimeUnixNano");
        if (Long.compareUnsigned(s.getEndTimeUnixNano(), s.getStartTimeUnixNano()) < 0) {
            throw new Rejection(
                    Reasons.INVALID_VALUE,
                    "endTimeUnixNano: " + Long.toUnsignedString(s.getEndTimeUnixNano())
                            + " is before startTimeUnixNano " + Long.toUnsignedString(s.getStartTimeUnixNano()));
        }
        if (s.getName().isEmpty()) {
            throw new Rejection(Reasons.MISSING_FIELD, "name: missing");
        }
        String traceId = id(s.getTraceId(), 16, "traceId", false);
        String spanId = id(s.getSpanId(), 8, "spanId", false);
        String parent = id(s.getParentSpanId(), 8, "parentSpanId", true);
        String kind;
        switch (s.getKindValue()) {
            // OTLP: receivers may treat UNSPECIFIED as INTERNAL.
            case 0:
            case 1:
                kind = "internal";
                break;
            case 2:
                kind = "server";
                break;
            case 3:
                kind = "client";
                break;
            case 4:
                kind = "producer";
                break;
            case 5:
                kind = "consumer";
                break;
            default:
                throw new Rejection(Reasons.INVALID_VALUE, "kind: " + s.getKindValue() + " is not a SpanKind (0-5)");
        }
        String status;
        switch (s.getStatus().getCodeValue()) {
            case 0:
                status = "unset";
                break;
            case 1:
                status = "ok";
                break;
            case 2:
                status = "error";
                break;
            default:
                throw new Rejection(
                        Reasons.INVALID_VALUE,
                        "status.code: " + s.getStatus().getCodeValue() + " is not a StatusCode (0-2)");
        }
        Telemetry t = record(Signal.SPAN, ms, resource, scope, s.getAttributesList());
        t.name = s.getName();
        t.traceId = traceId;
        t.spanId = spanId;
        t.parentSpanId = parent;
        t.kind = kind;
        t.status = status;
        if (!s.getStatus().getMessage().isEmpty()) {
            t.attributes.put(STATUS_DESCRIPTION, s.getStatus().getMessage());
        }
        t.durationMs = (s.getEndTimeUnixNano() - s.getStartTimeUnixNano()) / 1e6;
        return t;
    }

    private static String id(ByteString b, int size, String field, boolean optional) throws Rejection {
        if (b.isEmpty() && optional) {
            return null;
        }
        if (b.size() != size) {
            throw new Rejection(Reasons.INVALID_VALUE, field + ": " + b.size() + " bytes, expected " + size);
        }
        return hex(b);
    }

    // ---------------------------------------------------------------- shared

    private Telemetry record(
            Signal signal,
            long ms,
            Map<String, String> resource,
            InstrumentationScope scope,
            List<KeyValue> attributes) {
        Telemetry t = new Telemetry();
        t.signal = signal;
        t.timestamp = ms;
        t.resource.putAll(resource);
        if (!scope.getName().isEmpty()) {
            t.attributes.put(SCOPE_NAME, scope.getName());
        }
        if (!scope.getVersion().isEmpty()) {
            t.attributes.put(SCOPE_VERSION, scope.getVersion());
        }
        attributes(attributes, t.attributes);
        return t;
    }

    /** OTLP times are unsigned nanoseconds; Vigil keeps milliseconds. */
    private long millis(long nanos, String field) throws Rejection {
        long ms = Long.divideUnsigned(nanos, 1_000_000L);
        String bad = limits.checkTimestamp(ms);
        if (bad != null) {
            throw new Rejection(
                    Reasons.INVALID_TIMESTAMP,
                    field + ": " + (nanos == 0 ? "missing or zero" : Long.toUnsignedString(nanos) + " ns = " + bad));
        }
        return ms;
    }

    private void dead(Rejection e, String path) {
        out.add(Ingested.dead(
                new DeadLetter(payload, origin, format, e.reason, Reasons.detail(path + "." + e.detail()))));
    }

    static Map<String, String> attributes(List<KeyValue> kvs, Map<String, String> into) {
        for (int i = 0; i < kvs.size(); i++) {
            KeyValue kv = kvs.get(i);
            String v = text(kv.getValue());
            if (v != null) {
                into.put(kv.getKey(), v);
            }
        }
        return into;
    }

    /**
     * An attribute value as text: strings as they are, integers in decimal, booleans as true/false, doubles in Java's
     * shortest round-trip form, bytes in base64, arrays and key-value lists as compact JSON. Null when empty.
     */
    static String text(AnyValue v) {
        switch (v.getValueCase()) {
            case STRING_VALUE:
                return v.getStringValue();
            case BOOL_VALUE:
                return v.getBoolValue() ? "true" : "false";
            case INT_VALUE:
                return Long.toString(v.getIntValue());
            case DOUBLE_VALUE:
                return Double.toString(v.getDoubleValue());
            case BYTES_VALUE:
                return Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
            case ARRAY_VALUE:
            case KVLIST_VALUE:
                StringWriter w = new StringWriter();
                try (JsonGenerator g = CanonicalJsonDecoder.JSON.createGenerator(w)) {
                    json(v, g);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return w.toString();
            default:
                return null;
        }
    }

    private static void json(AnyValue v, JsonGenerator g) throws IOException {
        switch (v.getValueCase()) {
            case STRING_VALUE:
                g.writeString(v.getStringValue());
                break;
            case BOOL_VALUE:
                g.writeBoolean(v.getBoolValue());
                break;
            case INT_VALUE:
                g.writeNumber(v.getIntValue());
                break;
            case DOUBLE_VALUE:
                double d = v.getDoubleValue();
                if (Double.isFinite(d)) {
                    g.writeNumber(d);
                } else {
                    g.writeString(Double.toString(d));
                }
                break;
            case BYTES_VALUE:
                g.writeString(
                        Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray()));
                break;
            case ARRAY_VALUE:
                g.writeStartArray();
                for (AnyValue e : v.getArrayValue().getValuesList()) {
                    json(e, g);
                }
                g.writeEndArray();
                break;
            case KVLIST_VALUE:
                g.writeStartObject();
                for (KeyValue kv : v.getKvlistValue().getValuesList()) {
                    g.writeFieldName(kv.getKey());
                    json(kv.getValue(), g);
                }
                g.writeEndObject();
                break;
            default:
                g.writeNull();
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static String hex(ByteString b) {
        char[] c = new char[b.size() * 2];
        for (int i = 0; i < b.size(); i++) {
            int v = b.byteAt(i) & 0xff;
            c[2 * i] = HEX[v >>> 4];
            c[2 * i + 1] = HEX[v & 0xf];
        }
        return new String(c);
    }
}
