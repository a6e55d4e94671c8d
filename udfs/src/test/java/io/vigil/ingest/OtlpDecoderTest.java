package io.vigil.ingest;

import static io.vigil.ingest.OtlpSamples.PARENT_ID;
import static io.vigil.ingest.OtlpSamples.SPAN_ID;
import static io.vigil.ingest.OtlpSamples.TRACE_ID;
import static io.vigil.ingest.OtlpSamples.T_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.vigil.model.DeadLetter;
import io.vigil.model.MetricType;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class OtlpDecoderTest {

    @Test
    void logsFromProtobufAreFlattened() {
        Decoded d = Decoded.of("otlp-proto:logs", OtlpSamples.logs().toByteArray());
        assertTrue(d.dead.isEmpty(), d.dead::toString);
        assertEquals(3, d.telemetry.size());

        Telemetry warn = d.telemetry.get(0);
        assertEquals(Signal.LOG, warn.signal);
        assertEquals(T_MS, warn.timestamp);
        assertEquals("auth", warn.resource.get("service.name"));
        assertEquals("node-7", warn.resource.get("host.name"));
        assertEquals("io.vigil.test", warn.attributes.get("otel.scope.name"));
        assertEquals("1.2.0", warn.attributes.get("otel.scope.version"));
        assertEquals("10.0.0.7", warn.attributes.get("source.ip"));
        assertEquals("3", warn.attributes.get("attempt"));
        assertEquals("[\"ssh\",true,1.5]", warn.attributes.get("tags"));
        assertEquals("WARN", warn.severity);
        assertEquals(14, warn.severityNumber);
        assertEquals("Failed password for root from 10.0.0.7", warn.body);
        assertEquals(TRACE_ID, warn.traceId);
        assertEquals(SPAN_ID, warn.spanId);

        Telemetry observed = d.telemetry.get(1);
        assertEquals(T_MS, observed.timestamp, "falls back to observedTimeUnixNano");
        assertEquals("ERROR", observed.severity, "severity text normalised when there is no number");
        assertEquals(17, observed.severityNumber);
        assertEquals("{\"msg\":\"disk full\",\"free\":0}", observed.body);

        Telemetry event = d.telemetry.get(2);
        assertEquals(Signal.EVENT, event.signal);
        assertEquals("deployment.finished", event.name);
        assertEquals("1.4.2", event.attributes.get("version"));
    }

    @Test
    void metricsFromProtobufBecomeOnePointEach() {
        Decoded d = Decoded.of("otlp-proto:metrics", OtlpSamples.metrics().toByteArray());
        assertTrue(d.dead.isEmpty(), d.dead::toString);
        assertEquals(5, d.telemetry.size());

        Telemetry gauge = d.telemetry.get(0);
        assertEquals(Signal.METRIC, gauge.signal);
        assertEquals("system.cpu.utilization", gauge.name);
        assertEquals(MetricType.GAUGE, gauge.metricType);
        assertEquals(0.75, gauge.value);
        assertEquals("1", gauge.unit);
        assertEquals("0", gauge.attributes.get("cpu"));
        assertEquals(T_MS, gauge.timestamp);

        Telemetry counter = d.telemetry.get(1);
        assertEquals(MetricType.COUNTER, counter.metricType);
        assertEquals(1234.0, counter.value);
        assertEquals("/pay", counter.attributes.get("http.route"));

        assertEquals(MetricType.GAUGE, d.telemetry.get(2).metricType, "a non-monotonic sum is a gauge");

        Telemetry histogram = d.telemetry.get(3);
        assertEquals(MetricType.HISTOGRAM, histogram.metricType);
        assertEquals(4, histogram.count);
        assertEquals(2.0, histogram.sum);
        assertEquals(0.1, histogram.min);
        assertEquals(1.2, histogram.max);
        assertEquals(0.5, histogram.value);
        assertEquals("s", histogram.unit);

        Telemetry summary = d.telemetry.get(4);
        assertEquals(MetricType.HISTOGRAM, summary.metricType);
        assertEquals(10, summary.count);
        assertEquals(5.0, summary.value);
        assertEquals(1.0, summary.min);
        assertEquals(12.0, summary.max);
    }

    @Test
    void spansFromProtobufKeepIdsKindStatusAndDuration() {
        Decoded d = Decoded.of("otlp-proto:traces", OtlpSamples.traces().toByteArray());
        assertTrue(d.dead.isEmpty(), d.dead::toString);
        Telemetry server = d.telemetry.get(0);
        assertEquals(Signal.SPAN, server.signal);
        assertEquals("POST /pay", server.name);
        assertEquals(TRACE_ID, server.traceId);
        assertEquals(SPAN_ID, server.spanId);
        assertNull(server.parentSpanId);
        assertEquals("server", server.kind);
        assertEquals("error", server.status);
        assertEquals("boom", server.attributes.get("otel.status_description"));
        assertEquals("500", server.attributes.get("http.response.status_code"));
        assertEquals(87.5, server.durationMs, 1e-9);
        assertEquals(T_MS, server.timestamp);
        assertEquals("payments", server.service());

        Telemetry client = d.telemetry.get(1);
        assertEquals(PARENT_ID, client.spanId);
        assertEquals(SPAN_ID, client.parentSpanId);
        assertEquals("client", client.kind);
        assertEquals("unset", client.status);
        assertEquals(12.0, client.durationMs, 1e-9);
    }

    @Test
    void otlpJsonGivesTheSameRecordsAsProtobuf() {
        assertSame(OtlpSamples.logs().toByteArray(), "logs", OtlpJsonWriter.write(OtlpSamples.logs()));
        assertSame(OtlpSamples.metrics().toByteArray(), "metrics", OtlpJsonWriter.write(OtlpSamples.metrics()));
        assertSame(OtlpSamples.traces().toByteArray(), "traces", OtlpJsonWriter.write(OtlpSamples.traces()));
    }

    private static void assertSame(byte[] proto, String signal, byte[] json) {
        List<Telemetry> expected = Decoded.of("otlp-proto:" + signal, proto).telemetry;
        assertEquals(expected, Decoded.of("otlp-json", json).telemetry, "auto-detected JSON");
        assertEquals(expected, Decoded.of("otlp-json:" + signal, json).telemetry, "hinted JSON");
        assertEquals(expected, Decoded.of("otlp-proto", proto).telemetry, "auto-detected protobuf");
    }

    @Test
    void exportRequestBytesAreReadAsTheDataMessage() {
        ExportLogsServiceRequest req = ExportLogsServiceRequest.newBuilder()
                .addAllResourceLogs(OtlpSamples.logs().getResourceLogsList())
                .build();
        assertEquals(
                Decoded.of("otlp-proto:logs", OtlpSamples.logs().toByteArray()).telemetry,
                Decoded.of("otlp-proto:logs", req.toByteArray()).telemetry);
    }

    @Test
    void collectorLogsJsonWithStringIntsHexIdsAndUnknownFields() throws IOException {
        Telemetry t = Decoded.of("otlp-json:logs", resource("otlp/logs-collector.json"))
                .only();
        assertEquals(Signal.LOG, t.signal);
        assertEquals(1772366400123L, t.timestamp);
        assertEquals("auth", t.resource.get("service.name"));
        assertEquals("4711", t.resource.get("process.pid"));
        assertEquals("sshd-receiver", t.attributes.get("otel.scope.name"));
        assertEquals("52144", t.attributes.get("ssh.port"));
        assertEquals("true", t.attributes.get("sampled"));
        assertEquals("0.25", t.attributes.get("score"));
        assertEquals("WARN", t.severity);
        assertEquals(13, t.severityNumber);
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", t.traceId);
        assertEquals("00f067aa0ba902b7", t.spanId);
        assertTrue(t.body.startsWith("Failed password for invalid user admin"));
    }

    @Test
    void collectorTracesJson() throws IOException {
        Telemetry t =
                Decoded.of("otlp-json", resource("otlp/traces-collector.json")).only();
        assertEquals(Signal.SPAN, t.signal);
        assertEquals("5b8efff798038103d269b633813fc60c", t.traceId);
        assertEquals("eee19b7ec3c1b174", t.spanId);
        assertEquals("eee19b7ec3c1b173", t.parentSpanId);
        assertEquals("server", t.kind);
        assertEquals("error", t.status);
        assertEquals(250.0, t.durationMs, 1e-9);
        assertEquals("upstream timeout", t.attributes.get("otel.status_description"));
        assertEquals("503", t.attributes.get("http.response.status_code"));
        assertEquals("prod", t.resource.get("deployment.environment"));
    }

    @Test
    void collectorMetricsJsonKeepsFullInt64Precision() throws IOException {
        Decoded d = Decoded.of("otlp-json:metrics", resource("otlp/metrics-collector.json"));
        assertTrue(d.dead.isEmpty(), d.dead::toString);
        assertEquals(3, d.telemetry.size());
        assertEquals(MetricType.COUNTER, d.telemetry.get(0).metricType);
        assertEquals(9007199254740993.0, d.telemetry.get(0).value);
        assertEquals(0.42, d.telemetry.get(1).value);
        Telemetry h = d.telemetry.get(2);
        assertEquals(3, h.count);
        assertEquals(0.3, h.value, 1e-12);
        assertEquals(0.5, h.max);
    }

    @Test
    void oneBadRecordInABatchIsADeadLetterAndTheRestIsKept() {
        LogsData.Builder b = OtlpSamples.logs().toBuilder();
        b.getResourceLogsBuilder(0)
                .getScopeLogsBuilder(0)
                .setLogRecords(
                        1,
                        LogRecord.newBuilder()
                                .setBody(io.opentelemetry.proto.common.v1.AnyValue.newBuilder()
                                        .setStringValue("no time")));
        byte[] bytes = b.build().toByteArray();
        Decoded d = Decoded.of("otlp-proto:logs", bytes);
        assertEquals(2, d.telemetry.size());
        DeadLetter dl = d.dead.get(0);
        assertEquals(Reasons.INVALID_TIMESTAMP, dl.reason);
        assertEquals(
                "resourceLogs[0].scopeLogs[0].logRecords[1].timeUnixNano and observedTimeUnixNano: missing or zero",
                dl.detail);
        assertEquals("otlp-proto:logs", dl.format);
    }

    @Test
    void protobufOfAnotherSignalThanTheHintIsUnknownSignal() {
        DeadLetter dl = Decoded.of("otlp-proto:logs", OtlpSamples.metrics().toByteArray())
                .onlyDead();
        assertEquals(Reasons.UNKNOWN_SIGNAL, dl.reason);
        assertTrue(dl.detail.contains("reads cleanly as OTLP metrics"), dl.detail);
        dl = Decoded.of("otlp-proto:metrics", OtlpSamples.traces().toByteArray())
                .onlyDead();
        assertEquals(Reasons.UNKNOWN_SIGNAL, dl.reason);
    }

    @Test
    void jsonOfAnotherSignalThanTheHintIsUnknownSignal() {
        DeadLetter dl = Decoded.of("otlp-json:logs", OtlpJsonWriter.write(OtlpSamples.traces()))
                .onlyDead();
        assertEquals(Reasons.UNKNOWN_SIGNAL, dl.reason);
        assertEquals("the format says logs but the record holds resourceSpans", dl.detail);
    }

    @Test
    void jsonWrongTypeNamesThePath() {
        String json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"" + TRACE_ID + "\",\"spanId\":\""
                + SPAN_ID + "\",\"name\":\"x\",\"startTimeUnixNano\":{\"oops\":1}}]}]}]}";
        DeadLetter dl = Decoded.of("otlp-json", json).onlyDead();
        assertEquals(Reasons.INVALID_TYPE, dl.reason);
        assertEquals(
                "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: expected an integer (or a string "
                        + "holding one), got an object",
                dl.detail);
    }

    @Test
    void deeplyNestedValuesAreRefusedNotAStackOverflow() {
        StringBuilder deep = new StringBuilder();
        int levels = 400;
        for (int i = 0; i < levels; i++) {
            deep.append("{\"arrayValue\":{\"values\":[");
        }
        deep.append("{\"intValue\":\"1\"}");
        for (int i = 0; i < levels; i++) {
            deep.append("]}}");
        }
        String json = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"1772366400000000000\","
                + "\"body\":" + deep + "}]}]}]}";
        DeadLetter dl = Decoded.of("otlp-json", json).onlyDead();
        assertTrue(dl.reason.equals(Reasons.INVALID_VALUE) || dl.reason.equals(Reasons.PARSE_ERROR), dl.reason);
        assertTrue(dl.detail.contains("nested") || dl.detail.contains("depth"), dl.detail);
    }

    @Test
    void protoFieldNamesAndEnumNamesAreAcceptedToo() {
        String camel = new String(OtlpJsonWriter.write(OtlpSamples.traces()), java.nio.charset.StandardCharsets.UTF_8);
        String snake = camel.replace("resourceSpans", "resource_spans")
                .replace("scopeSpans", "scope_spans")
                .replace("traceId", "trace_id")
                .replace("spanId", "span_id")
                .replace("parentSpanId", "parent_span_id")
                .replace("startTimeUnixNano", "start_time_unix_nano")
                .replace("endTimeUnixNano", "end_time_unix_nano")
                .replace("\"kind\":2", "\"kind\":\"SPAN_KIND_SERVER\"")
                .replace("stringValue", "string_value")
                .replace("intValue", "int_value");
        assertTrue(snake.contains("SPAN_KIND_SERVER") && snake.contains("start_time_unix_nano"), snake);
        assertEquals(Decoded.of("otlp-json", camel).telemetry, Decoded.of("otlp-json", snake).telemetry);
    }

    @Test
    void int64StringsAreRangeChecked() {
        String tmpl = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"%s\","
                + "\"observedTimeUnixNano\":\"1772366400000000000\",\"droppedAttributesCount\":%s}]}]}]}";
        // fixed64 above Long.MAX_VALUE is a valid (absurd) time, not a parse problem.
        DeadLetter far = Decoded.of("otlp-json", String.format(tmpl, "18446744073709551615", "0"))
                .onlyDead();
        assertEquals(Reasons.INVALID_TIMESTAMP, far.reason, far.detail);
        DeadLetter over = Decoded.of("otlp-json", String.format(tmpl, "18446744073709551616", "0"))
                .onlyDead();
        assertEquals(Reasons.INVALID_VALUE, over.reason);
        assertTrue(
                over.detail.endsWith("timeUnixNano: 18446744073709551616 is out of range for this field"), over.detail);
        DeadLetter negative = Decoded.of("otlp-json", String.format(tmpl, "1772366400000000000", "-1"))
                .onlyDead();
        assertTrue(
                negative.detail.endsWith("droppedAttributesCount: -1 is out of range for this field"), negative.detail);
        DeadLetter text =
                Decoded.of("otlp-json", String.format(tmpl, "soon", "0")).onlyDead();
        assertEquals(Reasons.INVALID_TYPE, text.reason);
    }

    @Test
    void unknownFormatNamesTheValidOnes() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> Decoders.forFormat("otlp-proto:spans"));
        assertTrue(e.getMessage().contains("otlp-proto:traces"), e.getMessage());
        assertTrue(e.getMessage().contains("json, otlp-json"), e.getMessage());
    }

    static byte[] resource(String path) throws IOException {
        try (InputStream in = OtlpDecoderTest.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("missing test resource " + path);
            }
            return in.readAllBytes();
        }
    }
}
