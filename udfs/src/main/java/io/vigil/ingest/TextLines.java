package io.vigil.ingest;

import java.util.function.BiConsumer;

/** The lines of a text record (a syslog or journald record may hold several), as line-based decoders read them. */
final class TextLines {
    private TextLines() {}

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
