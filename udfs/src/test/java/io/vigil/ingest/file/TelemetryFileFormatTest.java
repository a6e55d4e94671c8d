package io.vigil.ingest.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.Reasons;
import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.local.LocalDataInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recorded files: one bad record never costs the others, and a file cut anywhere (inside a record or inside a
 * length prefix) ends with a dead letter holding the bytes that were there.
 */
class TelemetryFileFormatTest {
    private static final long T = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    static List<Ingested> readAll(String format, Path file) throws IOException {
        TelemetryFileFormat f = new TelemetryFileFormat(format, file.toString(), IngestLimits.defaults());
        List<Ingested> out = new ArrayList<>();
        try (StreamFormat.Reader<Ingested> r =
                f.createReader(new Configuration(), new LocalDataInputStream(file.toFile()))) {
            Ingested i;
            while ((i = r.read()) != null) {
                out.add(i);
            }
        }
        return out;
    }

    private static String line(String service) {
        return TelemetryJson.write(Telemetry.metric(T, service, "latency", 1.0));
    }

    @Test
    void hostileLinesAreDeadLettersAndTheRestIsRead() throws IOException {
        // Each of these threw out of the decoder (and so out of the replay) or took minutes before issue 15.
        String hugeExponent =
                "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"endTimeUnixNano\":1e999999999}]}]}]}";
        String tinyExponent = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"attributes\":[{\"key\":\"n\","
                + "\"value\":{\"intValue\":1e-999999999}}]}]}]}]}";
        String slow = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"endTimeUnixNano\":1e10000000}]}]}]}";
        String good =
                "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"m\",\"gauge\":{\"dataPoints\":"
                        + "[{\"timeUnixNano\":\"" + T * 1_000_000L + "\",\"asDouble\":1.5}]}}]}]}]}";
        Path f = dir.resolve("mixed.jsonl");
        Files.writeString(f, String.join("\n", good, hugeExponent, good, tinyExponent, slow, good) + "\n");
        List<Ingested> out = readAll("otlp-json", f);
        assertEquals(6, out.size(), out.toString());
        for (int i : new int[] {0, 2, 5}) {
            assertEquals("m", out.get(i).telemetry.name, "line " + (i + 1));
        }
        for (int i : new int[] {1, 3, 4}) {
            DeadLetter d = out.get(i).deadLetter;
            assertEquals("file:" + f + ":" + (i + 1), d.origin);
            assertTrue(d.reason.equals(Reasons.INVALID_VALUE) || d.reason.equals(Reasons.INVALID_TYPE), d.toString());
        }
    }

    private static byte[] frame(byte[] payload) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        new DataOutputStream(b).writeInt(payload.length);
        b.write(payload);
        return b.toByteArray();
    }

    @Test
    void aProtobufFileCutAnywhereEndsWithADeadLetter() throws IOException {
        byte[] json = "[]".getBytes(StandardCharsets.UTF_8); // any bytes: the frame is cut before decoding
        byte[] whole = frame(json);
        for (int cut = 1; cut < whole.length; cut++) {
            Path f = dir.resolve("cut-" + cut + ".otlp");
            Files.write(f, Arrays.copyOf(whole, cut));
            List<Ingested> out = readAll("otlp-proto:metrics", f);
            assertEquals(1, out.size(), "cut at " + cut);
            DeadLetter d = out.get(0).deadLetter;
            assertEquals(Reasons.PARSE_ERROR, d.reason);
            assertEquals("otlp-proto:metrics", d.format);
            assertEquals("file:" + f + "#1", d.origin);
            if (cut < 4) {
                assertTrue(d.detail.contains("inside the 4-byte length prefix"), d.detail);
                assertArrayEquals(Arrays.copyOf(whole, cut), d.raw, "the prefix bytes that were there");
            } else {
                assertTrue(d.detail.contains("inside a record of 2 bytes"), d.detail);
                assertArrayEquals(Arrays.copyOfRange(whole, 4, cut), d.raw, "the record bytes that were there");
            }
        }
        Path empty = dir.resolve("empty.otlp");
        Files.write(empty, new byte[0]);
        assertEquals(List.of(), readAll("otlp-proto:metrics", empty), "an empty file is no record, not a cut one");
    }

    @Test
    void badJsonLinesDoNotCostTheOthers() throws IOException {
        Path f = dir.resolve("t.jsonl");
        Files.write(
                f,
                HostileBytes.join(
                        line("a").getBytes(StandardCharsets.UTF_8),
                        new byte[] {'\n', '{', (byte) 0xC0, (byte) 0xAF, '}', '\n'},
                        line("c").getBytes(StandardCharsets.UTF_8)));
        List<Ingested> out = readAll("json", f);
        assertEquals(3, out.size());
        assertEquals("a", out.get(0).telemetry.service());
        assertArrayEquals(new byte[] {'{', (byte) 0xC0, (byte) 0xAF, '}'}, out.get(1).deadLetter.raw);
        assertEquals("c", out.get(2).telemetry.service());
    }

    /** Byte-array concatenation for building files. */
    static final class HostileBytes {
        static byte[] join(byte[]... parts) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (byte[] p : parts) {
                b.write(p, 0, p.length);
            }
            return b.toByteArray();
        }
    }
}
