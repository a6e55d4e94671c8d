package io.vigil.detect.anomaly;

/**
 * Exponentially weighted mean and variance of one stream (West's incremental form). The weight of a new point is
 * {@code max(alpha, 1/n)}, so the first points give the plain mean and variance instead of a start-up bias towards the
 * first value. State: 3 primitives, 24 bytes.
 */
public class EwmStats {
    public double mean;
    public double var;
    public long n;

    public EwmStats() {}

    /** Adds {@code x} with smoothing factor {@code alpha} (about 2/(span+1) for a span of points). */
    public void update(double x, double alpha) {
        n++;
        if (n == 1) {
            mean = x;
            var = 0;
            return;
        }
        double a = Math.max(alpha, 1.0 / n);
        double d = x - mean;
        double incr = a * d;
        mean += incr;
        var = (1 - a) * (var + d * incr);
    }

    public double sd() {
        return Math.sqrt(Math.max(var, 0));
    }

    /** Standard score of {@code x} with the standard deviation floored at {@code sdFloor} (never divide by zero). */
    public double z(double x, double sdFloor) {
        return (x - mean) / Math.max(sd(), sdFloor);
    }
}
