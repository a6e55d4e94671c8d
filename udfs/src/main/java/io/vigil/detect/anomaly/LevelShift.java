package io.vigil.detect.anomaly;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Level shift: a short exponentially weighted mean compared with the long baseline's mean, in units of the standard
 * error such a short mean has when nothing changed ({@code sd * sqrt(a / (2 - a))} for smoothing factor a). It catches
 * a sustained step that is too small for any single point to look odd. State: 8 bytes (the long baseline is shared).
 */
public class LevelShift {
    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

    public double shortMean = Double.NaN;

    public LevelShift() {}

    /** Two-sided tail probability of the current short mean under the long baseline {@code base}. */
    public double tailProbability(EwmStats base, double shortAlpha, double sdFloor) {
        if (Double.isNaN(shortMean) || base.n < 2) {
            return 1;
        }
        double se = Math.max(base.sd(), sdFloor) * Math.sqrt(shortAlpha / (2 - shortAlpha));
        double z = Math.abs(shortMean - base.mean) / se;
        return 2 * STANDARD_NORMAL.cumulativeProbability(-z);
    }

    public void update(double x, double shortAlpha) {
        shortMean = Double.isNaN(shortMean) ? x : shortMean + shortAlpha * (x - shortMean);
    }
}
