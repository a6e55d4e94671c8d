package io.vigil.model;

import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The short strings a serializer wrote last, each with its encoding ({@link CompactStrings}' header and UTF-8 bytes),
 * so that writing the same string again copies the bytes rather than encoding it anew. The writing side of
 * {@link RecentStrings}: routed records repeat a few strings over and over (attribute keys and values, services, span
 * names, severities), and in a profile of the source's thread with the 32 starter rules writing strings was 11% of it
 * (the encoder 3.9%, the scan for a '?' that could stand for an unpaired surrogate 3.2%), three quarters of writing the
 * routed record (docs/benchmarks.md).
 *
 * <p>A slot keeps the last string that hashes to it, found by equality: the decoder makes a new string for each value of
 * each record, so the same value is seldom the same object; comparing at most {@value #LONGEST} chars with one kept
 * costs less than encoding them. Our own rather than a library's for the reason {@link RecentStrings} gives.
 *
 * <p>Not thread-safe: one per serializer, which {@link org.apache.flink.api.common.typeutils.TypeSerializer#duplicate
 * duplicates} itself for every thread.
 */
public final class RecentEncodings {
    /** Longer strings (message bodies) seldom repeat; they are encoded each time. The read side's limit. */
    static final int LONGEST = RecentStrings.LONGEST;

    /** A few hundred distinct strings repeat in telemetry of a few dozen services; values beyond evict one another. */
    private static final int SLOT_BITS = 11;

    private final String[] strings = new String[1 << SLOT_BITS];
    private final byte[][] encodings = new byte[1 << SLOT_BITS][];
    private final DataOutputSerializer scratch = new DataOutputSerializer(2 + 3 * LONGEST);

    /** Writes {@code s} (null allowed) as {@link CompactStrings#write} does, from the encoding kept for it if any. */
    public void write(String s, DataOutputView out) throws IOException {
        if (s == null || s.length() > LONGEST) {
            CompactStrings.write(s, out);
            return;
        }
        int h = s.hashCode();
        int slot = (h ^ (h >>> SLOT_BITS) ^ (h >>> 2 * SLOT_BITS)) & ((1 << SLOT_BITS) - 1);
        byte[] encoded = encodings[slot];
        if (encoded == null || !s.equals(strings[slot])) {
            scratch.clear();
            CompactStrings.write(s, scratch);
            encoded = Arrays.copyOf(scratch.getSharedBuffer(), scratch.length());
            strings[slot] = s;
            encodings[slot] = encoded;
        }
        out.write(encoded);
    }
}
