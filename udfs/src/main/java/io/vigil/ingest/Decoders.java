package io.vigil.ingest;

import java.util.ArrayList;
import java.util.List;

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

    private static IllegalArgumentException unknown(String format) {
        return new IllegalArgumentException(
                "unknown input format \"" + format + "\"; valid formats: " + String.join(", ", FORMATS));
    }
}
