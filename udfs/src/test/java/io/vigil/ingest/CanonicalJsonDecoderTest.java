package io.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.DeadLetter;
import io.vigil.model.MetricType;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CanonicalJsonDecoderTest {
    private static final long T = Instant.parse("2026-03-01T12:00:00.123Z").toEpochMilli();

    private static Telemetry roundTrip(Telemetry t) {
        return Decoded.of("json", TelemetryJson.write(t)).only();
    }

    @Test
    void gaugeRoundTrips() {
        Telemetry t = Telemetry.metric(T, "checkout", "http.server.request.duration", 0.25)
                .res("host.name", "web-1")
                .res("deployment.environment", "prod")
                .attr("http.route", "/pay");
        t.unit = "s";
        assertEquals(t, roundTrip(t));
    }

    @Test
    void histogramRoundTrips() {
        Telemetry t = Telemetry.metric(T, "checkout", "latency", 12.5);
        t.metricType = MetricType.HISTOGRAM;
        t.count = 4;
        t.sum = 50;
        t.min = 1.5;
        t.max = 30;
        assertEquals(t, roundTrip(t));
    }

    @Test
    void logRoundTrips() {
        Telemetry t = Telemetry.log(T, "auth", "WARN", "Failed password for root from 10.0.0.7")
                .attr("source.ip", "10.0.0.7")
                .attr("user.name", "root");
        assertEquals(t, roundTrip(t));
    }

    @Test
    void spanRoundTrips() {
        Telemetry t = Telemetry.span(T, "cart", "GET /cart", 87.5, "error");
        t.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        t.spanId = "00f067aa0ba902b7";
        t.parentSpanId = "53995c3f42cd8ad8";
        t.kind = "client";
        assertEquals(t, roundTrip(t));
    }

    @Test
    void eventRoundTrips() {
        Telemetry t = Telemetry.event(T, "deployer", "deployment.finished").attr("version", "1.4.2");
        assertEquals(t, roundTrip(t));
    }

    @Test
    void acceptsRfc3339TimestampsAndLenientAttributeScalars() {
        Telemetry t = Decoded.of(
                        "json",
                        "{\"signal\":\"log\",\"timestamp\":\"2026-03-01t13:00:00.123+01:00\","
                                + "\"resource\":{\"service.name\":\"a\"},\"attributes\":{\"http.status_code\":503,\"retry\":true,"
                                + "\"gone\":null},\"severity\":\"warning\",\"body\":\"x\",\"future_field\":{\"a\":[1,2]}}")
                .only();
        assertEquals(T, t.timestamp);
        assertEquals("503", t.attributes.get("http.status_code"));
        assertEquals("true", t.attributes.get("retry"));
        assertTrue(!t.attributes.containsKey("gone"));
        assertEquals("WARN", t.severity);
        assertEquals(13, t.severityNumber);
    }

    @Test
    void severityNumberAloneGivesSeverityText() {
        Telemetry t = Decoded.of("json", "{\"signal\":\"log\",\"timestamp\":" + T + ",\"severity_number\":18}")
                .only();
        assertEquals("ERROR", t.severity);
    }

    @Test
    void histogramWithoutValueGetsTheMean() {
        Telemetry t = Decoded.of(
                        "json",
                        "{\"signal\":\"metric\",\"timestamp\":" + T + ",\"name\":\"h\","
                                + "\"metric_type\":\"histogram\",\"count\":4,\"sum\":10}")
                .only();
        assertEquals(2.5, t.value);
        assertEquals(MetricType.HISTOGRAM, t.metricType);
    }

    @Test
    void arrayOfRecordsKeepsGoodOnesAndDeadLettersExactlyTheBadElement() {
        String good = "{\"signal\":\"event\",\"timestamp\":" + T + ",\"name\":\"e1\"}";
        String bad = "{\"signal\":\"metric\",\"timestamp\":" + T + ",\"name\":\"m\",\"value\":\"high\"}";
        Decoded d = Decoded.of("json", "[" + good + ", " + bad + ", " + good + "]");
        assertEquals(2, d.telemetry.size());
        assertEquals(Signal.EVENT, d.telemetry.get(1).signal);
        DeadLetter dl = d.dead.get(0);
        assertEquals(Reasons.INVALID_TYPE, dl.reason);
        assertEquals("[1].value: expected a number, got a string", dl.detail);
        assertArrayEquals(bad.getBytes(StandardCharsets.UTF_8), dl.raw);
    }

    @Test
    void nonObjectArrayElementsAreDeadLettersOfTheirOwnBytes() {
        String good = "{\"signal\":\"event\",\"timestamp\":" + T + ",\"name\":\"e1\"}";
        Decoded d = Decoded.of("json", "[" + good + ",42, \"x\" ,[1,{\"a\":2}]]");
        assertEquals(1, d.telemetry.size());
        assertEquals(3, d.dead.size());
        assertEquals("42", new String(d.dead.get(0).raw, StandardCharsets.UTF_8));
        assertEquals("\"x\"", new String(d.dead.get(1).raw, StandardCharsets.UTF_8));
        assertEquals("[1,{\"a\":2}]", new String(d.dead.get(2).raw, StandardCharsets.UTF_8));
        assertEquals("[3]: expected an object, got an array", d.dead.get(2).detail);
    }

    @Test
    void truncatedArrayDeadLettersOnlyTheUnreadRest() {
        String good = "{\"signal\":\"event\",\"timestamp\":" + T + ",\"name\":\"e1\"}";
        String rest = "{\"signal\":\"event\",\"timest";
        Decoded d = Decoded.of("json", "[" + good + "," + rest);
        assertEquals(1, d.telemetry.size());
        DeadLetter dl = d.dead.get(0);
        assertEquals(Reasons.PARSE_ERROR, dl.reason);
        assertArrayEquals(rest.getBytes(StandardCharsets.UTF_8), dl.raw);
        assertTrue(dl.detail.startsWith("[1]: malformed JSON"), dl.detail);
    }

    @Test
    void wrongTypeAndTruncationIsAParseError() {
        DeadLetter dl = Decoded.of("json", "{\"signal\":\"metric\",\"value\":\"x\",\"name\":\"m")
                .onlyDead();
        assertEquals(Reasons.PARSE_ERROR, dl.reason);
    }

    @Test
    void futureBoundCanBeSwitchedOffForSimulations() {
        long future = Instant.now().plusSeconds(3 * 86400).toEpochMilli();
        String json = "{\"signal\":\"event\",\"timestamp\":" + future + ",\"name\":\"e\"}";
        assertEquals(Reasons.INVALID_TIMESTAMP, Decoded.of("json", json).onlyDead().reason);
        TelemetryDecoder open =
                Decoders.forFormat("json", IngestLimits.defaults().withoutFutureBound());
        assertEquals(
                future, Decoded.of(open, json.getBytes(StandardCharsets.UTF_8)).only().timestamp);
    }

    @Test
    void epochSecondsGetAHint() {
        DeadLetter dl = Decoded.of("json", "{\"signal\":\"event\",\"timestamp\":1772366400,\"name\":\"e\"}")
                .onlyDead();
        assertEquals(Reasons.INVALID_TIMESTAMP, dl.reason);
        assertTrue(dl.detail.contains("looks like epoch seconds"), dl.detail);
    }

    @Test
    void uppercaseIdsAreNormalised() {
        Telemetry t = Decoded.of(
                        "json",
                        "{\"signal\":\"span\",\"timestamp\":" + T + ",\"name\":\"s\","
                                + "\"trace_id\":\"4BF92F3577B34DA6A3CE929D0E0E4736\",\"kind\":\"SPAN_KIND_SERVER\","
                                + "\"status\":\"STATUS_CODE_OK\"}")
                .only();
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", t.traceId);
        assertEquals("server", t.kind);
        assertEquals("ok", t.status);
        assertNull(t.spanId);
    }

    @Test
    void theReadmeExamplesDecode() throws java.io.IOException {
        // The same four records as the README's input-format section (an array of them, which is also accepted).
        Decoded d = Decoded.of(Decoders.forFormat("json"), OtlpDecoderTest.resource("examples/readme-canonical.json"));
        assertTrue(d.dead.isEmpty(), d.dead::toString);
        assertEquals(
                java.util.List.of(Signal.METRIC, Signal.LOG, Signal.SPAN, Signal.EVENT),
                d.telemetry.stream().map(t -> t.signal).collect(java.util.stream.Collectors.toList()));
        assertEquals(MetricType.HISTOGRAM, d.telemetry.get(0).metricType);
        assertEquals(Instant.parse("2026-03-01T12:00:00.250Z").toEpochMilli(), d.telemetry.get(1).timestamp);
    }
}
