package io.vigil.detect.threshold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tdunning.math.stats.MergingDigest;
import io.vigil.detect.Comparison;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * A percentile judgement decided by the window's range agrees with the one from the merged digests, in every window
 * where it decides; so skipping the merge changes no alert.
 */
class AggregateTest {
    private static final long WINDOW = 300_000;

    /** A window's panes as the detector keeps them: aggregates (count, sum, min, max, pending) and stored digests. */
    private record Window(List<double[]> aggregates, List<byte[]> digests) {}

    /** Values folded into each pane's digest in chunks, decoded and encoded again each time, as the detector does. */
    private static Window window(SplittableRandom random, DoubleSupplier values) {
        List<double[]> aggregates = new ArrayList<>();
        List<byte[]> digests = new ArrayList<>();
        for (int p = 0, panes = 1 + random.nextInt(5); p < panes; p++) {
            double[] a = {0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0};
            byte[] stored = null;
            int n = 1 + random.nextInt(random.nextBoolean() ? 4 : 600);
            while (n > 0) {
                MergingDigest d =
                        stored == null ? new MergingDigest(Pane.DIGEST_COMPRESSION) : PaneDigest.decode(stored);
                for (int i = 0, fold = Math.min(n, 1 + random.nextInt(200)); i < fold; i++, n--) {
                    double v = values.getAsDouble();
                    a[0]++;
                    a[1] += v;
                    a[2] = Math.min(a[2], v);
                    a[3] = Math.max(a[3], v);
                    d.add(v);
                }
                stored = PaneDigest.encode(d);
            }
            aggregates.add(a);
            digests.add(stored);
        }
        return new Window(aggregates, digests);
    }

    @Test
    void aJudgementDecidedByTheRangeAgreesWithTheMergedDigests() {
        SplittableRandom random = new SplittableRandom(11);
        double[] bounds = {500, 0.1, 0, 1e-300, -2.5};
        List<DoubleSupplier> shapes = List.of(
                () -> Math.exp(4 + random.nextGaussian()), // latencies around 55 ms
                () -> 0.1 - random.nextInt(3) * Math.ulp(0.1), // just below a bound that no float holds
                () -> 500 - random.nextInt(2) * Math.ulp(500.0), // at and just below a bound that a float holds
                () -> random.nextInt(3) * 1e-300, // zero and values a float rounds to zero
                () -> random.nextInt(3) * Double.MIN_VALUE,
                () -> -2.5 + random.nextGaussian() * 1e-12);
        int decided = 0;
        int merged = 0;
        for (int trial = 0; trial < 3_000; trial++) {
            Window w = window(random, shapes.get(trial % shapes.size()));
            for (String name : List.of("p50", "p95", "p99", "p99.9")) {
                Aggregate aggregate = Aggregate.parse(name);
                double observed = aggregate.of(w.aggregates(), w.digests(), WINDOW);
                for (double bound : bounds) {
                    for (Comparison op : Comparison.values()) {
                        Boolean byRange = aggregate.decidedByRange(w.aggregates(), op, bound);
                        if (byRange == null) {
                            merged++;
                            continue;
                        }
                        decided++;
                        assertEquals(
                                op.holds(observed, bound),
                                byRange,
                                "trial " + trial + ": " + name + " " + observed + " " + op.symbol + " " + bound);
                    }
                }
            }
        }
        assertTrue(decided > 10_000 && merged > 10_000, decided + " decided by range, " + merged + " merged");
    }

    @Test
    void onlyOrderedComparisonsOfPercentilesAreDecidedByTheRange() {
        double[] below = {10, 4_000, 200, 450, 0};
        List<double[]> panes = List.of(below);
        Aggregate p95 = Aggregate.parse("p95");
        assertEquals(Boolean.FALSE, p95.decidedByRange(panes, Comparison.GT, 500));
        assertEquals(Boolean.TRUE, p95.decidedByRange(panes, Comparison.LTE, 500));
        assertEquals(Boolean.TRUE, p95.decidedByRange(panes, Comparison.GT, 100));
        assertNull(p95.decidedByRange(panes, Comparison.GT, 300), "the bound lies between min and max");
        assertNull(p95.decidedByRange(panes, Comparison.EQ, 500));
        assertNull(p95.decidedByRange(panes, Comparison.NE, 500));
        assertNull(Aggregate.parse("max").decidedByRange(panes, Comparison.GT, 500), "not a percentile");
        assertNull(p95.decidedByRange(List.of(), Comparison.GT, 500), "no values");
        assertNull(
                p95.decidedByRange(List.of(new double[] {1, 1e39, 1e39, 1e39, 0}), Comparison.GT, 500),
                "beyond the largest float, which the digests keep their means as");
    }
}
