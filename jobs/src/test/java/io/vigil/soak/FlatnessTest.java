package io.vigil.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class FlatnessTest {
    /** Samples a minute apart of one curve; the other curves are unknown. */
    static List<SoakSample> minutes(int n, Curve c, IntToDoubleFunction value) {
        List<SoakSample> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(new SoakSample(Instant.ofEpochSecond(60L * i), 60.0 * i, Map.of(c, value.applyAsDouble(i))));
        }
        return out;
    }

    @Test
    void stateThatGrowsWithTimeIsGrowing() {
        // 100 MB plus 1 MB a minute: over minutes 10..30 the fitted change is 20 MB, about 18% of the mean.
        var r = Flatness.judge(Curve.STATE_SIZE, minutes(30, Curve.STATE_SIZE, i -> 100 + i), 600, 0.1);
        assertEquals(Flatness.Verdict.GROWING, r.verdict());
        assertEquals(21, r.samples());
        assertEquals(110, r.first());
        assertEquals(130, r.last());
        assertEquals(1.0, r.slopePerMinute(), 1e-9);
        assertEquals(20.0, r.fittedChange(), 1e-9);
        assertEquals(20.0 / 120.0, r.relativeChange(), 1e-9);
    }

    @Test
    void warmUpGrowthThenAPlateauIsFlat() {
        // Fills up in the first 10 minutes (windows filling), then holds at 50 with a small alternating wiggle.
        var r = Flatness.judge(
                Curve.STATE_SIZE,
                minutes(30, Curve.STATE_SIZE, i -> i < 10 ? 5 * i : 50 + (i % 2 == 0 ? 1 : -1)),
                600,
                0.1);
        assertEquals(Flatness.Verdict.FLAT, r.verdict());
        assertTrue(Math.abs(r.relativeChange()) < 0.1, r.toString());
    }

    @Test
    void aNoisySawtoothWithoutTrendIsFlatEvenWhenItsFitMovesMoreThanTheTolerance() {
        // A GC sawtooth: 40..120 MB with a period that does not divide the window; no trend, large residuals.
        double[] saw = {40, 80, 120, 50, 90, 110, 45, 85, 115, 60, 100, 40, 70, 120, 55, 95, 105, 42, 88, 118};
        var r = Flatness.judge(
                Curve.TASKMANAGER_HEAP, minutes(saw.length, Curve.TASKMANAGER_HEAP, i -> saw[i - 1]), 0, 0.01);
        assertTrue(r.pValue() > Flatness.SIGNIFICANCE, r.toString());
        assertEquals(Flatness.Verdict.FLAT, r.verdict());
    }

    @Test
    void aFallingCurveIsShrinking() {
        var r = Flatness.judge(Curve.RECORDS_IN, minutes(20, Curve.RECORDS_IN, i -> 400 - 10 * i), 0, 0.1);
        assertEquals(Flatness.Verdict.SHRINKING, r.verdict());
    }

    @Test
    void aConstantCurveIsFlatAndAllZeroToo() {
        assertEquals(
                Flatness.Verdict.FLAT,
                Flatness.judge(Curve.RECORDS_IN, minutes(5, Curve.RECORDS_IN, i -> 200), 0, 0.1)
                        .verdict());
        assertEquals(
                Flatness.Verdict.FLAT,
                Flatness.judge(Curve.ALERTS_COMMITTED, minutes(5, Curve.ALERTS_COMMITTED, i -> 0), 0, 0.1)
                        .verdict());
    }

    @Test
    void fewerThanThreeJudgedSamplesGiveNoVerdictAndUnknownValuesAreSkipped() {
        var r = Flatness.judge(
                Curve.LATENCY_P95, minutes(12, Curve.LATENCY_P95, i -> i % 2 == 0 ? Double.NaN : 1000), 300, 0.1);
        // Minutes 5..12 odd: 5, 7, 9, 11 -> four samples with values.
        assertEquals(4, r.samples());
        var few = Flatness.judge(Curve.LATENCY_P95, minutes(6, Curve.LATENCY_P95, i -> 1000), 300, 0.1);
        assertEquals(2, few.samples());
        assertEquals(Flatness.Verdict.TOO_FEW_SAMPLES, few.verdict());
        // A curve with no values at all (the others of these samples).
        assertEquals(
                Flatness.Verdict.TOO_FEW_SAMPLES,
                Flatness.judge(Curve.JOBMANAGER_HEAP, minutes(6, Curve.LATENCY_P95, i -> 1), 0, 0.1)
                        .verdict());
    }

    @Test
    void theTableNamesEveryCurveAndSaysWhenNotAllAreFlat() {
        List<SoakSample> s = minutes(30, Curve.STATE_SIZE, i -> 100 + i);
        String t = Flatness.table(Flatness.judge(s, 600, 0.1), 600, 0.1);
        for (Curve c : Curve.values()) assertTrue(t.contains(c.column), c + " missing from\n" + t);
        assertTrue(t.contains("growing"), t);
        assertTrue(t.contains("+16.7%"), t);
        assertTrue(t.contains("NOT every curve is flat"), t);
    }
}
