package io.vigil.ingest.geo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a small MaxMind DB ({@code .mmdb}) file, version 2.0 of the format as published at
 * https://maxmind.github.io/MaxMind-DB/: an IPv6 binary search tree of 24-bit records in which IPv4 networks live
 * under {@code ::/96}, a data section of maps, strings and unsigned integers, and the metadata after the
 * {@code \xAB\xCD\xEFMaxMind.com} marker. Test code of our own because no writer is published for Java; what it
 * writes is read back by MaxMind's own reader, so a mistake here fails the tests that use it.
 *
 * <p>Values are {@link String}, {@link Integer} (uint32), {@link Long} (uint32 when it fits, else uint64),
 * {@link Map} (string keys) and {@link List}. Networks must not overlap.
 */
public final class MaxMindDbWriter {
    private final String databaseType;
    private final Node root = new Node();

    public MaxMindDbWriter(String databaseType) {
        this.databaseType = databaseType;
    }

    /** A GeoLite2-City shaped record: country ISO code and English name, city English name (null for none). */
    public static Map<String, Object> city(String isoCode, String countryName, String cityName) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("country", Map.of("iso_code", isoCode, "names", Map.of("en", countryName), "geoname_id", 1L));
        if (cityName != null) {
            m.put("city", Map.of("names", Map.of("en", cityName), "geoname_id", 2L));
        }
        return m;
    }

    /** A GeoLite2-ASN shaped record. */
    public static Map<String, Object> asn(long number, String organization) {
        return Map.of("autonomous_system_number", number, "autonomous_system_organization", organization);
    }

    /** Maps every address of {@code cidr} (IPv4 or IPv6) to {@code data}. */
    public MaxMindDbWriter put(String cidr, Object data) throws IOException {
        int slash = cidr.indexOf('/');
        byte[] addr = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
        int prefix = Integer.parseInt(cidr.substring(slash + 1));
        byte[] v6 = new byte[16];
        if (addr.length == 4) {
            System.arraycopy(addr, 0, v6, 12, 4);
            prefix += 96;
        } else {
            v6 = addr;
        }
        Node n = root;
        for (int i = 0; i < prefix - 1; i++) {
            int bit = bit(v6, i);
            if (n.data[bit] != null) {
                throw new IllegalArgumentException(cidr + " overlaps a network already written");
            }
            if (n.child[bit] == null) {
                n.child[bit] = new Node();
            }
            n = n.child[bit];
        }
        int last = bit(v6, prefix - 1);
        if (n.child[last] != null || n.data[last] != null) {
            throw new IllegalArgumentException(cidr + " overlaps a network already written");
        }
        n.data[last] = data;
        return this;
    }

    /** Writes the database to a temporary file beside {@code file} and moves it over {@code file}, as updaters do. */
    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The whole file. */
    public byte[] bytes() throws IOException {
        List<Node> nodes = new ArrayList<>();
        Map<Node, Integer> index = new IdentityHashMap<>();
        number(root, nodes, index);
        int nodeCount = nodes.size();

        ByteArrayOutputStream dataSection = new ByteArrayOutputStream();
        Map<Object, Integer> offsets = new IdentityHashMap<>();
        ByteArrayOutputStream tree = new ByteArrayOutputStream();
        for (Node n : nodes) {
            for (int side = 0; side < 2; side++) {
                long record;
                if (n.child[side] != null) {
                    record = index.get(n.child[side]);
                } else if (n.data[side] != null) {
                    Integer offset = offsets.get(n.data[side]);
                    if (offset == null) {
                        offset = dataSection.size();
                        offsets.put(n.data[side], offset);
                        encode(n.data[side], dataSection);
                    }
                    record = nodeCount + 16L + offset; // the spec's data pointer: past the 16-byte separator
                } else {
                    record = nodeCount; // no data for this network
                }
                if (record >= 1L << 24) {
                    throw new IllegalStateException("more than 24-bit records can address");
                }
                tree.write((int) (record >> 16));
                tree.write((int) (record >> 8));
                tree.write((int) record);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tree.toByteArray());
        out.write(new byte[16]); // data section separator
        out.write(dataSection.toByteArray());
        out.write(new byte[] {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF});
        out.write("MaxMind.com".getBytes(StandardCharsets.US_ASCII));
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("node_count", (long) nodeCount);
        metadata.put("record_size", new Uint16(24));
        metadata.put("ip_version", new Uint16(6));
        metadata.put("database_type", databaseType);
        metadata.put("languages", List.of("en"));
        metadata.put("binary_format_major_version", new Uint16(2));
        metadata.put("binary_format_minor_version", new Uint16(0));
        metadata.put("build_epoch", BigInteger.valueOf(1_700_000_000L));
        metadata.put("description", Map.of("en", "Vigil test database"));
        encode(metadata, out);
        return out.toByteArray();
    }

    private static void number(Node n, List<Node> nodes, Map<Node, Integer> index) {
        index.put(n, nodes.size());
        nodes.add(n);
        for (Node c : n.child) {
            if (c != null) {
                number(c, nodes, index);
            }
        }
    }

    private static int bit(byte[] address, int i) {
        return (address[i / 8] >> (7 - i % 8)) & 1;
    }

    /** A value written as uint16 (metadata's record_size, ip_version, format versions). */
    private record Uint16(int value) {}

    private static void encode(Object v, ByteArrayOutputStream out) {
        if (v instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            control(2, b.length, out);
            out.writeBytes(b);
        } else if (v instanceof Uint16 u) {
            unsigned(5, BigInteger.valueOf(u.value()), out);
        } else if (v instanceof Integer i) {
            unsigned(6, BigInteger.valueOf(i), out);
        } else if (v instanceof Long l) {
            unsigned(l < (1L << 32) ? 6 : 9, BigInteger.valueOf(l), out);
        } else if (v instanceof BigInteger b) {
            unsigned(9, b, out);
        } else if (v instanceof Map<?, ?> m) {
            control(7, m.size(), out);
            for (Map.Entry<?, ?> e : m.entrySet()) {
                encode((String) e.getKey(), out);
                encode(e.getValue(), out);
            }
        } else if (v instanceof List<?> list) {
            control(11, list.size(), out);
            for (Object o : list) {
                encode(o, out);
            }
        } else {
            throw new IllegalArgumentException("cannot write " + v);
        }
    }

    /** Unsigned integers take as many big-endian bytes as their value needs; zero takes none. */
    private static void unsigned(int type, BigInteger value, ByteArrayOutputStream out) {
        byte[] b = value.toByteArray();
        int start = 0;
        while (start < b.length && b[start] == 0) {
            start++;
        }
        control(type, b.length - start, out);
        out.write(b, start, b.length - start);
    }

    /** The control byte: type in the top 3 bits (0 and an extra byte for types over 7), then the size. */
    private static void control(int type, int size, ByteArrayOutputStream out) {
        int typeBits = type <= 7 ? type << 5 : 0;
        byte[] sizeBytes;
        int sizeBits;
        if (size < 29) {
            sizeBits = size;
            sizeBytes = new byte[0];
        } else if (size < 29 + 256) {
            sizeBits = 29;
            sizeBytes = new byte[] {(byte) (size - 29)};
        } else if (size < 285 + 65536) {
            sizeBits = 30;
            int s = size - 285;
            sizeBytes = new byte[] {(byte) (s >> 8), (byte) s};
        } else {
            sizeBits = 31;
            int s = size - 65821;
            sizeBytes = new byte[] {(byte) (s >> 16), (byte) (s >> 8), (byte) s};
        }
        out.write(typeBits | sizeBits);
        if (type > 7) {
            out.write(type - 7);
        }
        out.writeBytes(sizeBytes);
    }

    private static final class Node {
        final Node[] child = new Node[2];
        final Object[] data = new Object[2];
    }
}
