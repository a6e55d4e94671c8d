package io.vigil.ingest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Writes an OTLP message in the OTLP/JSON encoding, as the Collector's {@code otlp_json} encoding does: lowerCamelCase
 * keys, hex trace and span ids, 64-bit integers as strings, enums as integers, default values left out. For the
 * generator, benchmarks and tests that need to produce what a Collector would put on Kafka. The same hex-id rule as
 * {@link OtlpJsonReader} is why this is not protobuf-java-util's JsonFormat.
 */
public final class OtlpJsonWriter {
    private OtlpJsonWriter() {}

    /** The OTLP/JSON bytes (UTF-8) of {@code message} (LogsData, MetricsData, TracesData or an export request). */
    public static byte[] write(Message message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = CanonicalJsonDecoder.JSON.createGenerator(out)) {
            message(message, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void message(Message m, JsonGenerator g) throws IOException {
        g.writeStartObject();
        for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            g.writeFieldName(f.getJsonName());
            if (f.isRepeated()) {
                g.writeStartArray();
                for (Object v : (List<?>) e.getValue()) {
                    value(f, v, g);
                }
                g.writeEndArray();
            } else {
                value(f, e.getValue(), g);
            }
        }
        g.writeEndObject();
    }

    private static void value(FieldDescriptor f, Object v, JsonGenerator g) throws IOException {
        switch (f.getType()) {
            case MESSAGE:
            case GROUP:
                message((Message) v, g);
                break;
            case INT64:
            case SINT64:
            case SFIXED64:
                g.writeString(Long.toString((Long) v));
                break;
            case UINT64:
            case FIXED64:
                g.writeString(Long.toUnsignedString((Long) v));
                break;
            case UINT32:
            case FIXED32:
                g.writeNumber(Integer.toUnsignedLong((Integer) v));
                break;
            case INT32:
            case SINT32:
            case SFIXED32:
                g.writeNumber((Integer) v);
                break;
            case DOUBLE:
            case FLOAT: {
                double d = ((Number) v).doubleValue();
                if (Double.isFinite(d)) {
                    g.writeNumber(d);
                } else {
                    g.writeString(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                }
                break;
            }
            case BOOL:
                g.writeBoolean((Boolean) v);
                break;
            case STRING:
                g.writeString((String) v);
                break;
            case BYTES: {
                ByteString b = (ByteString) v;
                String n = f.getName();
                boolean hexId = n.equals("trace_id") || n.equals("span_id") || n.equals("parent_span_id");
                g.writeString(hexId ? OtlpFlattener.hex(b) : Base64.getEncoder().encodeToString(b.toByteArray()));
                break;
            }
            case ENUM:
                g.writeNumber(((EnumValueDescriptor) v).getNumber());
                break;
            default:
                throw new IllegalStateException("unhandled field type " + f.getType());
        }
    }
}
