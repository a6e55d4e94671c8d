package io.vigil.bench.nab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-computed NAB cases. A 100-row file has a probationary period of 15 rows; its window covers rows 50..59
 * (width 10). The scaled sigmoid is {@code 2 / (1 + e^(5x)) - 1}; a TP at row i scores
 * {@code sigma(-(59 - i + 1) / 10) / sigma(-1)}, an FP at row i after the window {@code 0.11 * sigma(|59 - i| / 9)}.
 */
class NabScorerTest {
    private static final double EPS = 1e-9;

    private static NabSeries series(String name, int rows, int[]... windows) {
        List<String> ts = new ArrayList<>();
        long[] ms = new long[rows];
        for (int i = 0; i < rows; i++) {
            ms[i] = 1_400_000_000_000L + i * 300_000L;
            ts.add(Long.toString(ms[i]));
        }
        return new NabSeries(name, ts, ms, new double[rows], List.of(windows));
    }

    private static double[] detectionsAt(int rows, int... at) {
        double[] s = new double[rows];
        for (int i : at) {
            s[i] = 1.0;
        }
        return s;
    }

    private static double sigma(double x) {
        return 2.0 / (1.0 + Math.exp(5.0 * x)) - 1.0;
    }

    @Test
    void scaledSigmoidMatchesNabReferencePoints() {
        assertEquals(0.98661, NabScorer.scaledSigmoid(-1.0), 1e-5);
        assertEquals(0.84828, NabScorer.scaledSigmoid(-0.5), 1e-5);
        assertEquals(0.0, NabScorer.scaledSigmoid(0.0), EPS);
        assertEquals(-0.98661, NabScorer.scaledSigmoid(1.0), 1e-5);
        assertEquals(-1.0, NabScorer.scaledSigmoid(3.0), EPS);
        assertEquals(-1.0, NabScorer.scaledSigmoid(7.0), EPS);
    }

    @Test
    void probationaryPeriodIsFifteenPercentCappedAt750() {
        assertEquals(15, NabScorer.probationaryLength(100));
        assertEquals(604, NabScorer.probationaryLength(4032));
        assertEquals(750, NabScorer.probationaryLength(5000));
        assertEquals(750, NabScorer.probationaryLength(22695));
    }

    @Test
    void truePositiveAtWindowStartEarnsTheFullTpWeight() {
        NabSeries s = series("a/x.csv", 100, new int[] {50, 59});
        NabScorer.FileScore f = NabScorer.scoreFile(s, detectionsAt(100, 50), NabProfile.STANDARD, 0.5);
        assertEquals(1.0, f.score(), EPS);
        assertEquals(1, f.detectedWindows());
        NabScorer.ProfileResult r = NabScorer.evaluate(List.of(s), List.of(detectionsAt(100, 50)), NabProfile.STANDARD);
        assertEquals(-1.0, r.nullScore(), EPS);
        assertEquals(1.0, r.perfect(), EPS);
        assertEquals(100.0, r.normalized(), EPS);
    }

    @Test
    void truePositiveAtWindowEndEarnsLittle() {
        NabSeries s = series("a/x.csv", 100, new int[] {50, 59});
        // position -(59 - 59 + 1) / 10 = -0.1: sigma(-0.1) = 0.244919, divided by sigma(-1) = 0.986614 -> 0.248242
        double expected = sigma(-0.1) / sigma(-1.0);
        assertEquals(0.248242, expected, 1e-6);
        NabScorer.ProfileResult r = NabScorer.evaluate(List.of(s), List.of(detectionsAt(100, 59)), NabProfile.STANDARD);
        assertEquals(expected, r.raw(), EPS);
        assertEquals(100 * (expected + 1) / 2, r.normalized(), EPS); // 62.41
        NabScorer.ProfileResult fn =
                NabScorer.evaluate(List.of(s), List.of(detectionsAt(100, 59)), NabProfile.REWARD_LOW_FN_RATE);
        assertEquals(-2.0, fn.nullScore(), EPS);
        assertEquals(100 * (expected + 2) / 3, fn.normalized(), EPS); // 74.94
    }

    @Test
    void onlyTheEarliestDetectionInAWindowCounts() {
        NabSeries s = series("a/x.csv", 100, new int[] {50, 59});
        NabScorer.FileScore f = NabScorer.scoreFile(s, detectionsAt(100, 55, 52, 58), NabProfile.STANDARD, 0.5);
        assertEquals(sigma(-(59 - 52 + 1) / 10.0) / sigma(-1.0), f.score(), EPS);
    }

    @Test
    void falsePositiveAfterAWindowIsWeightedByItsDistance() {
        NabSeries s = series("a/x.csv", 100, new int[] {50, 59});
        // row 62: |59 - 62| / 9 = 1/3 -> sigma(1/3) = -0.682262, times 0.11 = -0.075049
        double fp = 0.11 * sigma(1.0 / 3.0);
        assertEquals(-0.075049, fp, 1e-6);
        NabScorer.FileScore near = NabScorer.scoreFile(s, detectionsAt(100, 50, 62), NabProfile.STANDARD, 0.5);
        assertEquals(1.0 + fp, near.score(), EPS);
        assertEquals(1, near.falsePositives());
        // row 90: |59 - 90| / 9 = 3.44 >= 3 -> the full -0.11; the low-FP profile doubles it
        NabScorer.FileScore far = NabScorer.scoreFile(s, detectionsAt(100, 50, 90), NabProfile.STANDARD, 0.5);
        assertEquals(1.0 - 0.11, far.score(), EPS);
        NabScorer.FileScore farLowFp =
                NabScorer.scoreFile(s, detectionsAt(100, 50, 90), NabProfile.REWARD_LOW_FP_RATE, 0.5);
        assertEquals(1.0 - 0.22, farLowFp.score(), EPS);
        // a detection right after the window edge barely costs anything (sigma(1/9) * 0.11)
        NabScorer.FileScore edge = NabScorer.scoreFile(s, detectionsAt(100, 50, 60), NabProfile.STANDARD, 0.5);
        assertEquals(1.0 + 0.11 * sigma(1.0 / 9.0), edge.score(), EPS);
    }

    @Test
    void falsePositiveBeforeAnyWindowCostsTheFullFpWeight() {
        NabSeries s = series("a/x.csv", 100, new int[] {50, 59});
        NabScorer.FileScore f = NabScorer.scoreFile(s, detectionsAt(100, 50, 20), NabProfile.STANDARD, 0.5);
        assertEquals(1.0 - 0.11, f.score(), EPS);
    }

    @Test
    void missedWindowCostsTheFnWeightAndScoresZero() {
        NabSeries s = series("a/x.csv", 100, new int[] {50, 59});
        NabScorer.ProfileResult r = NabScorer.evaluate(List.of(s), List.of(new double[100]), NabProfile.STANDARD);
        assertEquals(-1.0, r.raw(), EPS);
        assertEquals(0.0, r.normalized(), EPS);
        assertEquals(0, r.detectedWindows());
    }

    @Test
    void detectionsInTheProbationaryPeriodAreIgnored() {
        NabSeries s = series("a/x.csv", 100, new int[] {50, 59});
        // rows 0..14 are probationary: the detection at 10 would otherwise cost 0.11
        NabScorer.FileScore f = NabScorer.scoreFile(s, detectionsAt(100, 10, 14, 50), NabProfile.STANDARD, 0.5);
        assertEquals(1.0, f.score(), EPS);
        assertEquals(0, f.falsePositives());
        NabScorer.FileScore g = NabScorer.scoreFile(s, detectionsAt(100, 15, 50), NabProfile.STANDARD, 0.5);
        assertEquals(1.0 - 0.11, g.score(), EPS);
    }

    @Test
    void sweepPicksTheBestThresholdOverTheWholeCorpus() {
        NabSeries a = series("a/x.csv", 100, new int[] {50, 59});
        NabSeries b = series("a/y.csv", 100);
        double[] sa = new double[100];
        sa[50] = 0.6; // TP worth 1.0 at thresholds <= 0.6
        double[] sb = new double[100];
        sb[30] = 0.9; // FP before any window in another file: -0.11 at thresholds <= 0.9
        sb[40] = 0.5; // a further FP at thresholds <= 0.5
        List<NabScorer.ThresholdScore> sweep =
                NabScorer.scoreByThreshold(List.of(a, b), List.of(sa, sb), NabProfile.STANDARD);
        assertEquals(1.1, sweep.get(0).threshold(), EPS);
        assertEquals(-1.0, sweep.get(0).score(), EPS);
        NabScorer.ThresholdScore best = NabScorer.best(sweep);
        assertEquals(0.6, best.threshold(), EPS);
        assertEquals(1.0 - 0.11, best.score(), EPS);
        NabScorer.ProfileResult r = NabScorer.evaluate(List.of(a, b), List.of(sa, sb), NabProfile.STANDARD);
        assertEquals(100 * (0.89 + 1) / 2, r.normalized(), EPS);
        // per-file scores at the chosen threshold add up to the corpus score
        assertEquals(r.raw(), r.files().get(0).score() + r.files().get(1).score(), EPS);
    }

    @Test
    void nullDetectorScoresZeroAndPerfectDetectorScoresHundred() {
        NabSeries a = series("a/x.csv", 200, new int[] {50, 59}, new int[] {120, 139});
        double[] perfect = new double[200];
        perfect[50] = 1;
        perfect[120] = 1;
        double[] constant = new double[200];
        java.util.Arrays.fill(constant, 0.5);
        for (NabProfile p : NabProfile.all()) {
            assertEquals(
                    100.0, NabScorer.evaluate(List.of(a), List.of(perfect), p).normalized(), EPS, p.name());
            assertEquals(
                    0.0, NabScorer.evaluate(List.of(a), List.of(constant), p).normalized(), EPS, p.name());
        }
    }

    @Test
    void corpusReaderMapsWindowsToRowsAndRejectsUnknownEdges(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("cat"));
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 10; i++) {
            csv.append("2014-04-01 00:")
                    .append(String.format("%02d", i * 5))
                    .append(":00,")
                    .append(i)
                    .append('\n');
        }
        Files.writeString(data.resolve("cat/s.csv"), csv);
        Path windows = dir.resolve("windows.json");
        Files.writeString(
                windows, "{\"cat/s.csv\": [[\"2014-04-01 00:10:00.000000\", \"2014-04-01 00:20:00.000000\"]]}");
        List<NabSeries> corpus = NabCorpus.load(data, windows);
        assertEquals(1, corpus.size());
        assertEquals(10, corpus.get(0).size());
        assertEquals(2, corpus.get(0).windows().get(0)[0]);
        assertEquals(4, corpus.get(0).windows().get(0)[1]);
        assertEquals("cat", corpus.get(0).category());

        Files.writeString(
                windows, "{\"cat/s.csv\": [[\"2014-04-01 00:11:00.000000\", \"2014-04-01 00:20:00.000000\"]]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NabCorpus.load(data, windows));
        assertTrue(e.getMessage().contains("00:11:00") && e.getMessage().contains("cat/s.csv"), e.getMessage());
    }
}
