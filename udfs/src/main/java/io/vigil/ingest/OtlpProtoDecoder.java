package io.vigil.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads OTLP protobuf as the Collector's Kafka exporter writes it ({@code encoding: otlp_proto}): each record is the
 * bytes of one {@code Export*ServiceRequest}.
 *
 * <p>The bytes do not say which signal they hold (all three requests are "field 1, repeated"). The Collector writes
 * one topic per signal ({@code otlp_logs}, {@code otlp_metrics}, {@code otlp_spans} by default), so the format name
 * should say it: {@code otlp-proto:logs}, {@code otlp-proto:metrics}, {@code otlp-proto:traces}. Plain
 * {@code otlp-proto} guesses: it parses the bytes as each signal and takes the one interpretation in which every
 * record is plausible (no unknown fields, a time, ids of the right length). That costs three parses and cannot
 * decide an empty request, so prefer the hint. With a hint, a request that reads badly as the hinted signal but
 * cleanly as another is dead-lettered as {@code unknown_signal} (a topic wired to the wrong format) instead of
 * producing garbage records.
 */
public final class OtlpProtoDecoder implements TelemetryDecoder {
    private static final long serialVersionUID = 1L;

    public static final String FORMAT = "otlp-proto";

    private final OtlpSignal hint;
    private final IngestLimits limits;
    private final String format;

    OtlpProtoDecoder(OtlpSignal hint, IngestLimits limits) {
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
        // An empty protobuf is a valid empty request, but no exporter sends one: treat it as the mistake it is.
        DeadLetter unusable = limits.unusable(payload, origin, format);
        if (unusable != null) {
            out.accept(Ingested.dead(unusable));
            return;
        }
        OtlpFlattener result;
        if (hint != null) {
            Message data;
            try {
                data = hint.parse(payload);
            } catch (InvalidProtocolBufferException e) {
                OtlpSignal other = plausibleSignal(payload, hint);
                out.accept(
                        other != null
                                ? wrongSignal(payload, origin, other)
                                : dead(payload, origin, Reasons.PARSE_ERROR, notProtobuf(hint, e)));
                return;
            }
            result = flatten(hint, data, payload, origin);
            if (result.records == 0 && !data.getUnknownFields().asMap().isEmpty()) {
                out.accept(dead(
                        payload,
                        origin,
                        Reasons.PARSE_ERROR,
                        "not an OTLP " + hint.wireName() + " export request: no " + hint.jsonKey
                                + " (field 1), only unknown fields"));
                return;
            }
            if (result.implausible > 0) {
                OtlpSignal other = plausibleSignal(payload, hint);
                if (other != null) {
                    out.accept(wrongSignal(payload, origin, other));
                    return;
                }
            }
        } else {
            List<String> why = new ArrayList<>();
            OtlpFlattener found = null;
            int plausible = 0;
            boolean anyRecords = false;
            for (OtlpSignal s : OtlpSignal.values()) {
                Message data;
                try {
                    data = s.parse(payload);
                } catch (InvalidProtocolBufferException e) {
                    why.add(s.wireName() + ": " + e.getMessage());
                    continue;
                }
                OtlpFlattener f = flatten(s, data, payload, origin);
                anyRecords |= f.records > 0;
                if (f.records == 0) {
                    why.add(s.wireName() + ": no records");
                } else if (f.implausible > 0) {
                    why.add(s.wireName() + ": " + f.implausible + " of " + f.records + " records implausible");
                } else {
                    plausible++;
                    found = f;
                }
            }
            if (plausible != 1) {
                // Bytes that give no record under any reading are not OTLP at all; bytes that do, but fit no one
                // signal cleanly (or several), are OTLP whose signal cannot be told.
                String reason = anyRecords ? Reasons.UNKNOWN_SIGNAL : Reasons.PARSE_ERROR;
                out.accept(dead(
                        payload,
                        origin,
                        reason,
                        plausible > 1
                                ? "the record reads as more than one OTLP signal; use otlp-proto:logs|metrics|traces"
                                : "not an OTLP logs, metrics or traces export request (" + String.join("; ", why)
                                        + ")"));
                return;
            }
            result = found;
        }
        for (Ingested i : result.out) {
            out.accept(i);
        }
    }

    private OtlpFlattener flatten(OtlpSignal s, Message data, byte[] payload, String origin) {
        OtlpFlattener f = new OtlpFlattener(payload, origin, format, limits);
        f.flatten(s, data);
        return f;
    }

    /** The one signal other than {@code except} as which the bytes parse with every record plausible, or null. */
    private OtlpSignal plausibleSignal(byte[] payload, OtlpSignal except) {
        OtlpSignal found = null;
        for (OtlpSignal s : OtlpSignal.values()) {
            if (s == except) {
                continue;
            }
            try {
                OtlpFlattener f = flatten(s, s.parse(payload), payload, "");
                if (f.records > 0 && f.implausible == 0) {
                    if (found != null) {
                        return null;
                    }
                    found = s;
                }
            } catch (InvalidProtocolBufferException e) {
                // Not this signal either.
            }
        }
        return found;
    }

    private Ingested wrongSignal(byte[] payload, String origin, OtlpSignal other) {
        return dead(
                payload,
                origin,
                Reasons.UNKNOWN_SIGNAL,
                "the format says " + hint.wireName()
                        + " but the record reads cleanly as OTLP " + other.wireName()
                        + "; check which topic is read with which format");
    }

    private static String notProtobuf(OtlpSignal s, InvalidProtocolBufferException e) {
        return "not a valid OTLP " + s.wireName() + " protobuf: " + e.getMessage();
    }

    private Ingested dead(byte[] raw, String origin, String reason, String detail) {
        return Ingested.dead(
                new DeadLetter(raw == null ? new byte[0] : raw, origin, format, reason, Reasons.detail(detail)));
    }
}
