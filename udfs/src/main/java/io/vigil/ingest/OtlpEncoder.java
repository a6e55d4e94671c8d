package io.vigil.ingest;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.vigil.model.MetricType;
import io.vigil.model.Severities;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns {@link Telemetry} records into OTLP requests, grouped by resource and scope as an SDK or the Collector batches
 * them: the inverse of the decoders' flattening. For the generator (to feed Kafka topics as a Collector would), the
 * ingest benchmark and round-trip tests. Attribute values go out as OTLP strings; {@code otel.scope.name} and
 * {@code otel.scope.version} become the scope; events become log records with an event name.
 */
public final class OtlpEncoder {
    private OtlpEncoder() {}

    private static final String DEFAULT_SCOPE = "io.vigil";

    /** Log and event records as one logs request. Records of other signals are an IllegalArgumentException. */
    public static LogsData logs(List<Telemetry> records) {
        Map<List<Object>, ScopeLogs.Builder> scopes = new LinkedHashMap<>();
        Map<Map<String, String>, ResourceLogs.Builder> resources = new LinkedHashMap<>();
        for (Telemetry t : records) {
            if (t.signal != Signal.LOG && t.signal != Signal.EVENT) {
                throw new IllegalArgumentException("not a log or event: " + t);
            }
            ResourceLogs.Builder rb = resources.computeIfAbsent(
                    t.resource, r -> ResourceLogs.newBuilder().setResource(resource(r)));
            InstrumentationScope scope = scope(t);
            ScopeLogs.Builder sb = scopes.computeIfAbsent(
                    List.of(t.resource, scope), k -> rb.addScopeLogsBuilder().setScope(scope));
            LogRecord.Builder r = LogRecord.newBuilder()
                    .setTimeUnixNano(nanos(t.timestamp))
                    .setObservedTimeUnixNano(nanos(t.timestamp));
            int number = t.severityNumber > 0 ? t.severityNumber : Severities.number(t.severity);
            if (number > 0) {
                r.setSeverityNumberValue(number);
            }
            if (t.severity != null) {
                r.setSeverityText(t.severity);
            }
            if (t.body != null) {
                r.setBody(AnyValue.newBuilder().setStringValue(t.body));
            }
            if (t.signal == Signal.EVENT) {
                r.setEventName(t.name);
            }
            if (t.traceId != null) {
                r.setTraceId(OtlpJsonReader.hexOrEmpty(t.traceId));
            }
            if (t.spanId != null) {
                r.setSpanId(OtlpJsonReader.hexOrEmpty(t.spanId));
            }
            r.addAllAttributes(attributes(t.attributes));
            sb.addLogRecords(r);
        }
        LogsData.Builder b = LogsData.newBuilder();
        resources.values().forEach(b::addResourceLogs);
        return b.build();
    }

    /** Metric points as one metrics request (one OTLP metric per point, which OTLP allows). */
    public static MetricsData metrics(List<Telemetry> records) {
        Map<List<Object>, ScopeMetrics.Builder> scopes = new LinkedHashMap<>();
        Map<Map<String, String>, ResourceMetrics.Builder> resources = new LinkedHashMap<>();
        for (Telemetry t : records) {
            if (t.signal != Signal.METRIC) {
                throw new IllegalArgumentException("not a metric: " + t);
            }
            ResourceMetrics.Builder rb = resources.computeIfAbsent(
                    t.resource, r -> ResourceMetrics.newBuilder().setResource(resource(r)));
            InstrumentationScope scope = scope(t);
            ScopeMetrics.Builder sb = scopes.computeIfAbsent(
                    List.of(t.resource, scope), k -> rb.addScopeMetricsBuilder().setScope(scope));
            Metric.Builder m = Metric.newBuilder().setName(t.name == null ? "" : t.name);
            if (t.unit != null) {
                m.setUnit(t.unit);
            }
            List<KeyValue> attributes = attributes(t.attributes);
            if (t.metricType == MetricType.HISTOGRAM) {
                m.setHistogram(Histogram.newBuilder()
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                        .addDataPoints(HistogramDataPoint.newBuilder()
                                .setTimeUnixNano(nanos(t.timestamp))
                                .setCount(t.count)
                                .setSum(t.sum)
                                .setMin(t.min)
                                .setMax(t.max)
                                .addBucketCounts(t.count)
                                .addAllAttributes(attributes)));
            } else {
                NumberDataPoint p = NumberDataPoint.newBuilder()
                        .setTimeUnixNano(nanos(t.timestamp))
                        .setAsDouble(t.value)
                        .addAllAttributes(attributes)
                        .build();
                if (t.metricType == MetricType.COUNTER) {
                    m.setSum(Sum.newBuilder()
                            .setIsMonotonic(true)
                            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                            .addDataPoints(p));
                } else {
                    m.setGauge(Gauge.newBuilder().addDataPoints(p));
                }
            }
            sb.addMetrics(m);
        }
        MetricsData.Builder b = MetricsData.newBuilder();
        resources.values().forEach(b::addResourceMetrics);
        return b.build();
    }

    /** Spans as one traces request. */
    public static TracesData traces(List<Telemetry> records) {
        Map<List<Object>, ScopeSpans.Builder> scopes = new LinkedHashMap<>();
        Map<Map<String, String>, ResourceSpans.Builder> resources = new LinkedHashMap<>();
        for (Telemetry t : records) {
            if (t.signal != Signal.SPAN) {
                throw new IllegalArgumentException("not a span: " + t);
            }
            ResourceSpans.Builder rb = resources.computeIfAbsent(
                    t.resource, r -> ResourceSpans.newBuilder().setResource(resource(r)));
            InstrumentationScope scope = scope(t);
            ScopeSpans.Builder sb = scopes.computeIfAbsent(
                    List.of(t.resource, scope), k -> rb.addScopeSpansBuilder().setScope(scope));
            long start = nanos(t.timestamp);
            Span.Builder s = Span.newBuilder()
                    .setName(t.name == null ? "" : t.name)
                    .setStartTimeUnixNano(start)
                    .setEndTimeUnixNano(start + Math.round(t.durationMs * 1e6))
                    .setKindValue(kind(t.kind));
            if (t.traceId != null) {
                s.setTraceId(OtlpJsonReader.hexOrEmpty(t.traceId));
            }
            if (t.spanId != null) {
                s.setSpanId(OtlpJsonReader.hexOrEmpty(t.spanId));
            }
            if (t.parentSpanId != null) {
                s.setParentSpanId(OtlpJsonReader.hexOrEmpty(t.parentSpanId));
            }
            Status.Builder status =
                    Status.newBuilder().setCodeValue("ok".equals(t.status) ? 1 : "error".equals(t.status) ? 2 : 0);
            List<KeyValue> attributes = new ArrayList<>();
            for (KeyValue kv : attributes(t.attributes)) {
                if (kv.getKey().equals(OtlpFlattener.STATUS_DESCRIPTION)) {
                    status.setMessage(kv.getValue().getStringValue());
                } else {
                    attributes.add(kv);
                }
            }
            s.setStatus(status).addAllAttributes(attributes);
            sb.addSpans(s);
        }
        TracesData.Builder b = TracesData.newBuilder();
        resources.values().forEach(b::addResourceSpans);
        return b.build();
    }

    private static int kind(String kind) {
        if (kind == null) {
            return 0;
        }
        switch (kind) {
            case "internal":
                return 1;
            case "server":
                return 2;
            case "client":
                return 3;
            case "producer":
                return 4;
            case "consumer":
                return 5;
            default:
                return 0;
        }
    }

    private static long nanos(long ms) {
        return ms * 1_000_000L;
    }

    private static Resource resource(Map<String, String> attributes) {
        return Resource.newBuilder().addAllAttributes(attributes(attributes)).build();
    }

    private static InstrumentationScope scope(Telemetry t) {
        String name = t.attributes.get(OtlpFlattener.SCOPE_NAME);
        String version = t.attributes.get(OtlpFlattener.SCOPE_VERSION);
        InstrumentationScope.Builder b = InstrumentationScope.newBuilder().setName(name == null ? DEFAULT_SCOPE : name);
        if (version != null) {
            b.setVersion(version);
        }
        return b.build();
    }

    private static List<KeyValue> attributes(Map<String, String> m) {
        List<KeyValue> out = new ArrayList<>(m.size());
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (e.getKey().equals(OtlpFlattener.SCOPE_NAME) || e.getKey().equals(OtlpFlattener.SCOPE_VERSION)) {
                continue;
            }
            out.add(KeyValue.newBuilder()
                    .setKey(e.getKey())
                    .setValue(AnyValue.newBuilder().setStringValue(e.getValue() == null ? "" : e.getValue()))
                    .build());
        }
        return out;
    }
}
