package io.vigil.ingest;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
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
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.time.Instant;

/** OTLP requests built with the generated builders, as an instrumented service and the Collector would send them. */
final class OtlpSamples {
    private OtlpSamples() {}

    static final long T_MS = Instant.parse("2026-03-01T12:00:00.123Z").toEpochMilli();
    static final long T_NS = T_MS * 1_000_000L + 456_789L;
    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String SPAN_ID = "00f067aa0ba902b7";
    static final String PARENT_ID = "53995c3f42cd8ad8";

    static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder()
                .setKey(k)
                .setValue(AnyValue.newBuilder().setStringValue(v))
                .build();
    }

    static KeyValue kv(String k, long v) {
        return KeyValue.newBuilder()
                .setKey(k)
                .setValue(AnyValue.newBuilder().setIntValue(v))
                .build();
    }

    static Resource resource(String service) {
        return Resource.newBuilder()
                .addAttributes(kv("service.name", service))
                .addAttributes(kv("host.name", "node-7"))
                .build();
    }

    static InstrumentationScope scope() {
        return InstrumentationScope.newBuilder()
                .setName("io.vigil.test")
                .setVersion("1.2.0")
                .build();
    }

    static ByteString id(String hex) {
        try {
            return OtlpJsonReader.hex(hex);
        } catch (Rejection e) {
            throw new IllegalArgumentException(e);
        }
    }

    static LogsData logs() {
        LogRecord plain = LogRecord.newBuilder()
                .setTimeUnixNano(T_NS)
                .setObservedTimeUnixNano(T_NS + 5_000_000)
                .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_WARN2)
                .setSeverityText("Warning")
                .setBody(AnyValue.newBuilder().setStringValue("Failed password for root from 10.0.0.7"))
                .addAttributes(kv("source.ip", "10.0.0.7"))
                .addAttributes(KeyValue.newBuilder()
                        .setKey("attempt")
                        .setValue(AnyValue.newBuilder().setIntValue(3)))
                .addAttributes(KeyValue.newBuilder()
                        .setKey("tags")
                        .setValue(AnyValue.newBuilder()
                                .setArrayValue(ArrayValue.newBuilder()
                                        .addValues(AnyValue.newBuilder().setStringValue("ssh"))
                                        .addValues(AnyValue.newBuilder().setBoolValue(true))
                                        .addValues(AnyValue.newBuilder().setDoubleValue(1.5)))))
                .setTraceId(id(TRACE_ID))
                .setSpanId(id(SPAN_ID))
                .build();
        LogRecord observedOnly = LogRecord.newBuilder()
                .setObservedTimeUnixNano(T_NS)
                .setSeverityText("error")
                .setBody(AnyValue.newBuilder()
                        .setKvlistValue(KeyValueList.newBuilder()
                                .addValues(kv("msg", "disk full"))
                                .addValues(kv("free", 0))))
                .build();
        LogRecord event = LogRecord.newBuilder()
                .setTimeUnixNano(T_NS)
                .addAttributes(kv("event.name", "deployment.finished"))
                .addAttributes(kv("version", "1.4.2"))
                .build();
        return LogsData.newBuilder()
                .addResourceLogs(ResourceLogs.newBuilder()
                        .setResource(resource("auth"))
                        .addScopeLogs(ScopeLogs.newBuilder()
                                .setScope(scope())
                                .addLogRecords(plain)
                                .addLogRecords(observedOnly)
                                .addLogRecords(event)))
                .build();
    }

    static MetricsData metrics() {
        NumberDataPoint g = NumberDataPoint.newBuilder()
                .setTimeUnixNano(T_NS)
                .setAsDouble(0.75)
                .addAttributes(kv("cpu", "0"))
                .build();
        NumberDataPoint c = NumberDataPoint.newBuilder()
                .setStartTimeUnixNano(T_NS - 60_000_000_000L)
                .setTimeUnixNano(T_NS)
                .setAsInt(1234)
                .addAttributes(kv("http.route", "/pay"))
                .build();
        NumberDataPoint q =
                NumberDataPoint.newBuilder().setTimeUnixNano(T_NS).setAsInt(17).build();
        HistogramDataPoint h = HistogramDataPoint.newBuilder()
                .setTimeUnixNano(T_NS)
                .setCount(4)
                .setSum(2.0)
                .setMin(0.1)
                .setMax(1.2)
                .addExplicitBounds(0.25)
                .addExplicitBounds(1)
                .addBucketCounts(2)
                .addBucketCounts(1)
                .addBucketCounts(1)
                .addAttributes(kv("http.route", "/pay"))
                .build();
        SummaryDataPoint s = SummaryDataPoint.newBuilder()
                .setTimeUnixNano(T_NS)
                .setCount(10)
                .setSum(50)
                .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder()
                        .setQuantile(0)
                        .setValue(1))
                .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder()
                        .setQuantile(0.5)
                        .setValue(4))
                .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder()
                        .setQuantile(1)
                        .setValue(12))
                .build();
        return MetricsData.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder()
                        .setResource(resource("checkout"))
                        .addScopeMetrics(ScopeMetrics.newBuilder()
                                .setScope(scope())
                                .addMetrics(Metric.newBuilder()
                                        .setName("system.cpu.utilization")
                                        .setUnit("1")
                                        .setGauge(Gauge.newBuilder().addDataPoints(g)))
                                .addMetrics(Metric.newBuilder()
                                        .setName("http.server.requests")
                                        .setUnit("{request}")
                                        .setSum(Sum.newBuilder()
                                                .setIsMonotonic(true)
                                                .setAggregationTemporality(
                                                        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                                                .addDataPoints(c)))
                                .addMetrics(Metric.newBuilder()
                                        .setName("queue.length")
                                        .setSum(Sum.newBuilder()
                                                .setIsMonotonic(false)
                                                .addDataPoints(q)))
                                .addMetrics(Metric.newBuilder()
                                        .setName("http.server.request.duration")
                                        .setUnit("s")
                                        .setHistogram(Histogram.newBuilder().addDataPoints(h)))
                                .addMetrics(Metric.newBuilder()
                                        .setName("rpc.duration")
                                        .setUnit("ms")
                                        .setSummary(Summary.newBuilder().addDataPoints(s)))))
                .build();
    }

    static TracesData traces() {
        Span server = Span.newBuilder()
                .setTraceId(id(TRACE_ID))
                .setSpanId(id(SPAN_ID))
                .setName("POST /pay")
                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano(T_NS)
                .setEndTimeUnixNano(T_NS + 87_500_000L)
                .addAttributes(kv("http.response.status_code", 500))
                .setStatus(Status.newBuilder()
                        .setCode(Status.StatusCode.STATUS_CODE_ERROR)
                        .setMessage("boom"))
                .build();
        Span client = Span.newBuilder()
                .setTraceId(id(TRACE_ID))
                .setSpanId(id(PARENT_ID))
                .setParentSpanId(id(SPAN_ID))
                .setName("SELECT orders")
                .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
                .setStartTimeUnixNano(T_NS + 1_000_000L)
                .setEndTimeUnixNano(T_NS + 13_000_000L)
                .build();
        return TracesData.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .setResource(resource("payments"))
                        .addScopeSpans(ScopeSpans.newBuilder()
                                .setScope(scope())
                                .addSpans(server)
                                .addSpans(client)))
                .build();
    }
}
