package io.vigil.model;

import java.util.Map;

/**
 * How rules name the fields of a {@link Telemetry} record.
 *
 * <p>Top-level fields go by their canonical JSON name ({@code signal, name, value, unit, metric_type, count, sum, min,
 * max, severity, severity_number, body, trace_id, span_id, parent_span_id, kind, status, duration_ms, timestamp}).
 * Any other name is looked up first in the record's attributes, then in its resource attributes, so both
 * {@code user.name} and {@code service.name} work as written in the OpenTelemetry conventions. The prefixes
 * {@code attributes.} and {@code resource.} pick one map explicitly.
 */
public final class TelemetryField {
    private TelemetryField() {}

    /** Names of the top-level fields, for validation and "did you mean" hints. */
    public static final java.util.List<String> TOP_LEVEL = java.util.List.of(
            "signal",
            "name",
            "value",
            "unit",
            "metric_type",
            "count",
            "sum",
            "min",
            "max",
            "severity",
            "severity_number",
            "body",
            "trace_id",
            "span_id",
            "parent_span_id",
            "kind",
            "status",
            "duration_ms",
            "timestamp");

    /** Top-level fields whose values are numbers. */
    public static boolean isNumeric(String field) {
        switch (field) {
            case "value":
            case "count":
            case "sum":
            case "min":
            case "max":
            case "severity_number":
            case "duration_ms":
            case "timestamp":
                return true;
            default:
                return false;
        }
    }

    public static String text(Telemetry t, String field) {
        switch (field) {
            case "signal":
                return t.signal == null ? null : t.signal.wireName();
            case "name":
                return t.name;
            case "value":
                return t.signal == Signal.METRIC ? num(t.value) : null;
            case "unit":
                return t.unit;
            case "metric_type":
                return t.metricType == null ? null : t.metricType.wireName();
            case "count":
                return t.metricType == MetricType.HISTOGRAM ? Long.toString(t.count) : null;
            case "sum":
                return t.metricType == MetricType.HISTOGRAM ? num(t.sum) : null;
            case "min":
                return t.metricType == MetricType.HISTOGRAM ? num(t.min) : null;
            case "max":
                return t.metricType == MetricType.HISTOGRAM ? num(t.max) : null;
            case "severity":
                return t.severity;
            case "severity_number":
                return t.severityNumber == 0 ? null : Integer.toString(t.severityNumber);
            case "body":
                return t.body;
            case "trace_id":
                return t.traceId;
            case "span_id":
                return t.spanId;
            case "parent_span_id":
                return t.parentSpanId;
            case "kind":
                return t.kind;
            case "status":
                return t.status;
            case "duration_ms":
                return t.signal == Signal.SPAN ? num(t.durationMs) : null;
            case "timestamp":
                return Long.toString(t.timestamp);
            default:
                return attribute(t, field);
        }
    }

    public static double number(Telemetry t, String field) {
        switch (field) {
            case "value":
                return t.signal == Signal.METRIC ? t.value : Double.NaN;
            case "count":
                return t.metricType == MetricType.HISTOGRAM ? t.count : Double.NaN;
            case "sum":
                return t.metricType == MetricType.HISTOGRAM ? t.sum : Double.NaN;
            case "min":
                return t.metricType == MetricType.HISTOGRAM ? t.min : Double.NaN;
            case "max":
                return t.metricType == MetricType.HISTOGRAM ? t.max : Double.NaN;
            case "severity_number":
                return t.severityNumber == 0 ? Double.NaN : t.severityNumber;
            case "duration_ms":
                return t.signal == Signal.SPAN ? t.durationMs : Double.NaN;
            case "timestamp":
                return t.timestamp;
            default:
                String s = text(t, field);
                if (s == null || s.isEmpty()) {
                    return Double.NaN;
                }
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
        }
    }

    private static String attribute(Telemetry t, String field) {
        if (field.startsWith("attributes.")) {
            return get(t.attributes, field.substring("attributes.".length()));
        }
        if (field.startsWith("resource.")) {
            return get(t.resource, field.substring("resource.".length()));
        }
        String v = get(t.attributes, field);
        return v != null ? v : get(t.resource, field);
    }

    private static String get(Map<String, String> m, String k) {
        return m == null ? null : m.get(k);
    }

    private static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }
}
