package io.vigil.ingest;

import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Finds the decoder for a format name.
 *
 * <ul>
 *   <li>{@code json}: Vigil's canonical JSON ({@link CanonicalJsonDecoder});</li>
 *   <li>{@code otlp-json}, {@code otlp-json:logs|metrics|traces}: OTLP/JSON, signal from the top-level key, or
 *       checked against the hint ({@link OtlpJsonDecoder});</li>
 *   <li>{@code otlp-proto}, {@code otlp-proto:logs|metrics|traces}: OTLP protobuf; give the signal, since protobuf
 *       bytes do not carry it (without it the decoder guesses, see {@link OtlpProtoDecoder}).</li>
 *   <li>{@code syslog}, {@code syslog:year=YYYY,zone=ZONE}: syslog lines, security events of sshd, PAM, sudo, su, account tools and logind read
 *       ({@link SyslogDecoder}).</li>
 *   <li>{@code journald}: the systemd journal's JSON export, {@code journalctl -o json} ({@link JournaldDecoder}).</li>
 * </ul>
 */
public final class Decoders {
    private Decoders() {}

    /** Every format name {@link #forFormat} accepts. */
    public static final List<String> FORMATS;

    static {
        List<String> names = new ArrayList<>();
        names.add(CanonicalJsonDecoder.FORMAT);
        for (String base : List.of(OtlpJsonDecoder.FORMAT, OtlpProtoDecoder.FORMAT)) {
            names.add(base);
            for (OtlpSignal s : OtlpSignal.values()) {
                names.add(base + ":" + s.wireName());
            }
        }
        names.add(SyslogDecoder.FORMAT);
        names.add(JournaldDecoder.FORMAT);
        FORMATS = List.copyOf(names);
    }

    /** The decoder for {@code format} with the default {@link IngestLimits}. */
    public static TelemetryDecoder forFormat(String format) {
        return forFormat(format, IngestLimits.defaults());
    }

    /**
     * The decoder for {@code format}.
     *
     * @throws IllegalArgumentException for a name that is not in {@link #FORMATS}; the message lists the valid ones
     */
    public static TelemetryDecoder forFormat(String format, IngestLimits limits) {
        if (format == null) {
            throw unknown(null);
        }
        if (SyslogDecoder.accepts(format)) {
            return SyslogDecoder.forFormat(format, limits);
        }
        String base = format;
        OtlpSignal hint = null;
        int colon = format.indexOf(':');
        if (colon >= 0) {
            base = format.substring(0, colon);
            hint = OtlpSignal.ofWireName(format.substring(colon + 1));
            if (hint == null) {
                throw unknown(format);
            }
        }
        switch (base) {
            case CanonicalJsonDecoder.FORMAT:
                if (colon >= 0) {
                    throw unknown(format);
                }
                return new CanonicalJsonDecoder(limits);
            case OtlpJsonDecoder.FORMAT:
                return new OtlpJsonDecoder(hint, limits);
            case OtlpProtoDecoder.FORMAT:
                return new OtlpProtoDecoder(hint, limits);
            case JournaldDecoder.FORMAT:
                if (colon >= 0) {
                    throw unknown(format);
                }
                return new JournaldDecoder(limits);
            default:
                throw unknown(format);
        }
    }

    /**
     * Decodes one record with the safety net every source needs: decoders report bad input as dead letters
     * themselves, but should one fail on a record anyway (a bug), the record becomes a single {@code decoder_error}
     * dead letter holding all its bytes, and the caller goes on with the next one, instead of a failed replay or a job
     * that restarts on the same record forever. What the decoder emitted for that record before failing is withheld,
     * so replaying the dead letter cannot duplicate it.
     */
    public static void decodeSafely(TelemetryDecoder decoder, byte[] payload, String origin, Consumer<Ingested> out) {
        List<Ingested> decoded = new ArrayList<>(4);
        try {
            decoder.decode(payload, origin, decoded::add);
        } catch (RuntimeException | StackOverflowError e) {
            out.accept(Ingested.dead(new DeadLetter(
                    payload == null ? new byte[0] : payload,
                    origin,
                    decoder.format(),
                    Reasons.DECODER_ERROR,
                    Reasons.detail(e.getClass().getSimpleName() + ": " + e.getMessage()))));
            return;
        }
        for (Ingested i : decoded) {
            out.accept(i);
        }
    }

    private static IllegalArgumentException unknown(String format) {
        return new IllegalArgumentException(
                "unknown input format \"" + format + "\"; valid formats: " + String.join(", ", FORMATS));
    }
}
