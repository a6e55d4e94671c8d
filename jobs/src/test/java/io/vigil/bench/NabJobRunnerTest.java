package io.vigil.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.bench.nab.DirectNabRunner;
import io.vigil.bench.nab.NabResults;
import io.vigil.bench.nab.NabSeries;
import io.vigil.detect.anomaly.AnomalyConfig;
import io.vigil.detect.anomaly.AnomalyScore;
import io.vigil.detect.anomaly.AnomalyScorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NAB path through the real detection job (MiniCluster, event time, one anomaly rule keyed by series) scores every
 * row exactly as the scorer fed directly in file order does, so job plumbing (routing, buffering until the watermark,
 * keyed state, rollups) changes no score.
 */
class NabJobRunnerTest {
    private static NabSeries series(String name, long seed, int spikeAt) {
        Random rnd = new Random(seed);
        int n = 1500;
        long[] ms = new long[n];
        double[] v = new double[n];
        List<String> ts = new ArrayList<>();
        long t0 = Instant.parse("2014-01-01T00:00:00Z").toEpochMilli();
        for (int i = 0; i < n; i++) {
            ms[i] = t0 + i * 300_000L;
            ts.add(Instant.ofEpochMilli(ms[i]).toString().replace('T', ' ').replace("Z", ""));
            v[i] = 50 + 10 * Math.sin(2 * Math.PI * i / 288.0) + rnd.nextGaussian() + (i == spikeAt ? 30 : 0);
        }
        return new NabSeries(name, ts, ms, v, List.of(new int[] {spikeAt - 10, spikeAt + 10}));
    }

    @Test
    void theJobPathScoresEveryRowLikeTheDirectScorer(@TempDir Path out) throws Exception {
        List<NabSeries> corpus = List.of(series("cat/a.csv", 1, 1200), series("cat/b.csv", 2, 900));
        long scored = NabJobRunner.run(Map.of(), corpus, out);
        assertEquals(3000, scored);
        AnomalyScorer scorer = new AnomalyScorer(new AnomalyConfig());
        for (NabSeries s : corpus) {
            assertTrue(Files.isRegularFile(NabResults.resultFile(out, s)), s.name());
            double[] job = NabResults.readScores(out, s);
            List<AnomalyScore> direct = DirectNabRunner.run(scorer, s);
            assertEquals(s.size(), job.length);
            for (int i = 0; i < job.length; i++) {
                assertEquals(direct.get(i).score, job[i], 0.0, s.name() + " row " + i);
            }
        }
        double[] a = NabResults.readScores(out, corpus.get(0));
        assertTrue(a[1200] >= 0.5, "the spike crosses the alerting level: " + a[1200]);
    }
}
