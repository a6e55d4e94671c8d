package io.vigil.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakCsvTest {
    @TempDir
    Path dir;

    @Test
    void rowsReadBackAsWrittenWithUnknownValuesAsEmptyCells() throws IOException {
        Path f = dir.resolve("soak.csv");
        SoakSample a = new SoakSample(
                Instant.parse("2026-12-04T18:00:00Z"),
                60,
                Map.of(Curve.STATE_SIZE, 12.5, Curve.RECORDS_IN, 199.75, Curve.LATENCY_P50, 11_250.0));
        SoakSample b = new SoakSample(Instant.parse("2026-12-04T18:01:00Z"), 120, Map.of(Curve.STATE_SIZE, 12.625));
        try (SoakCsv csv = new SoakCsv(f)) {
            csv.append(a);
            csv.append(b);
        }
        List<String> lines = Files.readAllLines(f);
        assertEquals(SoakCsv.header(), lines.get(0));
        assertTrue(lines.get(0).startsWith("time,elapsed_s,jobmanager_heap_used_mb,"), lines.get(0));
        assertEquals(2 + Curve.values().length, lines.get(1).split(",", -1).length);
        assertTrue(lines.get(2).startsWith("2026-12-04T18:01:00Z,120.0,,,12.625,"), lines.get(2));

        List<SoakSample> back = SoakCsv.read(f);
        assertEquals(2, back.size());
        assertEquals(a.time(), back.get(0).time());
        assertEquals(60.0, back.get(0).elapsedSeconds());
        assertEquals(199.75, back.get(0).value(Curve.RECORDS_IN));
        assertEquals(11_250.0, back.get(0).value(Curve.LATENCY_P50));
        assertTrue(Double.isNaN(back.get(0).value(Curve.JOBMANAGER_HEAP)));
        assertEquals(12.625, back.get(1).value(Curve.STATE_SIZE));
        assertTrue(Double.isNaN(back.get(1).value(Curve.RECORDS_IN)));
    }

    @Test
    void aFileWithFewerColumnsReadsByName() throws IOException {
        Path f = dir.resolve("old.csv");
        Files.writeString(f, "time,elapsed_s,state_size_mb\n2026-12-04T18:00:00Z,60.0,3.5\n");
        List<SoakSample> s = SoakCsv.read(f);
        assertEquals(3.5, s.get(0).value(Curve.STATE_SIZE));
        assertTrue(Double.isNaN(s.get(0).value(Curve.RECORDS_IN)));
    }

    @Test
    void aMalformedLineIsReportedWithItsLineNumber() throws IOException {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "time,elapsed_s,state_size_mb\n2026-12-04T18:00:00Z,60.0,3.5\nyesterday,120.0,3.5\n");
        IOException e = assertThrows(IOException.class, () -> SoakCsv.read(f));
        assertTrue(e.getMessage().contains("bad.csv:3:"), e.getMessage());
        Files.writeString(f, "when,value\n");
        e = assertThrows(IOException.class, () -> SoakCsv.read(f));
        assertTrue(e.getMessage().contains("bad.csv:1: not a soak CSV header"), e.getMessage());
        Files.writeString(f, "time,elapsed_s,state_size_mb\n2026-12-04T18:00:00Z,60.0\n");
        e = assertThrows(IOException.class, () -> SoakCsv.read(f));
        assertTrue(e.getMessage().contains("bad.csv:2: 2 cells, the header has 3"), e.getMessage());
    }
}
