package io.vigil.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads OTLP/JSON into the OTLP protobuf messages with Jackson's streaming parser, driven by the message descriptors.
 *
 * <p>Why not protobuf-java-util's {@code JsonFormat}: OTLP/JSON deviates from the standard protobuf JSON mapping in
 * that trace and span ids are hex, not base64 (OTLP spec, "JSON Protobuf Encoding"), so JsonFormat would either fail
 * or silently produce wrong ids unless the JSON were rewritten first, and JsonFormat builds a Gson tree of the whole
 * request before merging it. One streaming pass that knows the hex rule is both correct and faster. The rest follows
 * the protobuf JSON mapping that OTLP/JSON otherwise keeps: lowerCamelCase keys (the proto names are accepted too),
 * 64-bit integers as strings or numbers, enums as integers (names accepted too), NaN and Infinity as strings for
 * doubles, null as the default value, and unknown fields ignored.
 */
final class OtlpJsonReader {
    private OtlpJsonReader() {}

    /** Per message type: JSON name and proto name to field. Descriptors are immutable, so this is safe to share. */
    private static final Map<Descriptor, Map<String, FieldDescriptor>> FIELDS = new ConcurrentHashMap<>();

    private static Map<String, FieldDescriptor> fields(Descriptor d) {
        return FIELDS.computeIfAbsent(d, k -> {
            Map<String, FieldDescriptor> m = new HashMap<>();
            for (FieldDescriptor f : k.getFields()) {
                m.put(f.getName(), f);
                m.put(f.getJsonName(), f);
            }
            return m;
        });
    }

    /**
     * Deepest JSON nesting read, as protobuf's binary parser limits recursion to 100 messages: deeper input (nested
     * AnyValue arrays) is refused before it can exhaust a task thread's stack.
     */
    static final int MAX_DEPTH = 200;

    /** Reads one JSON object into {@code b}; the parser is on the object's START_OBJECT (tok). */
    static void readMessage(JsonParser p, JsonToken tok, Message.Builder b) throws IOException, Rejection {
        if (tok != JsonToken.START_OBJECT) {
            throw wrongType("an object", tok);
        }
        checkDepth(p);
        Map<String, FieldDescriptor> fields = fields(b.getDescriptorForType());
        while ((tok = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            tok = p.nextToken();
            FieldDescriptor f = fields.get(name);
            if (f == null || tok == JsonToken.VALUE_NULL) {
                p.skipChildren();
                continue;
            }
            readField(p, tok, b, f, name);
        }
    }

    /** Reads the value of field {@code f} (named {@code name} in the input) into {@code b}. */
    static void readField(JsonParser p, JsonToken tok, Message.Builder b, FieldDescriptor f, String name)
            throws IOException, Rejection {
        try {
            readFieldValue(p, tok, b, f);
        } catch (Rejection r) {
            throw r.under(name);
        }
    }

    private static void readFieldValue(JsonParser p, JsonToken tok, Message.Builder b, FieldDescriptor f)
            throws IOException, Rejection {
        if (f.isRepeated()) {
            if (tok != JsonToken.START_ARRAY) {
                throw wrongType("an array", tok);
            }
            int i = 0;
            while ((tok = p.nextToken()) != JsonToken.END_ARRAY) {
                try {
                    b.addRepeatedField(f, value(p, tok, b, f));
                } catch (Rejection r) {
                    throw r.under("[" + i + "]");
                }
                i++;
            }
        } else {
            b.setField(f, value(p, tok, b, f));
        }
    }

    /** A field the typed readers below do not handle themselves: read by descriptor, or skipped if unknown. */
    private static void generic(JsonParser p, JsonToken tok, Message.Builder b, String name)
            throws IOException, Rejection {
        FieldDescriptor f = fields(b.getDescriptorForType()).get(name);
        if (f == null) {
            p.skipChildren();
        } else {
            readFieldValue(p, tok, b, f);
        }
    }

    private static Object value(JsonParser p, JsonToken tok, Message.Builder parent, FieldDescriptor f)
            throws IOException, Rejection {
        switch (f.getJavaType()) {
            case MESSAGE: {
                // Attributes are most of an OTLP request: read them with typed builders, not reflection.
                if (f.getMessageType() == KEY_VALUE) {
                    return keyValue(p, tok);
                }
                if (f.getMessageType() == ANY_VALUE) {
                    return anyValue(p, tok);
                }
                // So are the records themselves.
                if (f.getMessageType() == LOG_RECORD) {
                    return logRecord(p, tok);
                }
                if (f.getMessageType() == SPAN) {
                    return span(p, tok);
                }
                if (f.getMessageType() == NUMBER_POINT) {
                    return numberPoint(p, tok);
                }
                Message.Builder child = parent.newBuilderForField(f);
                readMessage(p, tok, child);
                return child.build();
            }
            case STRING:
                if (tok != JsonToken.VALUE_STRING) {
                    throw wrongType("a string", tok);
                }
                return p.getText();
            case LONG:
                return integer(p, tok, isUnsigned(f), true);
            case INT:
                return (int) integer(p, tok, isUnsigned(f), false);
            case DOUBLE:
                return floating(p, tok);
            case FLOAT:
                return (float) floating(p, tok);
            case BOOLEAN:
                if (tok == JsonToken.VALUE_TRUE || tok == JsonToken.VALUE_FALSE) {
                    return tok == JsonToken.VALUE_TRUE;
                }
                throw wrongType("a boolean", tok);
            case BYTE_STRING:
                if (tok != JsonToken.VALUE_STRING) {
                    throw wrongType("a string", tok);
                }
                return isHexId(f) ? hex(p.getText()) : base64(p.getText());
            case ENUM:
                return enumValue(p, tok, f);
            default:
                throw new IllegalStateException("unhandled field type " + f.getJavaType());
        }
    }

    private static final Descriptor KEY_VALUE = KeyValue.getDescriptor();
    private static final Descriptor ANY_VALUE = AnyValue.getDescriptor();

    /** A KeyValue, the same as the generic path would read it, without reflection. */
    private static KeyValue keyValue(JsonParser p, JsonToken tok) throws IOException, Rejection {
        if (tok != JsonToken.START_OBJECT) {
            throw wrongType("an object", tok);
        }
        KeyValue.Builder b = KeyValue.newBuilder();
        String name;
        while ((name = p.nextFieldName()) != null) {
            tok = p.nextToken();
            if (tok == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (name) {
                case "key":
                    if (tok != JsonToken.VALUE_STRING) {
                        throw wrongType("a string", tok).under("key");
                    }
                    b.setKey(p.getText());
                    break;
                case "value":
                    try {
                        b.setValue(anyValue(p, tok));
                    } catch (Rejection r) {
                        throw r.under("value");
                    }
                    break;
                default:
                    p.skipChildren();
            }
        }
        return b.build();
    }

    private static final Descriptor LOG_RECORD = LogRecord.getDescriptor();
    private static final Descriptor SPAN = Span.getDescriptor();
    private static final Descriptor NUMBER_POINT = NumberDataPoint.getDescriptor();
    private static final FieldDescriptor SEVERITY_NUMBER = LOG_RECORD.findFieldByName("severity_number");
    private static final FieldDescriptor SPAN_KIND = SPAN.findFieldByName("kind");

    /*
     * Typed readers for the messages that make up most of a request. Each handles the common fields with the
     * generated setters and hands every other field to the descriptor-driven path, so they accept exactly what the
     * generic reader accepts (both key spellings, null as absent, strings or numbers for integers).
     */

    private static LogRecord logRecord(JsonParser p, JsonToken tok) throws IOException, Rejection {
        startObject(p, tok);
        LogRecord.Builder b = LogRecord.newBuilder();
        String name;
        while ((name = p.nextFieldName()) != null) {
            tok = p.nextToken();
            if (tok == JsonToken.VALUE_NULL) {
                continue;
            }
            try {
                switch (name) {
                    case "timeUnixNano":
                    case "time_unix_nano":
                        b.setTimeUnixNano(integer(p, tok, true, true));
                        break;
                    case "observedTimeUnixNano":
                    case "observed_time_unix_nano":
                        b.setObservedTimeUnixNano(integer(p, tok, true, true));
                        break;
                    case "severityNumber":
                    case "severity_number":
                        b.setSeverityNumberValue(
                                enumValue(p, tok, SEVERITY_NUMBER).getNumber());
                        break;
                    case "severityText":
                    case "severity_text":
                        b.setSeverityText(string(p, tok));
                        break;
                    case "body":
                        b.setBody(anyValue(p, tok));
                        break;
                    case "attributes":
                        attributes(p, tok, b::addAttributes);
                        break;
                    case "traceId":
                    case "trace_id":
                        b.setTraceId(hex(string(p, tok)));
                        break;
                    case "spanId":
                    case "span_id":
                        b.setSpanId(hex(string(p, tok)));
                        break;
                    default:
                        generic(p, tok, b, name);
                }
            } catch (Rejection r) {
                throw r.under(name);
            }
        }
        return b.build();
    }

    private static Span span(JsonParser p, JsonToken tok) throws IOException, Rejection {
        startObject(p, tok);
        Span.Builder b = Span.newBuilder();
        String name;
        while ((name = p.nextFieldName()) != null) {
            tok = p.nextToken();
            if (tok == JsonToken.VALUE_NULL) {
                continue;
            }
            try {
                switch (name) {
                    case "traceId":
                    case "trace_id":
                        b.setTraceId(hex(string(p, tok)));
                        break;
                    case "spanId":
                    case "span_id":
                        b.setSpanId(hex(string(p, tok)));
                        break;
                    case "parentSpanId":
                    case "parent_span_id":
                        b.setParentSpanId(hex(string(p, tok)));
                        break;
                    case "name":
                        b.setName(string(p, tok));
                        break;
                    case "kind":
                        b.setKindValue(enumValue(p, tok, SPAN_KIND).getNumber());
                        break;
                    case "startTimeUnixNano":
                    case "start_time_unix_nano":
                        b.setStartTimeUnixNano(integer(p, tok, true, true));
                        break;
                    case "endTimeUnixNano":
                    case "end_time_unix_nano":
                        b.setEndTimeUnixNano(integer(p, tok, true, true));
                        break;
                    case "attributes":
                        attributes(p, tok, b::addAttributes);
                        break;
                    default:
                        generic(p, tok, b, name);
                }
            } catch (Rejection r) {
                throw r.under(name);
            }
        }
        return b.build();
    }

    private static NumberDataPoint numberPoint(JsonParser p, JsonToken tok) throws IOException, Rejection {
        startObject(p, tok);
        NumberDataPoint.Builder b = NumberDataPoint.newBuilder();
        String name;
        while ((name = p.nextFieldName()) != null) {
            tok = p.nextToken();
            if (tok == JsonToken.VALUE_NULL) {
                continue;
            }
            try {
                switch (name) {
                    case "attributes":
                        attributes(p, tok, b::addAttributes);
                        break;
                    case "startTimeUnixNano":
                    case "start_time_unix_nano":
                        b.setStartTimeUnixNano(integer(p, tok, true, true));
                        break;
                    case "timeUnixNano":
                    case "time_unix_nano":
                        b.setTimeUnixNano(integer(p, tok, true, true));
                        break;
                    case "asDouble":
                    case "as_double":
                        b.setAsDouble(floating(p, tok));
                        break;
                    case "asInt":
                    case "as_int":
                        b.setAsInt(integer(p, tok, false, true));
                        break;
                    default:
                        generic(p, tok, b, name);
                }
            } catch (Rejection r) {
                throw r.under(name);
            }
        }
        return b.build();
    }

    /** Reads a JSON array of KeyValue objects into {@code add}. */
    private static void attributes(JsonParser p, JsonToken tok, java.util.function.Consumer<KeyValue> add)
            throws IOException, Rejection {
        if (tok != JsonToken.START_ARRAY) {
            throw wrongType("an array", tok);
        }
        int i = 0;
        while ((tok = p.nextToken()) != JsonToken.END_ARRAY) {
            try {
                add.accept(keyValue(p, tok));
            } catch (Rejection r) {
                throw r.under("[" + i + "]");
            }
            i++;
        }
    }

    private static void startObject(JsonParser p, JsonToken tok) throws Rejection {
        if (tok != JsonToken.START_OBJECT) {
            throw wrongType("an object", tok);
        }
        checkDepth(p);
    }

    private static String string(JsonParser p, JsonToken tok) throws IOException, Rejection {
        if (tok != JsonToken.VALUE_STRING) {
            throw wrongType("a string", tok);
        }
        return p.getText();
    }

    /** An AnyValue; scalars are read here, arrays and key-value lists through the generic path. */
    private static AnyValue anyValue(JsonParser p, JsonToken tok) throws IOException, Rejection {
        if (tok != JsonToken.START_OBJECT) {
            throw wrongType("an object", tok);
        }
        checkDepth(p);
        AnyValue.Builder b = AnyValue.newBuilder();
        String name;
        while ((name = p.nextFieldName()) != null) {
            tok = p.nextToken();
            if (tok == JsonToken.VALUE_NULL) {
                continue;
            }
            try {
                switch (name) {
                    case "stringValue":
                    case "string_value":
                        if (tok != JsonToken.VALUE_STRING) {
                            throw wrongType("a string", tok);
                        }
                        b.setStringValue(p.getText());
                        break;
                    case "intValue":
                    case "int_value":
                        b.setIntValue(integer(p, tok, false, true));
                        break;
                    case "boolValue":
                    case "bool_value":
                        if (tok != JsonToken.VALUE_TRUE && tok != JsonToken.VALUE_FALSE) {
                            throw wrongType("a boolean", tok);
                        }
                        b.setBoolValue(tok == JsonToken.VALUE_TRUE);
                        break;
                    case "doubleValue":
                    case "double_value":
                        b.setDoubleValue(floating(p, tok));
                        break;
                    default: {
                        FieldDescriptor f = fields(ANY_VALUE).get(name);
                        if (f == null) {
                            p.skipChildren();
                        } else {
                            b.setField(f, value(p, tok, b, f));
                        }
                    }
                }
            } catch (Rejection r) {
                throw r.under(name);
            }
        }
        return b.build();
    }

    private static void checkDepth(JsonParser p) throws Rejection {
        if (p.getParsingContext().getNestingDepth() > MAX_DEPTH) {
            throw new Rejection(Reasons.INVALID_VALUE, "nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    /** OTLP/JSON writes these ids as hex; every other bytes field keeps the protobuf mapping's base64. */
    private static boolean isHexId(FieldDescriptor f) {
        String n = f.getName();
        return n.equals("trace_id") || n.equals("span_id") || n.equals("parent_span_id");
    }

    private static boolean isUnsigned(FieldDescriptor f) {
        switch (f.getType()) {
            case UINT32:
            case UINT64:
            case FIXED32:
            case FIXED64:
                return true;
            default:
                return false;
        }
    }

    private static long integer(JsonParser p, JsonToken tok, boolean unsigned, boolean wide)
            throws IOException, Rejection {
        BigInteger v;
        String text;
        if (tok == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                return check(p.getLongValue(), unsigned, wide, p.getText());
            }
            text = p.getText();
            v = boundedInteger(text);
        } else if (tok == JsonToken.VALUE_STRING) {
            // The protobuf JSON mapping writes 64-bit integers as strings so JavaScript does not round them.
            text = p.getText();
            try {
                // Fast path for the common case; anything unusual falls through to the exact, bounded check.
                if (unsigned && wide) {
                    return Long.parseUnsignedLong(text);
                }
                return check(Long.parseLong(text), unsigned, wide, text);
            } catch (NumberFormatException e) {
                // e.g. "-0", " 12", "18446744073709551616": decided below with a precise message.
            }
            v = boundedInteger(text.trim());
        } else if (tok == JsonToken.VALUE_NUMBER_FLOAT && !p.isNaN()) {
            text = p.getText();
            v = integralDecimal(text);
        } else {
            throw wrongType("an integer (or a string holding one)", tok);
        }
        if (v == null) {
            throw new Rejection(Reasons.INVALID_VALUE, Reasons.excerpt(text) + " is out of range for this field");
        }
        BigInteger max = wide ? (unsigned ? MAX_U64 : MAX_I64) : (unsigned ? MAX_U32 : MAX_I32);
        BigInteger min = unsigned ? BigInteger.ZERO : wide ? MIN_I64 : MIN_I32;
        if (v.compareTo(max) > 0 || v.compareTo(min) < 0) {
            throw new Rejection(Reasons.INVALID_VALUE, Reasons.excerpt(text) + " is out of range for this field");
        }
        return v.longValue();
    }

    /**
     * More significant digits than any 64-bit integer has. Numbers are bounded by their digits before they are
     * converted: a BigInteger of a million digits takes seconds to build, and one of {@code 1e10000000} minutes.
     */
    private static final int MAX_INTEGER_DIGITS = 20;

    /**
     * The integer written as optional sign and decimal digits, or null when it has more than
     * {@link #MAX_INTEGER_DIGITS} significant digits (out of range for every field). Not an integer at all (no digits,
     * other characters): a {@link NumberFormatException}-free rejection, as {@link Rejection} of type.
     */
    private static BigInteger boundedInteger(String text) throws Rejection {
        int i = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
        int n = text.length();
        if (i == n) {
            throw new Rejection(Reasons.INVALID_TYPE, "expected an integer, got " + Reasons.quote(text));
        }
        int firstSignificant = -1;
        for (int k = i; k < n; k++) {
            char c = text.charAt(k);
            if (c < '0' || c > '9') {
                throw new Rejection(Reasons.INVALID_TYPE, "expected an integer, got " + Reasons.quote(text));
            }
            if (firstSignificant < 0 && c != '0') {
                firstSignificant = k;
            }
        }
        if (firstSignificant < 0) {
            return BigInteger.ZERO;
        }
        if (n - firstSignificant > MAX_INTEGER_DIGITS) {
            return null;
        }
        return new BigInteger(text);
    }

    /**
     * The exact integer a JSON number with a fraction or exponent stands for ({@code 1.5e3}), or null when it is out of
     * every field's range. The exponent is checked before anything is scaled: {@code 1e999999999} and
     * {@code 1e-999999999} are cheap to reject but would be ruinous (or throw) to expand.
     */
    private static BigInteger integralDecimal(String text) throws Rejection {
        BigDecimal d;
        try {
            d = new BigDecimal(text); // keeps the exponent as a scale: no expansion yet
        } catch (NumberFormatException e) {
            // An exponent beyond an int: far out of range one way or the other.
            if (text.matches("-?[0-9.]+[eE]-[0-9]+")) {
                throw new Rejection(Reasons.INVALID_TYPE, "expected an integer, got " + Reasons.quote(text));
            }
            return null;
        }
        if (d.signum() == 0) {
            return BigInteger.ZERO;
        }
        // Digits before the decimal point, as a long so that precision - scale cannot overflow.
        long integerDigits = (long) d.precision() - d.scale();
        if (integerDigits > MAX_INTEGER_DIGITS) {
            return null;
        }
        if (integerDigits <= 0) {
            // 0 < |d| < 1: a fraction, not an integer.
            throw new Rejection(Reasons.INVALID_TYPE, "expected an integer, got " + Reasons.quote(text));
        }
        // Now |scale| is at most the number's own length (bounded by the parser) plus 20: cheap to expand.
        try {
            return d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw new Rejection(Reasons.INVALID_TYPE, "expected an integer, got " + Reasons.quote(text));
        }
    }

    private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final BigInteger MAX_I64 = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger MIN_I64 = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX_U32 = BigInteger.valueOf(0xFFFF_FFFFL);
    private static final BigInteger MAX_I32 = BigInteger.valueOf(Integer.MAX_VALUE);
    private static final BigInteger MIN_I32 = BigInteger.valueOf(Integer.MIN_VALUE);

    private static long check(long v, boolean unsigned, boolean wide, String text) throws Rejection {
        if (unsigned && v < 0 || !wide && (unsigned ? v > 0xFFFF_FFFFL : v != (int) v)) {
            throw new Rejection(Reasons.INVALID_VALUE, text + " is out of range for this field");
        }
        return v;
    }

    private static double floating(JsonParser p, JsonToken tok) throws IOException, Rejection {
        if (tok == JsonToken.VALUE_NUMBER_INT || tok == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        if (tok == JsonToken.VALUE_STRING) {
            String s = p.getText();
            switch (s) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    try {
                        return Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        throw new Rejection(Reasons.INVALID_TYPE, "expected a number, got " + Reasons.quote(s));
                    }
            }
        }
        throw wrongType("a number", tok);
    }

    private static EnumValueDescriptor enumValue(JsonParser p, JsonToken tok, FieldDescriptor f)
            throws IOException, Rejection {
        if (tok == JsonToken.VALUE_NUMBER_INT) {
            // Open enums: an unknown number is kept, as the binary parser keeps it.
            return f.getEnumType().findValueByNumberCreatingIfUnknown((int) integer(p, tok, false, false));
        }
        if (tok == JsonToken.VALUE_STRING) {
            EnumValueDescriptor v = f.getEnumType().findValueByName(p.getText());
            if (v == null) {
                throw new Rejection(
                        Reasons.INVALID_VALUE,
                        Reasons.quote(p.getText()) + " is not a value of "
                                + f.getEnumType().getName());
            }
            return v;
        }
        throw wrongType("an enum number", tok);
    }

    static ByteString hex(String s) throws Rejection {
        int n = s.length();
        if ((n & 1) != 0) {
            throw new Rejection(Reasons.INVALID_VALUE, Reasons.quote(s) + " is not hex (odd length " + n + ")");
        }
        byte[] out = new byte[n / 2];
        for (int i = 0; i < n; i += 2) {
            int hi = Character.digit(s.charAt(i), 16);
            int lo = Character.digit(s.charAt(i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new Rejection(
                        Reasons.INVALID_VALUE,
                        Reasons.quote(s) + " is not hex (bad character at " + (hi < 0 ? i : i + 1) + ")");
            }
            out[i / 2] = (byte) (hi << 4 | lo);
        }
        return ByteString.copyFrom(out);
    }

    /** Hex to bytes for encoders: ids that are not hex become empty (and are then rejected when decoded). */
    static ByteString hexOrEmpty(String s) {
        try {
            return hex(s);
        } catch (Rejection e) {
            return ByteString.EMPTY;
        }
    }

    private static ByteString base64(String s) throws Rejection {
        try {
            return ByteString.copyFrom(Base64.getDecoder().decode(s));
        } catch (IllegalArgumentException e) {
            try {
                return ByteString.copyFrom(Base64.getUrlDecoder().decode(s));
            } catch (IllegalArgumentException e2) {
                throw new Rejection(Reasons.INVALID_VALUE, Reasons.quote(s) + " is not base64");
            }
        }
    }

    private static Rejection wrongType(String expected, JsonToken got) {
        return new Rejection(
                Reasons.INVALID_TYPE, "expected " + expected + ", got " + CanonicalJsonDecoder.describe(got));
    }
}
