package io.vigil.privacy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** Coarser values that still group: an IPv4 address to its /24, an IPv6 address to its /48, a time to its minute. */
public final class Generalize {
    private Generalize() {}

    /**
     * The generalized value, or null when {@code v} is neither an IP address nor a time (epoch milliseconds or an
     * ISO-8601 instant).
     */
    public static String value(String v) {
        if (v == null || v.isEmpty()) {
            return v;
        }
        if (ipv4End(v, 0) == v.length()) {
            return v.substring(0, v.lastIndexOf('.')) + ".0";
        }
        if (v.indexOf(':') >= 0 && isIpv6(v)) {
            return ipv6Prefix48(v);
        }
        if (isDigits(v) && v.length() >= 10 && v.length() <= 14) {
            long ms = Long.parseLong(v);
            return Long.toString(minute(ms));
        }
        if (v.length() >= 16 && TextDetector.digit(v.charAt(0)) && v.indexOf('T') == 10) {
            try {
                return Instant.parse(v).truncatedTo(ChronoUnit.MINUTES).toString();
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    /** Epoch milliseconds floored to the minute. */
    public static long minute(long epochMs) {
        return Math.floorDiv(epochMs, 60_000L) * 60_000L;
    }

    /** End of a dotted-quad IPv4 address starting at {@code i} (octets 0-255, at most 3 digits each), or -1. */
    static int ipv4End(String s, int i) {
        int k = i;
        for (int octet = 0; octet < 4; octet++) {
            if (octet > 0) {
                if (k >= s.length() || s.charAt(k) != '.') {
                    return -1;
                }
                k++;
            }
            int start = k;
            int value = 0;
            while (k < s.length() && TextDetector.digit(s.charAt(k)) && k - start < 3) {
                value = value * 10 + s.charAt(k) - '0';
                k++;
            }
            if (k == start || value > 255 || k < s.length() && TextDetector.digit(s.charAt(k))) {
                return -1;
            }
        }
        return k;
    }

    /** Whether {@code t} is an IPv6 address: eight groups of 1-4 hex digits, or fewer around one {@code ::}. */
    static boolean isIpv6(String t) {
        int dbl = t.indexOf("::");
        if (dbl >= 0 && t.indexOf("::", dbl + 1) >= 0) {
            return false;
        }
        if (dbl < 0) {
            return groups(t, true) == 8;
        }
        int left = dbl == 0 ? 0 : groups(t.substring(0, dbl), false);
        int right = dbl + 2 == t.length() ? 0 : groups(t.substring(dbl + 2), true);
        return left >= 0 && right >= 0 && left + right <= 7;
    }

    /** Number of groups (an IPv4 tail counts two) or -1 when a group is not 1-4 hex digits. */
    private static int groups(String part, boolean ipv4Tail) {
        int count = 0;
        int start = 0;
        while (true) {
            int colon = part.indexOf(':', start);
            String g = colon < 0 ? part.substring(start) : part.substring(start, colon);
            if (colon < 0 && ipv4Tail && g.indexOf('.') >= 0) {
                return ipv4End(g, 0) == g.length() ? count + 2 : -1;
            }
            if (g.isEmpty() || g.length() > 4 || !hex(g)) {
                return -1;
            }
            count++;
            if (colon < 0) {
                return count;
            }
            start = colon + 1;
        }
    }

    private static boolean hex(String g) {
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (!(TextDetector.digit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }

    /** The first three groups (48 bits) of an IPv6 address followed by {@code ::}. */
    static String ipv6Prefix48(String t) {
        String[] full = new String[8];
        int dbl = t.indexOf("::");
        String[] left = dbl < 0
                ? t.split(":")
                : dbl == 0 ? new String[0] : t.substring(0, dbl).split(":");
        int n = Math.min(3, left.length);
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < 3; k++) {
            full[k] = k < n ? Integer.toHexString(Integer.parseInt(left[k], 16)) : "0";
            b.append(full[k]).append(':');
        }
        return b.append(':').toString();
    }

    private static boolean isDigits(String v) {
        for (int i = 0; i < v.length(); i++) {
            if (!TextDetector.digit(v.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
