package io.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.MetricType;
import io.vigil.model.Telemetry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Telemetry encoded by {@link OtlpEncoder} and decoded again, as protobuf and as OTLP/JSON, comes back unchanged. */
class OtlpRoundTripTest {
    private static final long T = OtlpSamples.T_MS;

    private static Telemetry scoped(Telemetry t) {
        // The decoder always reports the scope; give every record one so the round trip is exact.
        return t.attr("otel.scope.name", "io.vigil.generator").res("host.name", "node-1");
    }

    @Test
    void logsAndEventsRoundTrip() {
        Telemetry event =
                scoped(Telemetry.event(T + 1, "deployer", "deployment.finished").attr("version", "1.2"));
        List<Telemetry> records = List.of(
                scoped(Telemetry.log(T, "auth", "ERROR", "Failed password for root")
                        .attr("source.ip", "10.0.0.7")),
                scoped(Telemetry.log(T + 2, "cart", "INFO", "ok")),
                event);
        check(
                records,
                "logs",
                OtlpEncoder.logs(records).toByteArray(),
                OtlpJsonWriter.write(OtlpEncoder.logs(records)));
    }

    @Test
    void metricsRoundTrip() {
        Telemetry counter = scoped(Telemetry.metric(T, "checkout", "http.server.requests", 1234));
        counter.metricType = MetricType.COUNTER;
        Telemetry histogram = scoped(Telemetry.metric(T, "checkout", "http.server.request.duration", 0.25));
        histogram.metricType = MetricType.HISTOGRAM;
        histogram.count = 4;
        histogram.sum = 1;
        histogram.min = 0.125;
        histogram.max = 0.5;
        histogram.unit = "s";
        List<Telemetry> records = List.of(scoped(Telemetry.metric(T, "checkout", "cpu", 0.5)), counter, histogram);
        check(
                records,
                "metrics",
                OtlpEncoder.metrics(records).toByteArray(),
                OtlpJsonWriter.write(OtlpEncoder.metrics(records)));
    }

    @Test
    void spansRoundTrip() {
        Telemetry span = scoped(Telemetry.span(T, "payments", "POST /pay", 87.5, "error"))
                .attr("otel.status_description", "boom")
                .attr("http.route", "/pay");
        span.traceId = OtlpSamples.TRACE_ID;
        span.spanId = OtlpSamples.SPAN_ID;
        span.parentSpanId = OtlpSamples.PARENT_ID;
        List<Telemetry> records = List.of(span);
        check(
                records,
                "traces",
                OtlpEncoder.traces(records).toByteArray(),
                OtlpJsonWriter.write(OtlpEncoder.traces(records)));
    }

    private static void check(List<Telemetry> records, String signal, byte[] proto, byte[] json) {
        assertEquals(records, Decoded.of("otlp-proto:" + signal, proto).telemetry);
        assertEquals(records, Decoded.of("otlp-json:" + signal, json).telemetry);
    }
}
