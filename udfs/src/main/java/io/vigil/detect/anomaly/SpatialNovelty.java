package io.vigil.detect.anomaly;

/**
 * "Spatial novelty": a value outside the range seen so far, widened by a margin that is a fraction of that range. It
 * is the strongest single signal on NAB with very few false positives, because most real incidents push a metric
 * somewhere it has never been. State: min, max, 16 bytes (a count is kept by the caller).
 */
public class SpatialNovelty {
    public double min = Double.NaN;
    public double max = Double.NaN;

    public SpatialNovelty() {}

    /**
     * How far {@code x} lies outside {@code [min - margin*range, max + margin*range]}, in units of the range; 0 when
     * inside or when the range is still empty (a constant series has no scale to be novel against yet).
     */
    public double excess(double x, double margin) {
        if (Double.isNaN(min)) {
            return 0;
        }
        double range = max - min;
        if (!(range > 0)) {
            return 0;
        }
        double hi = max + margin * range;
        double lo = min - margin * range;
        if (x > hi) {
            return (x - hi) / range;
        }
        if (x < lo) {
            return (lo - x) / range;
        }
        return 0;
    }

    /** True when the value is outside the widened range (a positive excess or exactly on its edge beyond). */
    public boolean isNovel(double x, double margin) {
        if (Double.isNaN(min) || !(max - min > 0)) {
            return false;
        }
        double range = max - min;
        return x > max + margin * range || x < min - margin * range;
    }

    public void update(double x) {
        if (Double.isNaN(min)) {
            min = x;
            max = x;
        } else {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
    }

    public double range() {
        return Double.isNaN(min) ? 0 : max - min;
    }
}
