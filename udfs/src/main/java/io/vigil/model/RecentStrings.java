package io.vigil.model;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;

/**
 * The short strings a serializer read last, by their UTF-8 bytes, so that the same bytes read again give the same
 * {@link String} and not a new one. Routed records repeat a few strings over and over (attribute keys, services,
 * hosts, severities, the routing key); in a profile of the detectors' thread with 20 rules, making those strings anew
 * was a quarter of it ({@code new String} 15% of its samples, hashing the new keys into the attribute maps 8%). A
 * string taken from here has its hash computed once, and records kept in heap state share it instead of holding a copy
 * each.
 *
 * <p>Our own rather than a library's: interners (Guava's, {@link String#intern}) take a {@code String}, which is what
 * reading the bytes would have to make first; Jackson's name canonicalizer is internal to its parsers. The table is
 * direct-mapped with no locks: a slot keeps the last string that hashes to it, so many distinct values (user names,
 * addresses) only evict one another, and the cost of a miss is a hash of at most 24 bytes and a copy of at most
 * {@value #LONGEST} on top of what reading the string costs anyway.
 *
 * <p>Not thread-safe: one per serializer, which is why a serializer that holds one is stateful and
 * {@link org.apache.flink.api.common.typeutils.TypeSerializer#duplicate duplicates} itself for every thread.
 */
public final class RecentStrings {
    /** Strings longer than this (message bodies, trace ids, most values that vary per record) are never kept. */
    static final int LONGEST = 48;

    /** Slots: room for a few hundred strings with few collisions, in about 250 KB. */
    static final int SLOT_BITS = 12;

    static final int SLOTS = 1 << SLOT_BITS;

    private static final long MIX = 0x9E3779B97F4A7C15L;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The largest buffer kept for reading records; a larger record gets a buffer of its own. */
    static final int LARGEST_RECORD_BUFFER = 64 * 1024;

    /** The bytes of the string kept in each slot, {@value #LONGEST} bytes a slot, in one array to be read in place. */
    private final byte[] kept = new byte[SLOTS * LONGEST];
    /** The length of the string kept in each slot plus one; 0 for an empty slot. */
    private final byte[] lengths = new byte[SLOTS];

    private final String[] strings = new String[SLOTS];
    private final byte[] scratch = new byte[LONGEST];
    private final DataInputDeserializer record = new DataInputDeserializer();
    private byte[] recordBuffer = new byte[1024];

    /** Reads {@code n} UTF-8 bytes from {@code in} as a string: the one read last with the same bytes, if still kept. */
    public String read(DataInputView in, int n) throws IOException {
        if (n > LONGEST) {
            byte[] utf8 = new byte[n];
            in.readFully(utf8);
            return new String(utf8, StandardCharsets.UTF_8);
        }
        in.readFully(scratch, 0, n);
        int slot = slotOf(scratch, n);
        int at = slot * LONGEST;
        if (lengths[slot] == n + 1 && sameBytes(at, n)) {
            return strings[slot];
        }
        String s = new String(scratch, 0, n, StandardCharsets.UTF_8);
        System.arraycopy(scratch, 0, kept, at, n);
        lengths[slot] = (byte) (n + 1);
        strings[slot] = s;
        return s;
    }

    /**
     * Whether the first {@code n} bytes of {@link #scratch} are those kept at {@code at}, eight at a time (the last eight
     * overlapping the ones before). With a copy of its own per string and {@code Arrays.equals}, the comparison took
     * 169 of a read's 189 samples in a profile (200 rules); in one array, compared here, 118 of 138.
     */
    private boolean sameBytes(int at, int n) {
        if (n < 8) {
            for (int i = 0; i < n; i++) {
                if (kept[at + i] != scratch[i]) {
                    return false;
                }
            }
            return true;
        }
        for (int i = 0; i < n - 8; i += 8) {
            if ((long) LONGS.get(kept, at + i) != (long) LONGS.get(scratch, i)) {
                return false;
            }
        }
        return (long) LONGS.get(kept, at + n - 8) == (long) LONGS.get(scratch, n - 8);
    }

    /**
     * The slot of the first {@code n} bytes of {@code utf8}, from at most 24 of them (the first, middle and last eight):
     * a hash of every byte was a twelfth of the detectors' thread with 200 rule ids a record, more than making the
     * strings anew. Strings that differ only elsewhere share a slot, which costs misses, never a wrong string.
     */
    static int slotOf(byte[] utf8, int n) {
        long x;
        if (n >= 8) {
            x = (long) LONGS.get(utf8, 0) * MIX + (long) LONGS.get(utf8, n - 8);
            if (n > 16) {
                x = x * MIX + (long) LONGS.get(utf8, (n >>> 1) - 4);
            }
        } else {
            x = 0;
            for (int i = 0; i < n; i++) {
                x = x << 8 | (utf8[i] & 0xFF);
            }
        }
        return (int) (((x + n) * MIX) >>> (64 - SLOT_BITS));
    }

    /**
     * The next {@code n} bytes of {@code in}, copied in one step, as an input to read a record's fields from: reading a
     * network buffer field by field pays the buffer's bounds checks once per string (8% of the detectors' thread in a
     * profile with 20 rules), a byte array's copies are cheap. Valid until the next call.
     */
    DataInputDeserializer record(DataInputView in, int n) throws IOException {
        byte[] buffer = recordBuffer;
        if (buffer.length < n) {
            buffer = new byte[Math.max(n, buffer.length * 2)];
            if (buffer.length <= LARGEST_RECORD_BUFFER) {
                recordBuffer = buffer; // a rare large record's buffer is not kept for the records after it
            }
        }
        in.readFully(buffer, 0, n);
        record.setBuffer(buffer, 0, n);
        return record;
    }
}
