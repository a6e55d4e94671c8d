package io.vigil.detect.list;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR form ({@code 203.0.113.0/24}, {@code 2001:db8::/32}); a bare address is a /32 or
 * /128. Written here rather than taken from a library because the JDK parses address literals already and the rest
 * is a prefix comparison; addresses are only ever parsed as literals, never looked up in DNS.
 */
public final class IpRange implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final byte[] network;
    private final int prefix;

    private IpRange(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /** True when the text looks like an address or CIDR, so it is parsed as one (and must then be valid). */
    static boolean looksLikeIp(String text) {
        String a = text.contains("/") ? text.substring(0, text.indexOf('/')) : text;
        return V4.matcher(a).matches() || V6.matcher(a).matches();
    }

    /** @throws IllegalArgumentException saying what is wrong */
    public static IpRange parse(String text) {
        int slash = text.indexOf('/');
        byte[] addr = address(slash < 0 ? text : text.substring(0, slash));
        if (addr == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR range");
        }
        int bits = addr.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("bad prefix length in '" + text + "'; expected /0 to /" + bits);
            }
        }
        return new IpRange(mask(addr, prefix), prefix);
    }

    public boolean contains(byte[] addr) {
        return addr != null && addr.length == network.length && Arrays.equals(mask(addr, prefix), network);
    }

    /** The bytes of an address literal, or null if the text is not one. Never resolves a host name. */
    public static byte[] address(String text) {
        if (text == null) {
            return null;
        }
        if (V4.matcher(text).matches()) {
            String[] parts = text.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int n = Integer.parseInt(parts[i]);
                if (n > 255) {
                    return null;
                }
                b[i] = (byte) n;
            }
            return b;
        }
        if (V6.matcher(text).matches()) {
            try {
                byte[] b = InetAddress.getByName(text).getAddress(); // a literal with ':' is never looked up
                return b.length == 16 ? b : null;
            } catch (UnknownHostException | SecurityException e) {
                return null;
            }
        }
        return null;
    }

    private static byte[] mask(byte[] addr, int prefix) {
        byte[] out = addr.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        return out;
    }
}
