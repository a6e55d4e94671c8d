package io.vigil.privacy;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed pseudonyms: HMAC-SHA256 of a value under the policy's secret key, truncated to a number of hex digits and
 * prefixed {@code h:} so a reader knows it is a pseudonym, not a value. The same value always gets the same pseudonym
 * under the same key (so grouping and key_by still work), and without the key nobody can test a guess (a plain hash of
 * a user name or an IP address is reversed by trying them all).
 *
 * <p>Not thread-safe (one {@link Mac} per instance): each operator instance makes its own.
 */
public final class Pseudonyms {
    /** What every pseudonym starts with. */
    public static final String PREFIX = "h:";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Mac mac;
    private final int hexDigits;

    /** A pseudonym maker with {@code key}; {@code hexDigits} (8 to 64) of the HMAC are kept. */
    public Pseudonyms(byte[] key, int hexDigits) {
        if (hexDigits < 8 || hexDigits > 64) {
            throw new IllegalArgumentException("hash length must be 8 to 64 hex digits, got " + hexDigits);
        }
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available: " + e.getMessage(), e);
        }
        this.hexDigits = hexDigits;
    }

    /** {@code h:} and the first hex digits of HMAC-SHA256(key, value). */
    public String of(String value) {
        byte[] d = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
        char[] out = new char[PREFIX.length() + hexDigits];
        out[0] = 'h';
        out[1] = ':';
        for (int i = 0; i < hexDigits; i++) {
            int b = d[i / 2] & 0xff;
            out[2 + i] = HEX[(i & 1) == 0 ? b >>> 4 : b & 0xf];
        }
        return new String(out);
    }

    /** Whether {@code s} is a pseudonym ({@code h:} and hex digits): it is never hashed again. */
    public static boolean isPseudonym(CharSequence s, int from, int to) {
        if (to - from < PREFIX.length() + 8 || s.charAt(from) != 'h' || s.charAt(from + 1) != ':') {
            return false;
        }
        for (int i = from + 2; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    public static boolean isPseudonym(String s) {
        return s != null && isPseudonym(s, 0, s.length());
    }

    /**
     * Whether {@code s[from, to)} is already a replacement (a pseudonym or a placeholder such as {@code <email>}), so
     * redacting redacted text changes nothing.
     */
    static boolean isReplacement(CharSequence s, int from, int to) {
        if (to - from >= 2 && s.charAt(from) == '<' && s.charAt(to - 1) == '>') {
            return true;
        }
        return isPseudonym(s, from, to);
    }
}
