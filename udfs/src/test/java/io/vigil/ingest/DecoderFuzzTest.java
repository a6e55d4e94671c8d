package io.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import io.vigil.model.MetricType;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based fuzzing of every decoder (issue 15): valid samples damaged by a few mutations (flipped, inserted,
 * deleted bytes, truncation, numbers with huge exponents or digit counts spliced in, invalid UTF-8, long values),
 * random bytes, and structured canonical JSON arrays with one defect at a known place. Every input must end as
 * telemetry or as dead letters with a known reason and a bounded detail, without an exception, and each dead letter's
 * raw bytes must be exactly the input it stands for.
 *
 * <p>Run by jqwik on the JUnit Platform. CI tries each property {@code jqwik.tries.default} times (200, set in
 * {@code src/test/resources/junit-platform.properties}); a long run raises it on the command line:
 * {@code mvn -B -o -pl udfs test -Dtest='*FuzzTest' -Djqwik.tries.default=100000}. jqwik prints the seed of a
 * failing run and shrinks the input; {@code @Property(seed = "...")} replays it. Input sizes are bounded by the
 * generators, so a try costs time linear in a bounded size; the {@link #HANG} bound only detects a hang (minutes of
 * BigInteger work before the fix) and asserts no speed.
 */
class DecoderFuzzTest {
    /** A hang detector, not a speed assertion: one decode of a few KB never comes near it unless it loops. */
    static final Duration HANG = Duration.ofSeconds(60);

    // ---------------------------------------------------------------------------------------------------------------
    // Samples

    static byte[] canonicalSample() {
        Telemetry histogram = Telemetry.metric(OtlpSamples.T_MS, "checkout", "latency", 0.5);
        histogram.metricType = MetricType.HISTOGRAM;
        histogram.count = 3;
        histogram.sum = 1.5;
        Telemetry span = Telemetry.span(OtlpSamples.T_MS, "cart", "GET /", 12.5, "ok");
        span.traceId = OtlpSamples.TRACE_ID;
        span.spanId = OtlpSamples.SPAN_ID;
        String canonical = "[" + TelemetryJson.write(histogram) + "," + TelemetryJson.write(span) + ","
                + TelemetryJson.write(
                        Telemetry.log(OtlpSamples.T_MS, "auth", "WARN", "x").attr("a", "b")) + "]";
        return canonical.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] canonicalSingle() {
        return TelemetryJson.write(Telemetry.log(OtlpSamples.T_MS, "auth", "ERROR", "denied")
                        .attr("user", "alice"))
                .getBytes(StandardCharsets.UTF_8);
    }

    static byte[] syslogSample() {
        try {
            return Files.readAllBytes(Path.of("src/test/resources/syslog/auth.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Numbers that broke or stalled decoders: huge and tiny exponents, long digit runs, edges of 64 bits. */
    static final List<String> HOSTILE_NUMBERS = List.of(
            "1e999999999",
            "1e-999999999",
            "1e10000000",
            "-1e10000000",
            "1E+2147483648",
            "1e-2147483649",
            "9".repeat(5000),
            "\"" + "9".repeat(5000) + "\"",
            "\"" + "0".repeat(3000) + "7\"",
            "0." + "0".repeat(900) + "1e905",
            "18446744073709551616",
            "\"18446744073709551616\"",
            "-9223372036854775809",
            "1.5",
            "-0",
            "-0.0e-0",
            "NaN",
            "\"NaN\"",
            "Infinity",
            "\"-Infinity\"",
            "\"1e3\"",
            "\" 12 \"",
            "1e308",
            "4.9e-324");

    /** Byte sequences that are not UTF-8: overlong forms, surrogates, beyond U+10FFFF, stray and cut sequences. */
    static final List<byte[]> INVALID_UTF8 = List.of(
            new byte[] {(byte) 0xC0, (byte) 0xAF},
            new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            new byte[] {(byte) 0xFF},
            new byte[] {(byte) 0x80},
            new byte[] {(byte) 0xE2, (byte) 0x82},
            new byte[] {0, 0});

    // ---------------------------------------------------------------------------------------------------------------
    // Mutations

    /** One damage to a sample; positions are fractions of the length so a mutation fits whatever it is applied to. */
    static final class Mutation {
        final int kind;
        final double where;
        final int size;
        final int pick;

        Mutation(int kind, double where, int size, int pick) {
            this.kind = kind;
            this.where = where;
            this.size = size;
            this.pick = pick;
        }

        byte[] apply(byte[] b) {
            if (b.length == 0) {
                return b;
            }
            int at = Math.min(b.length - 1, (int) (where * b.length));
            Random r = new Random(pick);
            switch (kind) {
                case 0: { // flip a bit
                    byte[] out = b.clone();
                    out[at] ^= (byte) (1 << (pick & 7));
                    return out;
                }
                case 1: { // insert random bytes
                    byte[] junk = new byte[size];
                    r.nextBytes(junk);
                    return splice(b, at, 0, junk);
                }
                case 2: // delete a run
                    return splice(b, at, Math.min(size, b.length - at), new byte[0]);
                case 3: // truncate
                    return java.util.Arrays.copyOf(b, at);
                case 4: { // a JSON- or YAML-significant character
                    byte[] special = "{}[]\":,-0eE.nNI \\\n\t&*!|>#'".getBytes(StandardCharsets.US_ASCII);
                    byte[] out = b.clone();
                    out[at] = special[Math.floorMod(pick, special.length)];
                    return out;
                }
                case 5: { // a hostile number in place of the next number (or string) at or after `at`
                    int start = at;
                    while (start < b.length && !(b[start] >= '0' && b[start] <= '9' || b[start] == '"')) {
                        start++;
                    }
                    if (start == b.length) {
                        start = at;
                    }
                    int end = start;
                    if (end < b.length && b[end] == '"') {
                        end++;
                        while (end < b.length && b[end] != '"') {
                            end++;
                        }
                        end = Math.min(b.length, end + 1);
                    } else {
                        while (end < b.length && "0123456789.eE+-".indexOf(b[end]) >= 0) {
                            end++;
                        }
                    }
                    String n = HOSTILE_NUMBERS.get(Math.floorMod(pick, HOSTILE_NUMBERS.size()));
                    return splice(b, start, end - start, n.getBytes(StandardCharsets.US_ASCII));
                }
                case 6: // invalid UTF-8
                    return splice(b, at, 0, INVALID_UTF8.get(Math.floorMod(pick, INVALID_UTF8.size())));
                case 7: { // duplicate a chunk
                    int len = Math.min(b.length - at, size * 8);
                    return splice(b, at, 0, java.util.Arrays.copyOfRange(b, at, at + len));
                }
                default: { // a long value: bytes after the next quote, for details that would repeat it
                    int q = at;
                    while (q < b.length && b[q] != '"') {
                        q++;
                    }
                    byte[] longValue = new byte[size * 1000];
                    java.util.Arrays.fill(longValue, (byte) ('a' + Math.floorMod(pick, 26)));
                    return splice(b, Math.min(b.length, q + 1), 0, longValue);
                }
            }
        }

        @Override
        public String toString() {
            return "Mutation{kind=" + kind + ", where=" + where + ", size=" + size + ", pick=" + pick + "}";
        }
    }

    static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    static Arbitrary<Mutation> mutations() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 8),
                        Arbitraries.doubles().between(0, 1).ofScale(4),
                        Arbitraries.integers().between(1, 16),
                        Arbitraries.integers())
                .as(Mutation::new);
    }

    /** A sample with one to four mutations applied, shown with what was done to it. */
    static final class Mutant {
        final String format;
        final byte[] bytes;
        final List<Mutation> how;

        Mutant(String format, byte[] sample, List<Mutation> how) {
            this.format = format;
            byte[] b = sample;
            for (Mutation m : how) {
                b = m.apply(b);
            }
            this.bytes = b;
            this.how = how;
        }

        @Override
        public String toString() {
            String shown = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.ISO_8859_1);
            return format + " " + how + " (" + bytes.length + " bytes): " + shown;
        }
    }

    static Arbitrary<Mutant> mutantsOf(Arbitrary<String> formats, Map<String, List<byte[]>> samples) {
        return formats.flatMap(format -> Combinators.combine(
                        Arbitraries.of(samples.get(format)),
                        mutations().list().ofMinSize(1).ofMaxSize(3))
                .as((sample, how) -> new Mutant(format, sample, how)));
    }

    static Arbitrary<Mutant> randomBytes(String... formats) {
        return Combinators.combine(
                        Arbitraries.of(formats),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(512))
                .as((f, b) -> new Mutant(f, b, List.of()));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The properties

    @Provide
    Arbitrary<Mutant> canonical() {
        Map<String, List<byte[]>> samples = Map.of("json", List.of(canonicalSample(), canonicalSingle()));
        return Arbitraries.frequencyOf(
                Tuple.of(4, mutantsOf(Arbitraries.just("json"), samples)), Tuple.of(1, randomBytes("json")));
    }

    @Property(edgeCases = EdgeCasesMode.NONE) // edge cases of the mutations (all at byte 0, ...) say little
    void canonicalJsonEndsInRecordsOrDeadLetters(@ForAll("canonical") Mutant in) {
        List<Ingested> out = decode(in.format, in.bytes);
        Statistics.label("outcome").collect(outcome(out));
        checkOutputs(in, out);
        assertFalse(out.isEmpty(), "canonical JSON yields a record or a dead letter for every input");
        checkCanonicalRaw(in.bytes, out);
    }

    @Provide
    Arbitrary<Mutant> otlpJson() {
        Map<String, List<byte[]>> samples = Map.of(
                "otlp-json", otlpJsonSamples(),
                "otlp-json:logs", List.of(OtlpJsonWriter.write(OtlpSamples.logs())),
                "otlp-json:metrics", List.of(OtlpJsonWriter.write(OtlpSamples.metrics())),
                "otlp-json:traces", List.of(OtlpJsonWriter.write(OtlpSamples.traces())));
        return Arbitraries.frequencyOf(
                Tuple.of(4, mutantsOf(Arbitraries.of(List.copyOf(samples.keySet())), samples)),
                Tuple.of(1, randomBytes("otlp-json")));
    }

    private static List<byte[]> otlpJsonSamples() {
        return List.of(
                OtlpJsonWriter.write(OtlpSamples.logs()),
                OtlpJsonWriter.write(OtlpSamples.metrics()),
                OtlpJsonWriter.write(OtlpSamples.traces()));
    }

    @Property(edgeCases = EdgeCasesMode.NONE) // edge cases of the mutations (all at byte 0, ...) say little
    void otlpJsonEndsInRecordsOrDeadLetters(@ForAll("otlpJson") Mutant in) {
        List<Ingested> out = decode(in.format, in.bytes);
        Statistics.label("outcome").collect(outcome(out));
        checkOutputs(in, out);
        checkWholeRaw(in, out);
        if (out.isEmpty()) {
            // Only a valid request that holds no record may yield nothing.
            assertEquals(0, otlpJsonRecords(in.format, in.bytes), "records lost without a dead letter: " + in);
        }
    }

    @Provide
    Arbitrary<Mutant> otlpProto() {
        Map<String, List<byte[]>> samples = Map.of(
                "otlp-proto",
                List.of(
                        OtlpSamples.logs().toByteArray(),
                        OtlpSamples.metrics().toByteArray(),
                        OtlpSamples.traces().toByteArray()),
                "otlp-proto:logs",
                List.of(OtlpSamples.logs().toByteArray()),
                "otlp-proto:metrics",
                List.of(OtlpSamples.metrics().toByteArray()),
                "otlp-proto:traces",
                List.of(OtlpSamples.traces().toByteArray()));
        return Arbitraries.frequencyOf(
                Tuple.of(4, mutantsOf(Arbitraries.of(List.copyOf(samples.keySet())), samples)),
                Tuple.of(1, randomBytes("otlp-proto", "otlp-proto:logs", "otlp-proto:metrics", "otlp-proto:traces")));
    }

    @Property(edgeCases = EdgeCasesMode.NONE) // edge cases of the mutations (all at byte 0, ...) say little
    void otlpProtoEndsInRecordsOrDeadLetters(@ForAll("otlpProto") Mutant in) {
        List<Ingested> out = decode(in.format, in.bytes);
        Statistics.label("outcome").collect(outcome(out));
        checkOutputs(in, out);
        checkWholeRaw(in, out);
        if (out.isEmpty()) {
            assertTrue(in.format.contains(":"), "without a hint every input yields something: " + in);
            assertEquals(0, otlpProtoRecords(in.format, in.bytes), "records lost without a dead letter: " + in);
        }
    }

    @Provide
    Arbitrary<Mutant> syslog() {
        Arbitrary<Mutant> longFields = Combinators.combine(
                        Arbitraries.of("<34>1 2026-11-02T04:05:00Z h a p m [", "Nov  2 04:00:01 ", "2026-11-02T04:"),
                        Arbitraries.strings()
                                .withChars("x[]\\= :0\"")
                                .ofMinLength(0)
                                .ofMaxLength(20_000))
                .as((head, tail) -> new Mutant("syslog", (head + tail).getBytes(StandardCharsets.UTF_8), List.of()));
        return Arbitraries.oneOf(
                mutantsOf(Arbitraries.just("syslog"), Map.of("syslog", List.of(syslogSample()))),
                randomBytes("syslog"),
                longFields);
    }

    /**
     * {@link SyslogDecoder} through its public API: a dead letter of input that is not UTF-8 holds the whole input; of
     * a line that is not syslog, that line's bytes.
     */
    @Property(edgeCases = EdgeCasesMode.NONE) // edge cases of the mutations (all at byte 0, ...) say little
    void syslogEndsInRecordsOrDeadLetters(@ForAll("syslog") Mutant in) {
        List<Ingested> out = decode(in.format, in.bytes);
        Statistics.label("outcome").collect(outcome(out));
        checkOutputs(in, out);
        assertFalse(out.isEmpty(), "syslog yields a record or a dead letter for every input");
        for (Ingested i : out) {
            if (i.isDead()) {
                assertTrue(
                        indexOf(in.bytes, i.deadLetter.raw, 0) >= 0,
                        "a syslog dead letter holds bytes of its input: " + i.deadLetter);
            }
        }
    }

    /* Defects this fuzzing found in SyslogDecoder, kept as examples. */

    @Example
    void syslogLongStructuredDataDoesNotOverflowTheStack() {
        byte[] line = ("<34>1 2026-11-02T04:05:00Z h a p m [" + "x".repeat(200_000) + "] msg")
                .getBytes(StandardCharsets.UTF_8);
        Mutant in = new Mutant("syslog", line, List.of());
        List<Ingested> out = decode(in.format, in.bytes);
        checkOutputs(in, out);
        assertFalse(out.isEmpty());
    }

    @Example
    void syslogRejectsMalformedUtf8AndKeepsTheRawBytes() {
        byte[] good = "Nov  2 04:00:01 h sshd[1]: aXXb".getBytes(StandardCharsets.UTF_8);
        good[good.length - 3] = (byte) 0xC0;
        good[good.length - 2] = (byte) 0xAF;
        DeadLetter d = Decoded.of("syslog", good).onlyDead();
        assertEquals(Reasons.PARSE_ERROR, d.reason);
        byte[] bad = good.clone();
        bad[4] = '9'; // "Nov 92": an invalid date too
        assertArrayEquals(bad, Decoded.of("syslog", bad).onlyDead().raw);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Structured canonical JSON arrays: exactly which bytes each dead letter holds

    /** A canonical JSON array of valid records, with some elements invalid and maybe one syntax error. */
    static final class JsonArrayCase {
        final String text;
        final List<String> accepted = new ArrayList<>();
        final List<String> deadRaw = new ArrayList<>();

        /**
         * @param valid per element: valid (true) or a rejected value (false)
         * @param breakAt where a syntax error goes (an element index; beyond the end: none)
         * @param breakKind 0: a broken element there, 1: a stray token instead of the comma before it, 2: cut there
         * @param space whitespace between tokens
         */
        JsonArrayCase(List<Boolean> valid, int breakAt, int breakKind, String space) {
            StringBuilder b = new StringBuilder("[").append(space);
            for (int i = 0; i < valid.size(); i++) {
                if (i == breakAt) {
                    int from;
                    if (breakKind == 0) {
                        if (i > 0) {
                            b.append(',').append(space);
                        }
                        from = b.length();
                        b.append("{\"signal\": }");
                    } else if (breakKind == 1) {
                        from = i == 0 ? 0 : b.length();
                        b.append(" x ");
                    } else {
                        if (i > 0) {
                            b.append(',').append(space);
                        }
                        from = b.length();
                        String cut = element(i, valid.get(i));
                        b.append(cut, 0, cut.length() / 2);
                        deadRaw.add(b.substring(from));
                        text = b.toString();
                        return;
                    }
                    for (int k = i; k < valid.size(); k++) {
                        b.append(k == i && breakKind == 1 ? "" : ",")
                                .append(space)
                                .append(element(k, valid.get(k)));
                    }
                    b.append(space).append(']');
                    deadRaw.add(b.substring(from));
                    text = b.toString();
                    return;
                }
                if (i > 0) {
                    b.append(',').append(space);
                }
                String e = element(i, valid.get(i));
                b.append(e);
                if (valid.get(i)) {
                    accepted.add("s" + i);
                } else {
                    deadRaw.add(e);
                }
            }
            b.append(space).append(']');
            text = b.toString();
        }

        static String element(int i, boolean valid) {
            if (valid) {
                return TelemetryJson.write(Telemetry.metric(OtlpSamples.T_MS, "s" + i, "m", i));
            }
            switch (i % 3) {
                case 0:
                    return "{\"signal\":\"nope\",\"timestamp\":" + OtlpSamples.T_MS + "}";
                case 1:
                    return "[1, {\"a\": 2}]";
                default:
                    return "\"s" + i + "\"";
            }
        }

        @Override
        public String toString() {
            return text;
        }
    }

    @Provide
    Arbitrary<JsonArrayCase> jsonArrays() {
        return Combinators.combine(
                        Arbitraries.of(true, true, true, false).list().ofMaxSize(6),
                        Arbitraries.integers().between(0, 7),
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.of("", " ", "\n  ", "\t"))
                .as(JsonArrayCase::new);
    }

    @Property
    void canonicalArrayDeadLettersHoldExactlyWhatWasNotAccepted(@ForAll("jsonArrays") JsonArrayCase in) {
        byte[] bytes = in.text.getBytes(StandardCharsets.UTF_8);
        List<Ingested> out = decode("json", bytes);
        List<String> accepted = new ArrayList<>();
        List<String> deadRaw = new ArrayList<>();
        for (Ingested i : out) {
            if (i.isDead()) {
                deadRaw.add(new String(i.deadLetter.raw, StandardCharsets.UTF_8));
            } else {
                accepted.add(i.telemetry.service());
            }
        }
        assertEquals(in.accepted, accepted);
        assertEquals(in.deadRaw, deadRaw);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Regressions found by this fuzzer, kept as fixed examples

    @Example
    void hostileNumbersInEveryNumericOtlpField() {
        for (String n : HOSTILE_NUMBERS) {
            for (String field :
                    List.of("timeUnixNano", "observedTimeUnixNano", "severityNumber", "droppedAttributesCount")) {
                String json = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\""
                        + OtlpSamples.T_NS + "\",\"" + field + "\":" + n + "}]}]}]}";
                Mutant in = new Mutant("otlp-json", json.getBytes(StandardCharsets.UTF_8), List.of());
                checkOutputs(in, decode(in.format, in.bytes));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Checks shared by the properties

    static List<Ingested> decode(String format, byte[] bytes) {
        TelemetryDecoder decoder = Decoders.forFormat(format);
        List<Ingested> out = new ArrayList<>();
        // Any exception fails the property: decoders report bad input as dead letters, never by throwing.
        assertTimeoutPreemptively(HANG, () -> decoder.decode(bytes, "fuzz", out::add), "decoding hangs");
        return out;
    }

    /** For jqwik's report: whether the inputs exercised acceptance, rejection and both. */
    static String outcome(List<Ingested> out) {
        long dead = out.stream().filter(Ingested::isDead).count();
        return out.isEmpty() ? "nothing" : dead == 0 ? "records" : dead == out.size() ? "dead letters" : "both";
    }

    @Example
    void theUndamagedSamplesDecodeCleanly() {
        Map<String, byte[]> samples = Map.of(
                "json", canonicalSample(),
                "otlp-json:logs", OtlpJsonWriter.write(OtlpSamples.logs()),
                "otlp-json:traces", OtlpJsonWriter.write(OtlpSamples.traces()),
                "otlp-proto:metrics", OtlpSamples.metrics().toByteArray(),
                "syslog", syslogSample());
        samples.forEach((format, bytes) -> {
            List<Ingested> out = decode(format, bytes);
            assertEquals("records", outcome(out), format + ": " + out);
        });
    }

    static void checkOutputs(Mutant in, List<Ingested> out) {
        String format = Decoders.forFormat(in.format).format();
        for (Ingested i : out) {
            assertTrue(i.isDead() ^ i.telemetry != null, "one of telemetry or dead letter: " + in);
            if (i.isDead()) {
                DeadLetter d = i.deadLetter;
                assertTrue(Reasons.ALL.contains(d.reason), "a known reason, got " + d.reason + " for " + in);
                assertNotNull(d.detail);
                assertFalse(d.detail.isBlank(), "a detail that says what was wrong: " + in);
                assertTrue(d.detail.length() <= Reasons.MAX_DETAIL_CHARS, d.detail.length() + " chars: " + in);
                assertNotNull(d.raw);
                assertEquals(format, d.format);
                assertTrue(d.origin.startsWith("fuzz"), d.origin);
            } else {
                Telemetry t = i.telemetry;
                assertNotNull(t.signal, "telemetry has a signal: " + in);
                assertTrue(t.timestamp > 0, "telemetry has an event time: " + in);
            }
        }
    }

    /** OTLP dead letters stand for a whole request (a record inside one has no bytes of its own). */
    static void checkWholeRaw(Mutant in, List<Ingested> out) {
        for (Ingested i : out) {
            if (i.isDead()) {
                assertArrayEquals(in.bytes, i.deadLetter.raw, "the dead letter holds the request: " + in);
            }
        }
    }

    /**
     * Canonical JSON: a lone object's dead letter holds it whole; an array's dead letters are disjoint pieces of it,
     * in order, so replaying them cannot repeat a record.
     */
    static void checkCanonicalRaw(byte[] input, List<Ingested> out) {
        int first = 0;
        while (first < input.length
                && (input[first] == ' ' || input[first] == '\n' || input[first] == '\t' || input[first] == '\r')) {
            first++;
        }
        boolean array = first < input.length && input[first] == '[';
        int from = 0;
        for (Ingested i : out) {
            if (!i.isDead()) {
                continue;
            }
            byte[] raw = i.deadLetter.raw;
            if (!array) {
                assertArrayEquals(input, raw, "a record that is not an array is dead-lettered whole");
                continue;
            }
            int at = indexOf(input, raw, from);
            if (at < 0) {
                fail("dead letter raw bytes are not the next piece of the input: "
                        + new String(raw, StandardCharsets.ISO_8859_1) + " in "
                        + new String(input, StandardCharsets.ISO_8859_1));
            }
            from = at + raw.length;
        }
    }

    static int indexOf(byte[] in, byte[] part, int from) {
        outer:
        for (int i = from; i <= in.length - part.length; i++) {
            for (int k = 0; k < part.length; k++) {
                if (in[i + k] != part[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Records in an OTLP/JSON request at the places the OTLP schema puts them (either key spelling), counted
     * independently of the decoder on Jackson's tree. Records under keys the schema does not know are ignored, as the
     * protobuf JSON mapping ignores unknown fields.
     */
    static int otlpJsonRecords(String format, byte[] json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            fail("nothing came out of a request that is not even JSON: " + e.getMessage());
            return -1;
        }
        List<List<String>> paths = new ArrayList<>();
        if (!format.contains(":") || format.endsWith(":logs")) {
            paths.add(List.of("resourceLogs|resource_logs", "scopeLogs|scope_logs", "logRecords|log_records"));
        }
        if (!format.contains(":") || format.endsWith(":traces")) {
            paths.add(List.of("resourceSpans|resource_spans", "scopeSpans|scope_spans", "spans"));
        }
        if (!format.contains(":") || format.endsWith(":metrics")) {
            paths.add(List.of(
                    "resourceMetrics|resource_metrics",
                    "scopeMetrics|scope_metrics",
                    "metrics",
                    "gauge|sum|histogram|exponentialHistogram|exponential_histogram|summary",
                    "dataPoints|data_points"));
        }
        int n = 0;
        for (List<String> path : paths) {
            n += count(root, path, 0);
        }
        return n;
    }

    private static int count(JsonNode n, List<String> path, int depth) {
        if (n == null || !n.isObject()) {
            return 0;
        }
        int total = 0;
        for (String key : path.get(depth).split("\\|")) {
            JsonNode child = n.get(key);
            if (depth == path.size() - 1) {
                total += child != null && child.isArray() ? child.size() : 0;
            } else if (child != null && child.isArray()) {
                for (JsonNode c : child) {
                    total += count(c, path, depth + 1);
                }
            } else if (child != null && child.isObject()) {
                total += count(child, path, depth + 1); // gauge, sum, ...: a message, not a list
            }
        }
        return total;
    }

    /** Records in an OTLP protobuf request of the hinted signal, counted on the generated messages. */
    static int otlpProtoRecords(String format, byte[] bytes) {
        try {
            int n = 0;
            if (format.endsWith(":logs")) {
                for (ResourceLogs r : LogsData.parseFrom(bytes).getResourceLogsList()) {
                    for (ScopeLogs s : r.getScopeLogsList()) {
                        n += s.getLogRecordsCount();
                    }
                }
            } else if (format.endsWith(":metrics")) {
                for (ResourceMetrics r : MetricsData.parseFrom(bytes).getResourceMetricsList()) {
                    for (ScopeMetrics s : r.getScopeMetricsList()) {
                        for (Metric m : s.getMetricsList()) {
                            n += m.getGauge().getDataPointsCount()
                                    + m.getSum().getDataPointsCount()
                                    + m.getHistogram().getDataPointsCount()
                                    + m.getExponentialHistogram().getDataPointsCount()
                                    + m.getSummary().getDataPointsCount();
                        }
                    }
                }
            } else {
                for (ResourceSpans r : TracesData.parseFrom(bytes).getResourceSpansList()) {
                    for (ScopeSpans s : r.getScopeSpansList()) {
                        n += s.getSpansCount();
                    }
                }
            }
            return n;
        } catch (InvalidProtocolBufferException e) {
            fail("nothing came out of bytes that are not protobuf: " + e.getMessage());
            return -1;
        }
    }
}
