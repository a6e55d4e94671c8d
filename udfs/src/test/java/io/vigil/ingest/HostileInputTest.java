package io.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression tests for the defects a mutation run over the decoders found (issue 15): numbers with huge exponents or
 * digit counts, syntax errors in canonical JSON arrays, malformed UTF-8, details that repeat a whole value, and a
 * decoder that throws. The timeouts are hang detectors (minutes of BigInteger arithmetic), not speed assertions.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileInputTest {
    /** An OTLP/JSON trace request with one span whose end time is written as {@code endTime}, verbatim. */
    private static String span(String endTime) {
        return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
                + "{\"stringValue\":\"cart\"}}]},\"scopeSpans\":[{\"spans\":[{\"traceId\":\"" + OtlpSamples.TRACE_ID
                + "\",\"spanId\":\"" + OtlpSamples.SPAN_ID + "\",\"name\":\"GET /\",\"kind\":2,"
                + "\"startTimeUnixNano\":\"" + OtlpSamples.T_NS + "\",\"endTimeUnixNano\":" + endTime + "}]}]}]}";
    }

    /** An OTLP/JSON log request with one attribute whose intValue is written as {@code value}, verbatim. */
    private static String logWithInt(String value) {
        return "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"" + OtlpSamples.T_NS
                + "\",\"body\":{\"stringValue\":\"x\"},\"attributes\":[{\"key\":\"n\",\"value\":{\"intValue\":"
                + value + "}}]}]}]}]}";
    }

    private static DeadLetter deadOtlp(String json) {
        byte[] raw = json.getBytes(StandardCharsets.UTF_8);
        DeadLetter d = Decoded.of("otlp-json", raw).onlyDead();
        assertArrayEquals(raw, d.raw);
        assertTrue(d.detail.length() <= Reasons.MAX_DETAIL_CHARS, d.detail);
        return d;
    }

    @Test
    void theSpanSampleIsValid() {
        assertEquals(
                1,
                Decoded.of("otlp-json", span("\"" + (OtlpSamples.T_NS + 5) + "\""))
                        .telemetry
                        .size());
        assertEquals(1, Decoded.of("otlp-json", logWithInt("12")).telemetry.size(), "the log sample is valid");
        assertEquals(1, Decoded.of("otlp-json", logWithInt("1.2e1")).telemetry.size(), "1.2e1 is the integer 12");
    }

    @Test
    void hugeExponentsAreDeadLettersNotExceptions() {
        DeadLetter d = deadOtlp(span("1e999999999"));
        assertEquals(Reasons.INVALID_VALUE, d.reason, d.detail);
        assertTrue(d.detail.contains("endTimeUnixNano") && d.detail.contains("out of range"), d.detail);

        d = deadOtlp(logWithInt("1e-999999999"));
        assertEquals(Reasons.INVALID_TYPE, d.reason, d.detail);
        assertTrue(d.detail.contains("intValue") && d.detail.contains("expected an integer"), d.detail);

        d = deadOtlp(span("1e99999999999")); // an exponent beyond an int
        assertEquals(Reasons.INVALID_VALUE, d.reason, d.detail);
        d = deadOtlp(logWithInt("-1e-99999999999"));
        assertEquals(Reasons.INVALID_TYPE, d.reason, d.detail);
    }

    @Test
    void numbersAreBoundedBeforeTheyAreConverted() {
        // Both took minutes or seconds of BigInteger arithmetic for one record.
        DeadLetter d = deadOtlp(span("1e10000000"));
        assertEquals(Reasons.INVALID_VALUE, d.reason, d.detail);
        String millionDigits = "9".repeat(1_000_000);
        d = deadOtlp(span("\"" + millionDigits + "\""));
        assertEquals(Reasons.INVALID_VALUE, d.reason, d.detail);
        assertTrue(d.detail.contains("(1000000 chars)"), "the value is quoted in part: " + d.detail);
        // Leading zeros do not count: this is 12.
        assertEquals(
                1,
                Decoded.of("otlp-json", logWithInt("\"" + "0".repeat(100_000) + "12\""))
                        .telemetry
                        .size());
        // Just past the range of each kind of field.
        assertEquals(Reasons.INVALID_VALUE, deadOtlp(span("\"18446744073709551616\"")).reason);
        assertEquals(Reasons.INVALID_VALUE, deadOtlp(logWithInt("9223372036854775808")).reason);
        assertEquals(Reasons.INVALID_VALUE, deadOtlp(logWithInt("9.3e18")).reason);
        assertEquals(Reasons.INVALID_TYPE, deadOtlp(logWithInt("\"12x\"")).reason);
        assertEquals(Reasons.INVALID_TYPE, deadOtlp(logWithInt("1.5")).reason);
    }

    private static String record(String service) {
        return TelemetryJson.write(Telemetry.metric(OtlpSamples.T_MS, service, "latency", 1.0));
    }

    @Test
    void aSyntaxErrorInAnArrayDeadLettersOnlyWhatWasNotAccepted() {
        String a = record("a");
        String b = record("b");
        String broken = "[" + a + "," + b + ", {\"signal\": }";
        Decoded d = Decoded.of("json", broken);
        assertEquals(2, d.telemetry.size());
        assertEquals(1, d.dead.size());
        assertEquals(Reasons.PARSE_ERROR, d.dead.get(0).reason);
        assertEquals("{\"signal\": }", new String(d.dead.get(0).raw, StandardCharsets.UTF_8));

        // A syntax error between elements: the dead letter starts right after the accepted one.
        d = Decoded.of("json", "[" + a + " x]");
        assertEquals(1, d.telemetry.size());
        assertEquals(" x]", new String(d.dead.get(0).raw, StandardCharsets.UTF_8));

        // A syntax error inside the second element: the first is accepted, the dead letter starts at the second.
        d = Decoded.of("json", "[" + a + "," + b.substring(0, 20) + "]");
        assertEquals(1, d.telemetry.size());
        assertEquals(b.substring(0, 20) + "]", new String(d.dead.get(0).raw, StandardCharsets.UTF_8));

        // Trailing garbage after a complete array: the garbage, not nothing.
        d = Decoded.of("json", "[" + a + "] garbage");
        assertEquals(1, d.telemetry.size());
        assertEquals(" garbage", new String(d.dead.get(0).raw, StandardCharsets.UTF_8));

        // Broken before the first element: the whole record.
        d = Decoded.of("json", "[}");
        assertEquals("[}", new String(d.onlyDead().raw, StandardCharsets.UTF_8));
    }

    @Test
    void malformedUtf8IsRejectedNotDecoded() {
        // C0 AF is an overlong '/': Jackson alone decodes it to "/".
        byte[] prefix = ("{\"signal\":\"log\",\"timestamp\":" + OtlpSamples.T_MS + ",\"body\":\"a")
                .getBytes(StandardCharsets.UTF_8);
        byte[] overlong = concat(prefix, new byte[] {(byte) 0xC0, (byte) 0xAF}, "\"}".getBytes(StandardCharsets.UTF_8));
        DeadLetter d = Decoded.of("json", overlong).onlyDead();
        assertEquals(Reasons.PARSE_ERROR, d.reason);
        assertEquals(
                "malformed UTF-8 at byte " + prefix.length
                        + " (bytes from there: C0 AF 22 7D); JSON text must be UTF-8",
                d.detail);
        assertArrayEquals(overlong, d.raw);

        // In an array, only the element that holds the bad bytes is a dead letter, with exactly its bytes.
        String a = record("a");
        byte[] array = concat(
                ("[" + a + ",").getBytes(StandardCharsets.UTF_8),
                overlong,
                ("," + record("c") + "]").getBytes(StandardCharsets.UTF_8));
        Decoded batch = Decoded.of("json", array);
        assertEquals(2, batch.telemetry.size());
        assertEquals(1, batch.dead.size());
        assertArrayEquals(overlong, batch.dead.get(0).raw);
        assertTrue(batch.dead.get(0).detail.startsWith("[1]: malformed UTF-8 at byte "), batch.dead.get(0).detail);

        // An encoded surrogate (ED A0 80) and a code point beyond U+10FFFF (F4 90 80 80), in OTLP/JSON.
        for (byte[] bad : List.of(
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80})) {
            String[] halves = logWithInt("1").split("\"x\"");
            byte[] raw = concat(
                    (halves[0] + "\"").getBytes(StandardCharsets.UTF_8),
                    bad,
                    ("\"" + halves[1]).getBytes(StandardCharsets.UTF_8));
            d = Decoded.of("otlp-json", raw).onlyDead();
            assertEquals(Reasons.PARSE_ERROR, d.reason);
            assertTrue(d.detail.startsWith("malformed UTF-8 at byte "), d.detail);
        }

        // UTF-16 is not guessed from NUL bytes.
        byte[] utf16 = "{\"a\":1}".getBytes(StandardCharsets.UTF_16BE);
        assertEquals(Reasons.PARSE_ERROR, Decoded.of("json", utf16).onlyDead().reason);
        // Valid multi-byte UTF-8 still decodes.
        assertEquals(
                "h\u00e9 \u20ac \uD83D\uDE00",
                Decoded.of(
                                "json",
                                TelemetryJson.write(
                                        Telemetry.log(OtlpSamples.T_MS, "a", "INFO", "h\u00e9 \u20ac \uD83D\uDE00")))
                        .only()
                        .body);
    }

    @Test
    void detailsAreBounded() {
        String huge = "x".repeat(100_000);
        DeadLetter d = Decoded.of(
                        "json",
                        "{\"signal\":\"span\",\"timestamp\":" + OtlpSamples.T_MS + ",\"name\":\"a\",\"trace_id\":\""
                                + huge + "\"}")
                .onlyDead();
        assertEquals(Reasons.INVALID_VALUE, d.reason);
        assertTrue(d.detail.length() <= Reasons.MAX_DETAIL_CHARS, d.detail.length() + " chars");
        assertTrue(d.detail.endsWith("is not 32 hex digits (it has 100000 characters)"), d.detail);
        assertTrue(d.detail.contains("\"... (100000 chars)"), d.detail);

        d = deadOtlp(span("\"" + huge + "\"")); // the value's excerpt and its path
        assertTrue(d.detail.contains("endTimeUnixNano"), d.detail);

        String longDetail = "y".repeat(1000);
        String cut = Reasons.detail(longDetail);
        assertEquals(Reasons.MAX_DETAIL_CHARS, cut.length());
        assertTrue(cut.endsWith("... (1000 chars, truncated)"), cut);
        assertEquals("short", Reasons.detail("short"));
    }

    @Test
    void aDecoderThatThrowsCostsOnlyItsOwnRecord() {
        TelemetryDecoder failsOnB = new TelemetryDecoder() {
            private static final long serialVersionUID = 1L;

            @Override
            public void decode(byte[] payload, String origin, java.util.function.Consumer<Ingested> out) {
                Decoders.forFormat("json").decode(payload, origin, out);
                if (new String(payload, StandardCharsets.UTF_8).contains("\"b\"")) {
                    throw new IllegalStateException("a bug");
                }
            }

            @Override
            public String format() {
                return "json";
            }
        };
        List<Ingested> out = new ArrayList<>();
        for (String service : List.of("a", "b", "c")) {
            Decoders.decodeSafely(failsOnB, record(service).getBytes(StandardCharsets.UTF_8), service, out::add);
        }
        assertEquals(3, out.size(), "what b emitted before the failure is withheld: " + out);
        assertEquals("a", out.get(0).telemetry.service());
        assertEquals(Reasons.DECODER_ERROR, out.get(1).deadLetter.reason);
        assertEquals("IllegalStateException: a bug", out.get(1).deadLetter.detail);
        assertArrayEquals(record("b").getBytes(StandardCharsets.UTF_8), out.get(1).deadLetter.raw);
        assertEquals("c", out.get(2).telemetry.service());
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
