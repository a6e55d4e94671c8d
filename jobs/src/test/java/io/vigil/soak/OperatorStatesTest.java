package io.vigil.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorStatesTest {
    @TempDir
    Path dir;

    @Test
    void namesTheOperatorWhoseStateGrowsAndReadsVertexNamesWithCommas() throws IOException {
        StringBuilder csv =
                new StringBuilder("time,elapsed_s,checkpoint_id,vertex,state_size_bytes,checkpointed_size_bytes\n");
        for (int m = 1; m <= 20; m++) {
            String t = "2026-12-04T18:" + String.format("%02d", m) + ":00Z";
            csv.append(t)
                    .append(',')
                    .append(60 * m)
                    .append(",")
                    .append(m)
                    .append(",\"Detectors\",")
                    .append(100_000 + 10_000 * m)
                    .append(",0\n");
            csv.append(t)
                    .append(',')
                    .append(60 * m)
                    .append(",")
                    .append(m)
                    .append(",\"Privacy: alerts -> (Alerts: kafka: Writer, Alerts: search: Writer)\",")
                    .append(m % 2 == 0 ? 50_000 : 50_500)
                    .append(",0\n");
            csv.append(t).append(',').append(60 * m).append(",").append(m).append(",\"Source: rules\",0,0\n");
        }
        Path f = dir.resolve("operators.csv");
        Files.writeString(f, csv);

        Map<String, List<double[]>> byVertex = OperatorStates.read(f);
        assertEquals(3, byVertex.size());
        assertTrue(byVertex.containsKey("Privacy: alerts -> (Alerts: kafka: Writer, Alerts: search: Writer)"));
        List<OperatorStates.Growth> g = OperatorStates.judge(byVertex, 600, 0.1);
        // The stateless source is left out; Detectors grows 10 KB a minute, the sink's state only wiggles.
        assertEquals(2, g.size());
        assertEquals("Detectors", g.get(0).vertex());
        assertEquals(Flatness.Verdict.GROWING, g.get(0).verdict());
        assertEquals(10.0, g.get(0).slopeKbPerMinute(), 1e-9);
        assertEquals(200.0, g.get(0).firstKb(), 1e-9);
        assertEquals(300.0, g.get(0).lastKb(), 1e-9);
        assertEquals(Flatness.Verdict.FLAT, g.get(1).verdict());

        String table = OperatorStates.table("state per operator:", g);
        assertTrue(table.indexOf("Detectors") < table.indexOf("Privacy: alerts"), table);
        assertTrue(table.contains("10.00") && table.contains("growing"), table);
    }

    @Test
    void aShortLineIsReportedWithItsNumber() throws IOException {
        Path f = dir.resolve("operators.csv");
        Files.writeString(f, "time,elapsed_s,checkpoint_id,vertex,state_size_bytes,checkpointed_size_bytes\nx,1,2\n");
        IOException e = assertThrows(IOException.class, () -> OperatorStates.read(f));
        assertTrue(e.getMessage().contains("operators.csv:2: 3 cells, expected 6"), e.getMessage());
    }
}
