package io.vigil.detect.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.junit.jupiter.api.Test;

/** Unit tests of the single models against Commons Math references and hand-worked values. */
class AnomalyModelsTest {
    @Test
    void ewmStatsStartsAsThePlainMeanAndPopulationVariance() {
        double[] xs = {3, 7, 1, 9, 4};
        EwmStats ew = new EwmStats();
        DescriptiveStatistics ref = new DescriptiveStatistics();
        for (double x : xs) {
            ew.update(x, 1e-9); // so small that 1/n dominates
            ref.addValue(x);
        }
        assertEquals(ref.getMean(), ew.mean, 1e-12);
        assertEquals(ref.getPopulationVariance(), ew.var, 1e-12);
    }

    @Test
    void ewmStatsForgetsOldPointsAtItsSpan() {
        EwmStats ew = new EwmStats();
        for (int i = 0; i < 1000; i++) {
            ew.update(10, 0.1);
        }
        for (int i = 0; i < 100; i++) {
            ew.update(20, 0.1);
        }
        assertEquals(20, ew.mean, 1e-3);
    }

    @Test
    void robustScaleIgnoresAFewWildPoints() {
        RobustScale r = new RobustScale(9);
        double[] xs = {10, 11, 9, 10, 1000, 10, 11, 9, -500};
        for (double x : xs) {
            r.update(x);
        }
        double[] ls = r.locationScale();
        assertEquals(10, ls[0], 1e-12);
        assertEquals(1.4826, ls[1], 1e-12); // MAD of |x - 10| = 1
    }

    @Test
    void robustScaleKeepsOnlyItsCapacity() {
        RobustScale r = new RobustScale(3);
        for (double x : new double[] {100, 100, 100, 1, 2, 3}) {
            r.update(x);
        }
        assertEquals(2, r.locationScale()[0], 1e-12);
    }

    @Test
    void spatialNoveltyNeedsAValueOutsideTheRangePlusMargin() {
        SpatialNovelty s = new SpatialNovelty();
        assertFalse(s.isNovel(5, 0.05)); // nothing seen
        s.update(0);
        assertFalse(s.isNovel(5, 0.05)); // no range yet
        s.update(10);
        assertFalse(s.isNovel(10.5, 0.05)); // inside max + 0.5
        assertTrue(s.isNovel(10.6, 0.05));
        assertTrue(s.isNovel(-0.6, 0.05));
        assertEquals(0.05, s.excess(11.0, 0.05), 1e-12); // (11 - 10.5) / 10
    }

    @Test
    void seasonalProfileKeepsOneBaselinePerTimeOfDay() {
        SeasonalProfile p = new SeasonalProfile(24);
        long hour = 3_600_000L;
        for (int day = 0; day < 10; day++) {
            p.update(day * 24 * hour + 3 * hour, 100, 0.1);
            p.update(day * 24 * hour + 15 * hour, 5, 0.1);
        }
        assertEquals(100, p.expected(20 * 24 * hour + 3 * hour + 59 * 60_000L), 1e-9);
        assertEquals(5, p.expected(15 * hour), 1e-9);
        assertEquals(10, p.seen(3 * hour));
        assertEquals(0, p.seen(4 * hour));
        assertEquals(3, p.slot(-21 * hour)); // before the epoch still maps into the day
    }

    @Test
    void likelihoodStaysQuietForARareFlagAndFiresOnABurst() {
        AnomalyLikelihood l = new AnomalyLikelihood();
        Random rnd = new Random(1);
        double minP = 1;
        for (int i = 0; i < 3000; i++) {
            minP = Math.min(minP, l.update(rnd.nextDouble() < 0.003, 30, 2.0 / 8641));
        }
        assertTrue(minP > 1e-5, "rare flags stay below the alert level, min p " + minP);
        double p = 1;
        for (int i = 0; i < 6; i++) {
            p = l.update(true, 30, 2.0 / 8641);
        }
        assertTrue(p < 1e-5, "a burst of flags reaches the alert level, p " + p);
    }

    @Test
    void levelShiftNoticesASustainedSmallStep() {
        EwmStats base = new EwmStats();
        LevelShift ls = new LevelShift();
        Random rnd = new Random(2);
        double alpha = 2.0 / 13;
        for (int i = 0; i < 2000; i++) {
            double x = 10 + rnd.nextGaussian();
            ls.update(x, alpha);
            base.update(x, 2.0 / 289);
        }
        assertTrue(ls.tailProbability(base, alpha, 1e-9) > 1e-4);
        for (int i = 0; i < 30; i++) {
            ls.update(12 + rnd.nextGaussian(), alpha);
        }
        assertTrue(ls.tailProbability(base, alpha, 1e-9) < 1e-5);
    }
}
