package io.vigil.bench.nab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.anomaly.AnomalyConfig;
import io.vigil.detect.anomaly.AnomalyScore;
import io.vigil.detect.anomaly.AnomalyScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Result files written by the direct runner read back to the same scores, with NAB's columns first. */
class NabResultsTest {
    @Test
    void resultFilesRoundTripAndCarryLabels(@TempDir Path out) throws IOException {
        int n = 400;
        List<String> ts = new ArrayList<>();
        long[] ms = new long[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            ms[i] = 1_400_000_000_000L + i * 300_000L;
            ts.add("t" + i);
            values[i] = i == 300 ? 100 : Math.sin(i / 10.0);
        }
        NabSeries s = new NabSeries("cat/x.csv", ts, ms, values, List.of(new int[] {290, 310}));
        List<AnomalyScore> scored = DirectNabRunner.run(new AnomalyScorer(new AnomalyConfig()), s);
        NabResults.write(out, s, scored);
        double[] back = NabResults.readScores(out, s);
        assertArrayEquals(DirectNabRunner.scores(scored), back, 0.0);
        List<String> lines = Files.readAllLines(out.resolve("cat/x.csv"));
        assertTrue(lines.get(0).startsWith("timestamp,value,anomaly_score,label"));
        assertEquals("1", lines.get(301).split(",")[3]);
        assertEquals("0", lines.get(1).split(",")[3]);
        assertTrue(back[300] >= 0.5, "the spike at row 300 scores at the alerting level: " + back[300]);

        Files.writeString(out.resolve("cat/x.csv"), String.join("\n", lines.subList(0, 10)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NabResults.readScores(out, s));
        assertTrue(e.getMessage().contains("9 rows"), e.getMessage());
    }
}
