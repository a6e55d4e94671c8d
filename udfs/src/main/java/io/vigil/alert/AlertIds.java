package io.vigil.alert;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Stable alert ids: the same rule, key and window always give the same id, so sinks write idempotently (Kafka record
 * key, search document id) and a replay or a restart never duplicates an alert.
 */
public final class AlertIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private AlertIds() {}

    public static String of(String ruleId, String key, long windowStart, long windowEnd) {
        return digest(key + '|' + windowStart + '|' + windowEnd, ruleId);
    }

    /** The id of the alert that resolves the incident opened by {@code firingId}. */
    public static String resolved(String firingId) {
        return firingId + "-resolved";
    }

    /** A readable prefix (the rule id) and 20 hex digits of SHA-256 over the rest. */
    public static String digest(String text, String ruleId) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] h = md.digest((ruleId + '|' + text).getBytes(StandardCharsets.UTF_8));
            StringBuilder b =
                    new StringBuilder(ruleId.length() + 21).append(ruleId).append('-');
            for (int i = 0; i < 10; i++) {
                b.append(HEX[(h[i] >> 4) & 0xf]).append(HEX[h[i] & 0xf]);
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
