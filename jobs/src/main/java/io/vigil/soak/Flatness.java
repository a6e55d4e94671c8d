package io.vigil.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.stat.regression.SimpleRegression;

/**
 * Whether a curve is flat after warm-up: a least-squares line through the post-warm-up samples (value against minutes
 * since the start) and the change that line makes from the first to the last of those samples, relative to their mean.
 * A curve is flat when that change is within the tolerance, or when the slope is not significant (its p-value above
 * 0.05: the samples show no trend distinguishable from noise, as a sawtooth GC heap often does). Otherwise it grows or
 * shrinks with time: for state, the sign that something is kept per time rather than per key.
 */
public final class Flatness {
    /** The slope's p-value above which a trend is not told apart from noise. */
    public static final double SIGNIFICANCE = 0.05;

    /** How a curve behaved after warm-up. */
    public enum Verdict {
        FLAT,
        GROWING,
        SHRINKING,
        TOO_FEW_SAMPLES
    }

    /**
     * One curve's summary.
     *
     * @param first the first post-warm-up value
     * @param last the last value
     * @param slopePerMinute the fitted line's slope, in the curve's unit per minute
     * @param fittedChange the fitted line's change from the first to the last post-warm-up sample
     * @param relativeChange {@code fittedChange} over the mean of the post-warm-up samples (NaN if the mean is 0)
     * @param pValue significance of the slope (NaN with fewer than 3 samples)
     */
    public record Result(
            Curve curve,
            int samples,
            double first,
            double last,
            double mean,
            double slopePerMinute,
            double fittedChange,
            double relativeChange,
            double pValue,
            Verdict verdict) {}

    private Flatness() {}

    /** The summary of every curve over the samples taken at or after {@code warmUpSeconds}. */
    public static List<Result> judge(List<SoakSample> samples, double warmUpSeconds, double tolerance) {
        List<Result> out = new ArrayList<>();
        for (Curve c : Curve.values()) out.add(judge(c, samples, warmUpSeconds, tolerance));
        return out;
    }

    public static Result judge(Curve c, List<SoakSample> samples, double warmUpSeconds, double tolerance) {
        List<double[]> points = new ArrayList<>();
        for (SoakSample s : samples) {
            double v = s.value(c);
            if (s.elapsedSeconds() >= warmUpSeconds && !Double.isNaN(v))
                points.add(new double[] {s.elapsedSeconds(), v});
        }
        Trend t = Trend.fit(points);
        return new Result(
                c,
                t.samples(),
                t.first(),
                t.last(),
                t.mean(),
                t.slopePerMinute(),
                t.fittedChange(),
                t.relativeChange(),
                t.pValue(),
                t.verdict(tolerance));
    }

    /**
     * A least-squares line through a curve's post-warm-up points, what {@link #judge} and the per-operator state
     * ({@link OperatorStates}) both judge by. With fewer than 3 points the slope, change and p-value are NaN.
     *
     * @param fittedChange the line's change from the first to the last point
     * @param pValue significance of the slope; a constant series has no residual variance, so its p-value is
     *     undefined (NaN), and it is flat by any measure
     */
    public record Trend(
            int samples,
            double first,
            double last,
            double mean,
            double slopePerMinute,
            double fittedChange,
            double pValue) {
        /** Fits {@code points}, each {elapsed seconds, value}, in time order. */
        public static Trend fit(List<double[]> points) {
            int n = points.size();
            if (n == 0) {
                return new Trend(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            SimpleRegression fit = new SimpleRegression();
            double sum = 0;
            for (double[] p : points) {
                fit.addData(p[0] / 60.0, p[1]);
                sum += p[1];
            }
            double first = points.get(0)[1];
            double last = points.get(n - 1)[1];
            double mean = sum / n;
            if (n < 3) {
                return new Trend(n, first, last, mean, Double.NaN, Double.NaN, Double.NaN);
            }
            double minutes = (points.get(n - 1)[0] - points.get(0)[0]) / 60.0;
            return new Trend(n, first, last, mean, fit.getSlope(), fit.getSlope() * minutes, fit.getSignificance());
        }

        /** {@code fittedChange} over the mean (NaN if the mean is 0 or there are too few points). */
        public double relativeChange() {
            return mean == 0 ? Double.NaN : fittedChange / Math.abs(mean);
        }

        /** Flat, growing or shrinking as {@link Flatness} judges a curve; too few samples below 3 points. */
        public Verdict verdict(double tolerance) {
            return samples < 3
                    ? Verdict.TOO_FEW_SAMPLES
                    : Flatness.verdict(fittedChange, relativeChange(), pValue, tolerance);
        }
    }

    /** The verdict for a fitted change, that change relative to the mean, and the slope's p-value. */
    static Verdict verdict(double change, double relative, double p, double tolerance) {
        if (change == 0 || Math.abs(relative) <= tolerance || (!Double.isNaN(p) && p > SIGNIFICANCE)) {
            return Verdict.FLAT;
        }
        return change > 0 ? Verdict.GROWING : Verdict.SHRINKING;
    }

    /** The summary as a fixed-width table, one curve per line, then one overall line. */
    public static String table(List<Result> results, double warmUpSeconds, double tolerance) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "after warm-up (%.0f min); flat = fitted change within %.0f%% of the mean, or no significant slope "
                        + "(p > %.2f)%n",
                warmUpSeconds / 60,
                tolerance * 100,
                SIGNIFICANCE));
        b.append(String.format(
                Locale.ROOT,
                "%-28s %5s %12s %12s %12s %13s %8s %7s  %s%n",
                "curve",
                "n",
                "first",
                "last",
                "mean",
                "slope/min",
                "change",
                "p",
                "verdict"));
        boolean allFlat = true;
        for (Result r : results) {
            allFlat &= r.verdict() == Verdict.FLAT;
            b.append(String.format(
                    Locale.ROOT,
                    "%-28s %5d %12s %12s %12s %13s %8s %7s  %s%n",
                    r.curve().column,
                    r.samples(),
                    num(r.first()),
                    num(r.last()),
                    num(r.mean()),
                    num(r.slopePerMinute()),
                    Double.isNaN(r.relativeChange())
                            ? "-"
                            : String.format(Locale.ROOT, "%+.1f%%", r.relativeChange() * 100),
                    Double.isNaN(r.pValue()) ? "-" : String.format(Locale.ROOT, "%.3f", r.pValue()),
                    r.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' ')));
        }
        b.append(allFlat ? "verdict: every curve is flat after warm-up\n" : "verdict: NOT every curve is flat\n");
        return b.toString();
    }

    private static String num(double v) {
        if (Double.isNaN(v)) return "-";
        return Math.abs(v) >= 1000 || v == Math.rint(v)
                ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%.3f", v);
    }
}
