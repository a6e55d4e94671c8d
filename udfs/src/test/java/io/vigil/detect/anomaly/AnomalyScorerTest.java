package io.vigil.detect.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Behaviour of the combined per-series scorer on synthetic series with known anomalies. */
class AnomalyScorerTest {
    private static final long STEP = 300_000L; // 5 minutes
    private static final long T0 = 1_400_000_000_000L - 1_400_000_000_000L % 86_400_000L;

    private final AnomalyScorer scorer = new AnomalyScorer(new AnomalyConfig());

    private static double daily(int i) {
        return 50 + 20 * Math.sin(2 * Math.PI * i / 288.0);
    }

    private List<AnomalyScore> run(AnomalyState s, double[] xs, int from) {
        List<AnomalyScore> out = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            out.add(scorer.score(s, T0 + (from + i) * STEP, xs[i]));
        }
        return out;
    }

    @Test
    void scoresZeroThroughoutWarmUpEvenForWildValues() {
        AnomalyState s = scorer.newState();
        double[] xs = new double[150];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = i % 7 == 0 ? 1e6 * i : i;
        }
        for (AnomalyScore a : run(s, xs, 0)) {
            assertEquals(0.0, a.score);
            assertEquals(AnomalyScore.WARMUP, a.model);
        }
        AnomalyScore after = scorer.score(s, T0 + 150 * STEP, 1e12);
        assertTrue(after.score >= 0.5 && after.alert, after.toString());
    }

    @Test
    void aSpikeOutsideTheSeenRangeAlertsOnceAsSpatialNovelty() {
        AnomalyState s = scorer.newState();
        Random rnd = new Random(3);
        double[] xs = new double[3000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = 10 + rnd.nextGaussian();
        }
        xs[2500] = 30;
        List<AnomalyScore> scored = run(s, xs, 0);
        AnomalyScore spike = scored.get(2500);
        assertTrue(spike.alert, spike.toString());
        assertEquals(AnomalyScore.SPATIAL, spike.model);
        assertTrue(spike.score > 0.5 && spike.score < 1.0);
        assertTrue(spike.tailProbability < 1e-5);
        assertTrue(spike.upper < 30 && spike.lower < 10 && spike.expected > 9 && spike.expected < 11, spike.toString());
        List<Integer> alerts = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            if (scored.get(i).alert) {
                alerts.add(i);
            }
        }
        System.out.println("noise alerts at " + alerts);
        assertTrue(alerts.size() <= 3, "noise alone should hardly alert: alerts at " + alerts);
    }

    @Test
    void aDailyRhythmIsExpectedButABreakInItIsNot() {
        AnomalyState s = scorer.newState();
        Random rnd = new Random(4);
        int days = 10;
        double[] xs = new double[288 * days];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = daily(i) + rnd.nextGaussian() * 0.5;
        }
        // On day 8 the series stays at its daily mean for three hours around its peak: inside the range seen so far,
        // unremarkable against the overall baseline, but far off the time-of-day profile.
        int breakStart = 288 * 8 + 40;
        for (int i = breakStart; i < breakStart + 36; i++) {
            xs[i] = 50 + rnd.nextGaussian() * 0.5;
        }
        List<AnomalyScore> scored = run(s, xs, 0);
        long before = scored.subList(288 * 2, breakStart).stream()
                .filter(a -> a.alert)
                .count();
        assertEquals(0, before, "a regular daily rhythm raises no alert once learnt");
        AnomalyScore first = scored.subList(breakStart, breakStart + 36).stream()
                .filter(a -> a.alert)
                .findFirst()
                .orElseThrow(() -> new AssertionError("the break in the daily rhythm was not detected"));
        assertEquals(AnomalyScore.SEASONAL, first.model);
        assertTrue(Math.abs(first.expected - daily(breakStart + 20)) < 15, "expected follows the profile: " + first);
    }

    @Test
    void aLevelShiftInsideTheRangeIsDetectedQuickly() {
        AnomalyState s = scorer.newState();
        Random rnd = new Random(5);
        double[] xs = new double[4000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (i < 3000 ? 10 : 12.8) + rnd.nextGaussian();
        }
        List<AnomalyScore> scored = run(s, xs, 0);
        int firstAlert = -1;
        for (int i = 3000; i < 3100; i++) {
            if (scored.get(i).alert) {
                firstAlert = i;
                break;
            }
        }
        assertTrue(firstAlert >= 3000 && firstAlert < 3040, "shift detected within 40 points, at " + firstAlert);
    }

    @Test
    void aSustainedAnomalyReportsItsFirstCrossingOnly() {
        AnomalyState s = scorer.newState();
        double[] xs = new double[1000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = i < 900 ? 10 + (i % 5) : 100 + i; // every point from 900 on is new and higher than all before
        }
        List<AnomalyScore> scored = run(s, xs, 0);
        assertTrue(scored.get(900).alert);
        for (int i = 901; i < 1000; i++) {
            assertTrue(!scored.get(i).alert && scored.get(i).score < 0.5, "demoted at " + i + ": " + scored.get(i));
        }
    }

    @Test
    void scoresStayContinuousAndBelowOne() {
        AnomalyState s = scorer.newState();
        Random rnd = new Random(6);
        Set<Double> high = new HashSet<>();
        int highCount = 0;
        for (int i = 0; i < 5000; i++) {
            double x = i % 400 == 399 ? 50 * (1 + rnd.nextDouble()) * (i / 400 + 1) : rnd.nextGaussian();
            AnomalyScore a = scorer.score(s, T0 + i * STEP, x);
            assertTrue(a.score >= 0 && a.score < 1, a.toString());
            if (a.score >= 0.5) {
                high.add(a.score);
                highCount++;
            }
        }
        assertTrue(highCount > 5);
        assertEquals(highCount, high.size(), "no ties among alerting scores");
    }

    @Test
    void nonFiniteValuesAreSkippedWithoutTouchingTheState() {
        AnomalyState s = scorer.newState();
        scorer.score(s, T0, 1.0);
        assertNull(scorer.score(s, T0 + STEP, Double.NaN));
        assertNull(scorer.score(s, T0 + STEP, Double.POSITIVE_INFINITY));
        assertEquals(1, s.count);
    }

    @Test
    void badOptionsAreRejectedWithWhatWouldBeRight() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new AnomalyScorer(new AnomalyConfig().shortWindow(100)));
        assertTrue(e.getMessage().contains("short_window") && e.getMessage().contains("between 1 and 64"));
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> new AnomalyConfig().set("flag_zz", "3"));
        assertTrue(unknown.getMessage().contains("flag_z"), unknown.getMessage());
        assertEquals(3.5, new AnomalyConfig().set("flag_z", "3.5").flagZ);
    }
}
