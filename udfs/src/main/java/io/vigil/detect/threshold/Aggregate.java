package io.vigil.detect.threshold;

import com.tdunning.math.stats.MergingDigest;
import io.vigil.detect.Comparison;
import java.util.List;

/** The aggregates a threshold rule can compare: avg, min, max, sum, count, rate (per second) and percentiles (p95). */
final class Aggregate {
    final String name;
    /** In [0, 1] for percentiles, otherwise NaN. */
    final double quantile;

    private Aggregate(String name, double quantile) {
        this.name = name;
        this.quantile = quantile;
    }

    static final List<String> NAMES =
            List.of("avg", "min", "max", "sum", "count", "rate", "p50", "p90", "p95", "p99", "p99.9");

    /** Parses an aggregate name; null if it is not one. Any {@code pNN} or {@code pNN.N} in (0, 100) is accepted. */
    static Aggregate parse(String s) {
        if (s == null) {
            return null;
        }
        switch (s) {
            case "avg":
            case "min":
            case "max":
            case "sum":
            case "count":
            case "rate":
                return new Aggregate(s, Double.NaN);
            default:
                if (s.matches("p\\d{1,2}(\\.\\d+)?")) {
                    double q = Double.parseDouble(s.substring(1)) / 100.0;
                    return q > 0 && q < 1 ? new Aggregate(s, q) : null;
                }
                return null;
        }
    }

    boolean percentile() {
        return !Double.isNaN(quantile);
    }

    boolean needsField() {
        return !name.equals("count") && !name.equals("rate");
    }

    /**
     * Whether {@code op} holds between the window's percentile and {@code bound}, when the range of the window's values
     * decides it without merging the digests; null when it does not (the range straddles the bound, the aggregate is
     * not a percentile, or the comparison is {@code ==} or {@code !=}). A t-digest's quantile lies between its smallest
     * and largest centroid means, and the digests keep their means as floats, whose rounding is monotonic: so the
     * percentile lies within the panes' min and max rounded to float. The means are weighted averages computed in
     * doubles, which can stray past the values by far less than a float's step and so, rounded, land at most one step
     * beyond: the range is widened by two. The ordered comparisons are monotonic, so when the two ends agree every value
     * between them does.
     */
    Boolean decidedByRange(List<double[]> panes, Comparison op, double bound) {
        if (!percentile() || op == Comparison.EQ || op == Comparison.NE) {
            return null;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] p : panes) { // a pane without values holds min +inf and max -inf, which change neither
            min = Math.min(min, ThresholdDetector.min(p));
            max = Math.max(max, ThresholdDetector.max(p));
        }
        double low = (float) min;
        double high = (float) max;
        if (!(low <= high) || Double.isInfinite(low) || Double.isInfinite(high)) {
            return null; // no values, or beyond what a float holds: merge the digests
        }
        double slack = 2.0 * Math.ulp((float) Math.max(Math.abs(low), Math.abs(high)));
        boolean atLow = op.holds(low - slack, bound);
        return atLow == op.holds(high + slack, bound) ? atLow : null;
    }

    /**
     * The aggregate of a window from its panes' aggregates (see {@link ThresholdDetector}) and, for percentiles, their
     * digests as {@link PaneDigest} stores them (null for a pane without values), in the same order.
     */
    double of(List<double[]> panes, List<byte[]> digests, long windowMillis) {
        long count = 0;
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] p : panes) {
            count += (long) ThresholdDetector.count(p);
            sum += ThresholdDetector.sum(p);
            min = Math.min(min, ThresholdDetector.min(p));
            max = Math.max(max, ThresholdDetector.max(p));
        }
        MergingDigest digest = null;
        if (percentile()) {
            digest = new MergingDigest(Pane.DIGEST_COMPRESSION);
            for (byte[] d : digests) {
                if (d != null) {
                    PaneDigest.addTo(digest, d);
                }
            }
        }
        switch (name) {
            case "avg":
                return count == 0 ? Double.NaN : sum / count;
            case "min":
                return min;
            case "max":
                return max;
            case "sum":
                return sum;
            case "count":
                return count;
            case "rate":
                return count * 1000.0 / windowMillis;
            default:
                return digest.quantile(quantile);
        }
    }
}
