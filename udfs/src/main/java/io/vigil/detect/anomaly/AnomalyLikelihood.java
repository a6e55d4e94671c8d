package io.vigil.detect.anomaly;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * A likelihood layer in the manner of Numenta's "anomaly likelihood": it compares the short-term rate of a binary
 * outlier flag (the share of flagged points among the last {@code shortWindow}) with the long-term distribution of
 * that rate (exponentially weighted mean and variance), and returns the Gaussian upper tail probability. One odd point
 * in a noisy series barely moves it; a burst of odd points in a series that is rarely odd does. The mean and variance
 * floors are Numenta's: without them a series that was never flagged turns its first flag into a certainty.
 *
 * <p>State: the last 64 flags as bits of a long, the long-term mean, variance and count: 32 bytes.
 */
public class AnomalyLikelihood {
    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);
    private static final double MEAN_FLOOR = 0.03;
    private static final double VAR_FLOOR = 0.0003;

    public long flags;
    public double mean;
    public double var;
    public long n;

    public AnomalyLikelihood() {}

    /**
     * Records one flag and returns the tail probability of the new short-term rate under the long-term distribution
     * seen before it (then folds the rate into that distribution).
     *
     * @param shortWindow points in the short-term rate, 1..64
     * @param longAlpha   smoothing factor of the long-term distribution
     */
    public double update(boolean flag, int shortWindow, double longAlpha) {
        flags = (flags << 1) | (flag ? 1L : 0L);
        n++;
        long mask = shortWindow >= 64 ? -1L : (1L << shortWindow) - 1;
        double rate = Long.bitCount(flags & mask) / (double) Math.min(n, shortWindow);
        double m = Math.max(mean, MEAN_FLOOR);
        double sd = Math.sqrt(Math.max(var, VAR_FLOOR));
        double p = rate <= m ? 1.0 : STANDARD_NORMAL.cumulativeProbability(-(rate - m) / sd);
        if (n == 1) {
            mean = rate;
        } else {
            double a = Math.max(longAlpha, 1.0 / n);
            double d = rate - mean;
            mean += a * d;
            var = (1 - a) * (var + d * a * d);
        }
        return p;
    }
}
