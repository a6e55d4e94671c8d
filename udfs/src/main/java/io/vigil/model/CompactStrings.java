package io.vigil.model;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The string encoding of Vigil's hand-written serializers: a varint header, then the string's UTF-8 bytes. Flink's own
 * {@link StringValue} encoding reads and writes one char at a time through a thread-local buffer; in a profile of the
 * detection job with 20 rules its {@code readString} was a fifth of the CPU, since every routed record carries a
 * dozen strings. UTF-8 bytes are copied in and out in bulk and decoded by the JDK's vectorised ASCII path.
 *
 * <p>UTF-8 cannot carry an unpaired surrogate (a JSON {@code "\ud800"} escape decodes to one), and a record must read
 * back exactly as it was written, so such a string falls back to {@link StringValue}'s encoding, which keeps every
 * char. Header: 0 is null, an odd value {@code 2n+1} is n UTF-8 bytes, 2 is the fallback.
 */
public final class CompactStrings {
    private static final int FALLBACK = 2;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private CompactStrings() {}

    /** Writes {@code s} (null allowed). */
    public static void write(String s, DataOutputView out) throws IOException {
        if (s == null) {
            out.writeByte(0);
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        // The encoder writes '?' for an unpaired surrogate, one byte for one char, so equal lengths mean all ASCII
        // only when the bytes hold no '?'; otherwise make sure UTF-8 kept every char.
        if ((utf8.length != s.length() || containsQuestionMark(utf8)) && hasUnpairedSurrogate(s)) {
            writeVarInt(FALLBACK, out);
            StringValue.writeString(s, out);
            return;
        }
        writeVarInt(((long) utf8.length << 1) | 1, out);
        out.write(utf8);
    }

    /** Reads a string written by {@link #write} (null included). */
    public static String read(DataInputView in) throws IOException {
        return read(in, null);
    }

    /**
     * Reads a string written by {@link #write} (null included), taking it from {@code recent} when it read the same
     * bytes last: for strings that repeat across records (see {@link RecentStrings}). Without {@code recent}, a new
     * string.
     */
    public static String read(DataInputView in, RecentStrings recent) throws IOException {
        long header = readVarInt(in);
        if (header == 0) {
            return null;
        }
        if (header == FALLBACK) {
            return StringValue.readString(in);
        }
        int n = utf8Length(header);
        if (recent != null) {
            return recent.read(in, n);
        }
        byte[] utf8 = new byte[n];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static int utf8Length(long header) throws IOException {
        if ((header & 1) == 0 || header >>> 1 > Integer.MAX_VALUE) {
            throw new IOException("corrupt string header " + header);
        }
        return (int) (header >>> 1);
    }

    /**
     * Whether {@code bytes} holds a '?', eight bytes per step (a byte loop with an early exit is not vectorised, and
     * this runs on every string written).
     */
    private static boolean containsQuestionMark(byte[] bytes) {
        int i = 0;
        for (; i + 8 <= bytes.length; i += 8) {
            long x = (long) LONGS.get(bytes, i) ^ 0x3F3F3F3F3F3F3F3FL; // a zero byte where the byte was '?'
            if (((x - 0x0101010101010101L) & ~x & 0x8080808080808080L) != 0) {
                return true;
            }
        }
        for (; i < bytes.length; i++) {
            if (bytes[i] == '?') {
                return true;
            }
        }
        return false;
    }

    static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static void writeVarInt(long v, DataOutputView out) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    private static long readVarInt(DataInputView in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("corrupt string header: varint longer than 64 bits");
    }
}
