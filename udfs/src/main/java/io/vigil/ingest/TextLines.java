package io.vigil.ingest;

import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** The lines of a text record (a syslog or journald record may hold several), as line-based decoders read them. */
final class TextLines {
    private TextLines() {}

    /**
     * Decodes a record of text lines the way every line-based format does: the size limits first, then the whole
     * record must be UTF-8, then each non-blank line goes to {@code line} with its origin (see {@link #forEachLine});
     * a record without such a line is one dead letter saying it holds no {@code unit}.
     */
    static void decode(
            byte[] payload,
            String origin,
            String format,
            IngestLimits limits,
            String unit,
            BiConsumer<String, String> line,
            Consumer<Ingested> out) {
        DeadLetter unusable = limits.unusable(payload, origin, format);
        if (unusable != null) {
            out.accept(Ingested.dead(unusable));
            return;
        }
        String notUtf8 = notUtf8(payload);
        if (notUtf8 != null) {
            out.accept(dead(
                    payload, origin, format, Reasons.PARSE_ERROR, notUtf8 + "; " + format + " records must be UTF-8"));
            return;
        }
        if (!forEachLine(new String(payload, StandardCharsets.UTF_8), origin, line)) {
            out.accept(dead(payload, origin, format, Reasons.PARSE_ERROR, "no " + unit + " in the record"));
        }
    }

    /** A dead letter of a line-based format, its detail bounded as every dead letter's is. */
    static Ingested dead(byte[] raw, String origin, String format, String reason, String detail) {
        return Ingested.dead(new DeadLetter(raw, origin, format, reason, Reasons.detail(detail)));
    }

    /**
     * Why the bytes are not UTF-8, or null when they are. Decoded leniently they would become U+FFFD, and a dead letter
     * would no longer hold the input's bytes.
     */
    static String notUtf8(byte[] payload) {
        int[] malformed = CanonicalJsonDecoder.malformedUtf8(payload);
        return malformed == null ? null : CanonicalJsonDecoder.malformedUtf8Message(payload, malformed[0]);
    }

    /**
     * Hands each non-blank line to {@code line} with its origin: the record's, or {@code origin#lineN} when the record
     * holds several lines. Returns false when there is no such line.
     */
    static boolean forEachLine(String text, String origin, BiConsumer<String, String> line) {
        boolean many = text.indexOf('\n') >= 0 && text.indexOf('\n') < text.length() - 1;
        int lineNo = 0;
        boolean any = false;
        for (String l : text.split("\r?\n")) {
            lineNo++;
            if (l.isBlank()) {
                continue;
            }
            any = true;
            line.accept(l, many ? origin + "#line" + lineNo : origin);
        }
        return any;
    }
}
