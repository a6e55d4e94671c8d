package io.vigil.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import io.vigil.model.MetricType;
import io.vigil.model.Severities;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads the canonical JSON that {@link io.vigil.model.TelemetryJson} writes (documented in the README and in
 * {@code schema/telemetry.schema.json}): one JSON object per record, or a JSON array of such objects.
 *
 * <p>It reads with Jackson's streaming parser straight into {@link Telemetry}, never through a tree: building a
 * JsonNode tree first and copying it into the model would allocate every value twice, and the ingest benchmark holds
 * this decoder to at least the speed of a bare tree parse. Unknown fields are skipped so newer writers can add fields;
 * a known field with the wrong type or an unusable value is a dead letter naming the field. JSON null counts as absent.
 * Non-numeric numbers (NaN, Infinity) are allowed by the parser only so that they can be rejected with a precise reason
 * instead of a generic parse error.
 */
public final class CanonicalJsonDecoder implements TelemetryDecoder {
    private static final long serialVersionUID = 1L;

    public static final String FORMAT = "json";

    /** The top-level fields this decoder knows; the JSON Schema lists the same ones. */
    public static final List<String> FIELDS = List.of(
            "signal",
            "timestamp",
            "resource",
            "attributes",
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
            "duration_ms");

    static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    private static final List<String> KINDS = List.of("internal", "server", "client", "producer", "consumer");
    private static final List<String> STATUSES = List.of("unset", "ok", "error");

    private final IngestLimits limits;

    public CanonicalJsonDecoder(IngestLimits limits) {
        this.limits = limits;
    }

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public void decode(byte[] payload, String origin, Consumer<Ingested> out) {
        DeadLetter unusable = limits.unusable(payload, origin, FORMAT);
        if (unusable != null) {
            out.accept(Ingested.dead(unusable));
            return;
        }
        String nul = nulAtStart(payload);
        if (nul != null) {
            out.accept(dead(payload, origin, Reasons.PARSE_ERROR, nul));
            return;
        }
        // Where the bytes are not UTF-8 (null when they all are): a lone object with any is a dead letter; in an array,
        // only the elements that hold them are, so one producer's bad string does not cost the whole batch.
        int[] malformed = malformedUtf8(payload);
        int nextMalformed = 0;
        // Start of the bytes not yet emitted or dead-lettered: a parse error dead-letters exactly the rest, so what
        // was already emitted from an array is not duplicated by a replay of the dead letter.
        int pending = 0;
        int index = -1;
        try (JsonParser p = JSON.createParser(payload)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                out.accept(dead(payload, origin, Reasons.PARSE_ERROR, "only whitespace"));
                return;
            }
            if (t != JsonToken.START_ARRAY && malformed != null) {
                out.accept(dead(payload, origin, Reasons.PARSE_ERROR, malformedMessage(payload, malformed[0])));
                return;
            }
            if (t == JsonToken.START_OBJECT) {
                JsonStreamContext root = p.getParsingContext().getParent();
                Telemetry record = null;
                Rejection rejected = null;
                try {
                    record = readRecord(p);
                } catch (Rejection r) {
                    rejected = r;
                    // Read on to the end anyway: if the bytes are also malformed, parse_error is the truer reason.
                    skipRestOfObject(p, root);
                }
                if (p.nextToken() != null) {
                    out.accept(dead(
                            payload,
                            origin,
                            Reasons.PARSE_ERROR,
                            "trailing content after the JSON object at byte "
                                    + p.currentTokenLocation().getByteOffset()));
                } else if (rejected != null) {
                    out.accept(dead(payload, origin, rejected.reason, rejected.detail()));
                } else {
                    out.accept(Ingested.of(record));
                }
                return;
            }
            if (t != JsonToken.START_ARRAY) {
                out.accept(dead(
                        payload,
                        origin,
                        Reasons.INVALID_TYPE,
                        "expected a JSON object (or an array of objects), got " + describe(t)));
                return;
            }
            JsonStreamContext array = p.getParsingContext();
            index = 0;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                pending = (int) p.currentTokenLocation().getByteOffset();
                int end;
                if (t != JsonToken.START_OBJECT) {
                    if (t.isStructStart()) {
                        p.skipChildren();
                        end = (int) p.currentTokenLocation().getByteOffset() + 1;
                    } else {
                        p.getText(); // Jackson reads string contents lazily: finish it so the location is its end
                        end = (int) p.currentLocation().getByteOffset();
                    }
                    out.accept(dead(
                            slice(payload, pending, end),
                            origin,
                            Reasons.INVALID_TYPE,
                            "[" + index + "]: expected an object, got " + describe(t)));
                } else {
                    try {
                        Telemetry record = readRecord(p);
                        end = (int) p.currentTokenLocation().getByteOffset() + 1;
                        while (malformed != null
                                && nextMalformed < malformed.length
                                && malformed[nextMalformed] < pending) {
                            nextMalformed++;
                        }
                        if (malformed != null && nextMalformed < malformed.length && malformed[nextMalformed] < end) {
                            out.accept(dead(
                                    slice(payload, pending, end),
                                    origin,
                                    Reasons.PARSE_ERROR,
                                    "[" + index + "]: " + malformedMessage(payload, malformed[nextMalformed])));
                        } else {
                            out.accept(Ingested.of(record));
                        }
                    } catch (Rejection r) {
                        skipRestOfObject(p, array);
                        end = (int) p.currentTokenLocation().getByteOffset() + 1;
                        out.accept(
                                dead(slice(payload, pending, end), origin, r.reason, "[" + index + "]." + r.detail()));
                    }
                }
                // Accepted or dead-lettered: a parse error from here on stands only for what follows.
                pending = end;
                index++;
            }
            pending = (int) p.currentTokenLocation().getByteOffset() + 1; // just after the closing bracket
            if (p.nextToken() != null) {
                int at = (int) p.currentTokenLocation().getByteOffset();
                out.accept(dead(
                        slice(payload, at, payload.length),
                        origin,
                        Reasons.PARSE_ERROR,
                        "trailing content after the JSON array at byte " + at));
            }
        } catch (JsonProcessingException e) {
            // Everything from the first byte not yet accepted or dead-lettered: for a lone object or an array that
            // broke before its first element, the whole record.
            String where = index >= 0 ? "[" + index + "]: " : "";
            out.accept(dead(
                    slice(payload, pending, payload.length), origin, Reasons.PARSE_ERROR, where + parseMessage(e)));
        } catch (IOException e) {
            // Reading from a byte array does no I/O; anything here is still a malformed record.
            out.accept(dead(payload, origin, Reasons.PARSE_ERROR, String.valueOf(e.getMessage())));
        }
    }

    /** Reads one record; the parser is on its START_OBJECT and is left on its END_OBJECT. */
    private Telemetry readRecord(JsonParser p) throws IOException, Rejection {
        Telemetry t = new Telemetry();
        boolean hasTimestamp = false;
        boolean hasValue = false;
        JsonToken tok;
        String f;
        while ((f = p.nextFieldName()) != null) {
            tok = p.nextToken();
            if (tok == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (f) {
                case "signal": {
                    String s = string(p, tok, f);
                    t.signal = Signal.fromWire(s);
                    if (t.signal == null) {
                        throw new Rejection(
                                Reasons.UNKNOWN_SIGNAL,
                                "signal: " + Reasons.quote(s) + " is not one of metric, log, span, event");
                    }
                    break;
                }
                case "timestamp":
                    t.timestamp = timestamp(p, tok);
                    hasTimestamp = true;
                    break;
                case "resource":
                    readMap(p, tok, f, t.resource);
                    break;
                case "attributes":
                    readMap(p, tok, f, t.attributes);
                    break;
                case "name":
                    t.name = string(p, tok, f);
                    break;
                case "value":
                    t.value = finite(p, tok, f);
                    hasValue = true;
                    break;
                case "unit":
                    t.unit = string(p, tok, f);
                    break;
                case "metric_type": {
                    String s = string(p, tok, f);
                    t.metricType = MetricType.fromWire(s);
                    if (t.metricType == null) {
                        throw new Rejection(
                                Reasons.INVALID_VALUE,
                                "metric_type: " + Reasons.quote(s)
                                        + " is not one of gauge, counter, histogram (or sum, summary)");
                    }
                    break;
                }
                case "count": {
                    if (tok != JsonToken.VALUE_NUMBER_INT) {
                        throw wrongType(f, "a non-negative integer", tok);
                    }
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
                        throw new Rejection(
                                Reasons.INVALID_VALUE,
                                "count: " + p.getText() + " is not a non-negative 64-bit integer");
                    }
                    t.count = p.getLongValue();
                    break;
                }
                case "sum":
                    t.sum = finite(p, tok, f);
                    break;
                case "min":
                    t.min = finite(p, tok, f);
                    break;
                case "max":
                    t.max = finite(p, tok, f);
                    break;
                case "severity": {
                    String s = string(p, tok, f);
                    t.severity = severity(s);
                    if (t.severity == null) {
                        throw new Rejection(
                                Reasons.INVALID_VALUE,
                                "severity: " + Reasons.quote(s)
                                        + " is not one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL (or a common spelling)");
                    }
                    break;
                }
                case "severity_number": {
                    if (tok != JsonToken.VALUE_NUMBER_INT) {
                        throw wrongType(f, "an integer from 1 to 24", tok);
                    }
                    long n = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? -1 : p.getLongValue();
                    if (n < 0 || n > 24) {
                        throw new Rejection(
                                Reasons.INVALID_VALUE, "severity_number: " + p.getText() + " is outside 1..24");
                    }
                    t.severityNumber = (int) n;
                    break;
                }
                case "body":
                    t.body = string(p, tok, f);
                    break;
                case "trace_id":
                    t.traceId = hexId(string(p, tok, f), 32, f);
                    break;
                case "span_id":
                    t.spanId = hexId(string(p, tok, f), 16, f);
                    break;
                case "parent_span_id": {
                    String s = string(p, tok, f);
                    t.parentSpanId = s.isEmpty() ? null : hexId(s, 16, f);
                    break;
                }
                case "kind":
                    t.kind = oneOf(string(p, tok, f), "span_kind_", KINDS, f);
                    break;
                case "status":
                    t.status = oneOf(string(p, tok, f), "status_code_", STATUSES, f);
                    break;
                case "duration_ms": {
                    double d = finite(p, tok, f);
                    if (d < 0) {
                        throw new Rejection(Reasons.INVALID_VALUE, "duration_ms: " + p.getText() + " is negative");
                    }
                    t.durationMs = d;
                    break;
                }
                default:
                    // Forward compatible: fields from newer writers are skipped, whatever their shape.
                    p.skipChildren();
            }
        }
        return validate(t, hasTimestamp, hasValue);
    }

    private Telemetry validate(Telemetry t, boolean hasTimestamp, boolean hasValue) throws Rejection {
        if (t.signal == null) {
            throw new Rejection(Reasons.MISSING_FIELD, "signal: missing (one of metric, log, span, event)");
        }
        if (!hasTimestamp) {
            throw new Rejection(
                    Reasons.MISSING_FIELD, "timestamp: missing (epoch milliseconds or an RFC 3339 date-time)");
        }
        String bad = limits.checkTimestamp(t.timestamp);
        if (bad != null) {
            throw new Rejection(Reasons.INVALID_TIMESTAMP, "timestamp: " + bad);
        }
        switch (t.signal) {
            case METRIC:
                requireName(t);
                if (t.metricType == null) {
                    t.metricType = MetricType.GAUGE;
                }
                if (!hasValue) {
                    if (t.metricType == MetricType.HISTOGRAM && t.count > 0) {
                        t.value = t.sum / t.count;
                    } else if (t.metricType != MetricType.HISTOGRAM) {
                        throw new Rejection(Reasons.MISSING_FIELD, "value: missing (a metric point needs a value)");
                    }
                }
                break;
            case LOG:
                if (t.severity == null && t.severityNumber > 0) {
                    t.severity = Severities.text(t.severityNumber);
                } else if (t.severity != null && t.severityNumber == 0) {
                    t.severityNumber = severityNumber(t.severity);
                }
                break;
            case SPAN:
            case EVENT:
            default:
                requireName(t);
                break;
        }
        return t;
    }

    private static void requireName(Telemetry t) throws Rejection {
        if (t.name == null || t.name.isEmpty()) {
            throw new Rejection(Reasons.MISSING_FIELD, "name: missing (a " + t.signal.wireName() + " needs a name)");
        }
    }

    private long timestamp(JsonParser p, JsonToken tok) throws IOException, Rejection {
        switch (tok) {
            case VALUE_NUMBER_INT:
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new Rejection(
                            Reasons.INVALID_TIMESTAMP,
                            "timestamp: " + p.getText() + " does not fit epoch milliseconds");
                }
                return p.getLongValue();
            case VALUE_NUMBER_FLOAT: {
                double d = p.getDoubleValue();
                if (!Double.isFinite(d) || Math.abs(d) >= 9.0e18) {
                    throw new Rejection(
                            Reasons.INVALID_TIMESTAMP,
                            "timestamp: " + p.getText() + " is not a finite number of epoch milliseconds");
                }
                return (long) Math.floor(d);
            }
            case VALUE_STRING:
                return rfc3339(p.getText());
            default:
                throw wrongType("timestamp", "epoch milliseconds or an RFC 3339 string", tok);
        }
    }

    /** RFC 3339 allows a lower-case T and Z and a space between date and time; java.time's ISO parser does not. */
    static long rfc3339(String s) throws Rejection {
        String iso = s.length() > 10 && (s.charAt(10) == ' ' || s.charAt(10) == 't')
                ? s.substring(0, 10) + 'T' + s.substring(11)
                : s;
        if (iso.endsWith("z")) {
            iso = iso.substring(0, iso.length() - 1) + 'Z';
        }
        try {
            return OffsetDateTime.parse(iso, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant()
                    .toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new Rejection(
                    Reasons.INVALID_TIMESTAMP,
                    "timestamp: " + Reasons.quote(s)
                            + " is not an RFC 3339 date-time with offset, e.g. 2026-01-31T12:00:00.250Z");
        }
    }

    private static void readMap(JsonParser p, JsonToken tok, String field, Map<String, String> into)
            throws IOException, Rejection {
        if (tok != JsonToken.START_OBJECT) {
            throw wrongType(field, "an object of attribute names to values", tok);
        }
        String key;
        while ((key = p.nextFieldName()) != null) {
            String text = p.nextTextValue();
            if (text != null) {
                into.put(key, text); // the common case: a string value
                continue;
            }
            tok = p.currentToken();
            switch (tok) {
                case VALUE_STRING:
                case VALUE_NUMBER_INT:
                case VALUE_TRUE:
                case VALUE_FALSE:
                    into.put(key, p.getText());
                    break;
                case VALUE_NUMBER_FLOAT:
                    if (p.isNaN()) {
                        throw new Rejection(
                                Reasons.INVALID_VALUE,
                                field + "[" + Reasons.quote(key) + "]: " + p.getText() + " is not a finite number");
                    }
                    into.put(key, p.getText());
                    break;
                case VALUE_NULL:
                    break;
                default:
                    throw wrongType(field + "[" + Reasons.quote(key) + "]", "a string, number or boolean", tok);
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new JsonParseException(p, "expected a field name or the end of " + field);
        }
    }

    private static String string(JsonParser p, JsonToken tok, String field) throws IOException, Rejection {
        if (tok != JsonToken.VALUE_STRING) {
            throw wrongType(field, "a string", tok);
        }
        return p.getText();
    }

    private static double finite(JsonParser p, JsonToken tok, String field) throws IOException, Rejection {
        if (tok != JsonToken.VALUE_NUMBER_INT && tok != JsonToken.VALUE_NUMBER_FLOAT) {
            throw wrongType(field, "a number", tok);
        }
        if (p.isNaN()) {
            throw new Rejection(Reasons.INVALID_VALUE, field + ": " + p.getText() + " is not a finite number");
        }
        double d = p.getDoubleValue();
        if (!Double.isFinite(d)) {
            // A literal too large for a double, e.g. 1e400.
            throw new Rejection(Reasons.INVALID_VALUE, field + ": " + p.getText() + " is out of the range of a double");
        }
        return d;
    }

    private static String hexId(String s, int length, String field) throws Rejection {
        if (s.length() != length) {
            throw new Rejection(
                    Reasons.INVALID_VALUE,
                    field + ": " + Reasons.quote(s) + " is not " + length + " hex digits (it has " + s.length()
                            + " characters)");
        }
        boolean lower = true;
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'F') {
                lower = false;
            } else if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                throw new Rejection(
                        Reasons.INVALID_VALUE, field + ": " + Reasons.quote(s) + " has a non-hex character at " + i);
            }
        }
        return lower ? s : s.toLowerCase(Locale.ROOT);
    }

    /** The normalised severity; the exact names Vigil writes skip {@link Severities#normalise}'s case folding. */
    private static String severity(String s) {
        switch (s) {
            case "TRACE":
                return "TRACE";
            case "DEBUG":
                return "DEBUG";
            case "INFO":
                return "INFO";
            case "WARN":
                return "WARN";
            case "ERROR":
                return "ERROR";
            case "FATAL":
                return "FATAL";
            default:
                return Severities.normalise(s);
        }
    }

    /** {@link Severities#number} of an already normalised severity, without normalising it again. */
    private static int severityNumber(String normalised) {
        switch (normalised) {
            case "TRACE":
                return 1;
            case "DEBUG":
                return 5;
            case "INFO":
                return 9;
            case "WARN":
                return 13;
            case "ERROR":
                return 17;
            default:
                return 21;
        }
    }

    private static String oneOf(String s, String enumPrefix, List<String> allowed, String field) throws Rejection {
        if (allowed.contains(s)) {
            return s; // already canonical, as Vigil writes it
        }
        String v = s.toLowerCase(Locale.ROOT);
        if (v.startsWith(enumPrefix)) {
            v = v.substring(enumPrefix.length());
        }
        if (!allowed.contains(v)) {
            throw new Rejection(
                    Reasons.INVALID_VALUE,
                    field + ": " + Reasons.quote(s) + " is not one of " + String.join(", ", allowed));
        }
        return v;
    }

    private static Rejection wrongType(String field, String expected, JsonToken got) {
        return new Rejection(Reasons.INVALID_TYPE, field + ": expected " + expected + ", got " + describe(got));
    }

    static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        switch (t) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
                return "an integer";
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.toString();
        }
    }

    /** Skips to the END_OBJECT that closes the record whose enclosing context is {@code parent}. */
    static void skipRestOfObject(JsonParser p, JsonStreamContext parent) throws IOException {
        while (!(p.currentToken() == JsonToken.END_OBJECT && p.getParsingContext() == parent)) {
            if (p.nextToken() == null) {
                return;
            }
        }
    }

    /**
     * Why the bytes are not UTF-8 JSON text, or null when they are: the whole-record check for decoders that cannot
     * keep part of a record (OTLP/JSON). See {@link #malformedUtf8}.
     */
    static String notUtf8(byte[] payload) {
        String nul = nulAtStart(payload);
        if (nul != null) {
            return nul;
        }
        int[] malformed = malformedUtf8(payload);
        return malformed == null ? null : malformedMessage(payload, malformed[0]);
    }

    /** Jackson guesses UTF-16 or UTF-32 from NUL bytes among the first four; JSON text never has a NUL there. */
    private static String nulAtStart(byte[] payload) {
        for (int i = 0; i < Math.min(4, payload.length); i++) {
            if (payload[i] == 0) {
                return "malformed JSON: NUL byte at byte " + i
                        + " (JSON text must be UTF-8; is this UTF-16 or UTF-32?)";
            }
        }
        return null;
    }

    /**
     * The offsets of the malformed UTF-8 sequences in {@code payload}, in order, or null when it is all UTF-8.
     * Jackson's parser decodes overlong forms ({@code C0 AF} to {@code /}), encoded surrogates and code points beyond
     * U+10FFFF without complaint; RFC 8259 requires UTF-8, and an overlong slash is a classic way to smuggle a
     * character past a filter. protobuf's validator checks every byte on a fast path (the one protobuf uses for its
     * own string fields); only a failure pays for the JDK decoder, which says where.
     */
    static int[] malformedUtf8(byte[] payload) {
        if (com.google.protobuf.UnsafeByteOperations.unsafeWrap(payload).isValidUtf8()) {
            return null;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(payload);
        CharBuffer chars = CharBuffer.allocate(payload.length);
        int[] found = new int[4];
        int n = 0;
        while (true) {
            CoderResult r = decoder.decode(in, chars, true);
            if (!r.isError()) {
                break;
            }
            if (n == found.length) {
                found = Arrays.copyOf(found, n * 2);
            }
            found[n++] = in.position();
            in.position(in.position() + r.length()); // on past the bad sequence: the search stays linear
        }
        // Only if the two validators disagreed could nothing be found; then the record is still not trusted.
        return n == 0 ? new int[] {0} : Arrays.copyOf(found, n);
    }

    private static String malformedMessage(byte[] payload, int at) {
        return malformedUtf8Message(payload, at) + "; JSON text must be UTF-8";
    }

    /** Names the first malformed UTF-8 sequence: its offset and the bytes from there. */
    static String malformedUtf8Message(byte[] payload, int at) {
        StringBuilder bytes = new StringBuilder();
        for (int i = at; i < Math.min(payload.length, at + 4); i++) {
            bytes.append(String.format(Locale.ROOT, " %02X", payload[i] & 0xFF));
        }
        return "malformed UTF-8 at byte " + at + " (bytes from there:" + bytes + ")";
    }

    static String parseMessage(JsonProcessingException e) {
        String where =
                e.getLocation() == null ? "" : " at byte " + e.getLocation().getByteOffset();
        return "malformed JSON" + where + ": " + e.getOriginalMessage();
    }

    private static byte[] slice(byte[] payload, int from, int to) {
        return from == 0 && to == payload.length ? payload : Arrays.copyOfRange(payload, from, to);
    }

    private DeadLetter deadLetter(byte[] raw, String origin, String reason, String detail) {
        return new DeadLetter(raw == null ? new byte[0] : raw, origin, FORMAT, reason, Reasons.detail(detail));
    }

    private Ingested dead(byte[] raw, String origin, String reason, String detail) {
        return Ingested.dead(deadLetter(raw, origin, reason, detail));
    }
}
