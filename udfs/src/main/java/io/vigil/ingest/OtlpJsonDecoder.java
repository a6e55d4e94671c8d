package io.vigil.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Reads OTLP/JSON as the Collector's Kafka exporter writes it ({@code encoding: otlp_json}): each record is one
 * export request in the OTLP JSON encoding (lowerCamelCase keys, hex trace and span ids, 64-bit integers as strings,
 * enums as integers). The signal is told by the top-level key ({@code resourceLogs}, {@code resourceMetrics},
 * {@code resourceSpans}); a hint ({@code otlp-json:logs}) additionally rejects a record of another signal as
 * {@code unknown_signal} rather than ignoring its key as unknown. Parsing is done by {@link OtlpJsonReader}.
 */
public final class OtlpJsonDecoder implements TelemetryDecoder {
    private static final long serialVersionUID = 1L;

    public static final String FORMAT = "otlp-json";

    private final OtlpSignal hint;
    private final IngestLimits limits;
    private final String format;

    OtlpJsonDecoder(OtlpSignal hint, IngestLimits limits) {
        this.hint = hint;
        this.limits = limits;
        this.format = hint == null ? FORMAT : FORMAT + ":" + hint.wireName();
    }

    @Override
    public String format() {
        return format;
    }

    @Override
    public void decode(byte[] payload, String origin, Consumer<Ingested> out) {
        DeadLetter unusable = limits.unusable(payload, origin, format);
        if (unusable != null) {
            out.accept(Ingested.dead(unusable));
            return;
        }
        String notUtf8 = CanonicalJsonDecoder.notUtf8(payload);
        if (notUtf8 != null) {
            out.accept(dead(payload, origin, Reasons.PARSE_ERROR, notUtf8));
            return;
        }
        OtlpSignal signal = hint;
        Message.Builder data = null;
        try (JsonParser p = CanonicalJsonDecoder.JSON.createParser(payload)) {
            JsonToken tok = p.nextToken();
            if (tok != JsonToken.START_OBJECT) {
                out.accept(dead(
                        payload,
                        origin,
                        tok == null ? Reasons.PARSE_ERROR : Reasons.INVALID_TYPE,
                        "expected an OTLP export request object, got " + CanonicalJsonDecoder.describe(tok)));
                return;
            }
            JsonStreamContext top = p.getParsingContext();
            Rejection rejected = null;
            String unknownKey = null;
            boolean signalKey = false;
            while ((tok = p.nextToken()) == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                tok = p.nextToken();
                OtlpSignal s = OtlpSignal.ofJsonKey(key);
                if (s == null && unknownKey == null) {
                    unknownKey = key;
                }
                signalKey |= s != null;
                if (s == null || rejected != null || tok == JsonToken.VALUE_NULL) {
                    p.skipChildren();
                    continue;
                }
                if (signal != null && s != signal) {
                    rejected = new Rejection(
                            Reasons.UNKNOWN_SIGNAL,
                            hint != null
                                    ? "the format says " + hint.wireName() + " but the record holds " + key
                                    : "the record holds both " + signal.jsonKey + " and " + key);
                    p.skipChildren();
                    continue;
                }
                signal = s;
                if (data == null) {
                    data = s.newBuilder();
                }
                FieldDescriptor f = s.descriptor.findFieldByNumber(1);
                try {
                    OtlpJsonReader.readField(p, tok, data, f, s.jsonKey);
                } catch (Rejection r) {
                    rejected = r;
                    // Read on to the end of this value, so malformed JSON after it still counts as parse_error.
                    while (p.getParsingContext() != top) {
                        if (p.nextToken() == null) {
                            break;
                        }
                    }
                }
            }
            if (p.nextToken() != null) {
                out.accept(dead(
                        payload,
                        origin,
                        Reasons.PARSE_ERROR,
                        "trailing content after the JSON object at byte "
                                + p.currentTokenLocation().getByteOffset()));
                return;
            }
            if (rejected != null) {
                out.accept(dead(payload, origin, rejected.reason, rejected.detail()));
                return;
            }
            if (!signalKey && unknownKey != null) {
                // With a hint, a request whose only keys are unknown (a misspelt "resourceSpans") would otherwise pass
                // as a valid empty request, and whatever it holds would vanish without a trace.
                out.accept(dead(
                        payload,
                        origin,
                        Reasons.UNKNOWN_SIGNAL,
                        "none of resourceLogs, resourceMetrics, resourceSpans at the top level, only "
                                + Reasons.quote(unknownKey)));
                return;
            }
        } catch (JsonProcessingException e) {
            out.accept(dead(payload, origin, Reasons.PARSE_ERROR, CanonicalJsonDecoder.parseMessage(e)));
            return;
        } catch (IOException e) {
            out.accept(dead(payload, origin, Reasons.PARSE_ERROR, String.valueOf(e.getMessage())));
            return;
        }
        if (signal == null) {
            out.accept(dead(
                    payload,
                    origin,
                    Reasons.UNKNOWN_SIGNAL,
                    "none of resourceLogs, resourceMetrics, resourceSpans at the top level"));
            return;
        }
        if (data == null) {
            return; // A hinted, empty request: valid OTLP, and nothing in it to lose.
        }
        OtlpFlattener f = new OtlpFlattener(payload, origin, format, limits);
        f.flatten(signal, data.build());
        for (Ingested i : f.out) {
            out.accept(i);
        }
    }

    private Ingested dead(byte[] raw, String origin, String reason, String detail) {
        return Ingested.dead(
                new DeadLetter(raw == null ? new byte[0] : raw, origin, format, reason, Reasons.detail(detail)));
    }
}
