package io.vigil.detect.anomaly;

/**
 * Time-of-day profile: an exponentially weighted mean and variance per slot of the (UTC) day, so a daily rhythm is
 * expected rather than anomalous. Slots are fixed at construction; state is {@code 2 * slots} doubles plus one count
 * per slot ({@code 24 * slots} bytes, 1152 bytes for 48 half-hour slots).
 */
public class SeasonalProfile {
    private static final long DAY_MS = 86_400_000L;

    public double[] mean;
    public double[] var;
    public long[] count;

    public SeasonalProfile() {}

    public SeasonalProfile(int slots) {
        mean = new double[slots];
        var = new double[slots];
        count = new long[slots];
    }

    public int slot(long timestampMs) {
        long ms = Math.floorMod(timestampMs, DAY_MS);
        return (int) (ms * mean.length / DAY_MS);
    }

    /** Number of points the slot of this time has seen (how far its profile can be trusted). */
    public long seen(long timestampMs) {
        return count[slot(timestampMs)];
    }

    public double expected(long timestampMs) {
        return mean[slot(timestampMs)];
    }

    public double sd(long timestampMs) {
        return Math.sqrt(Math.max(var[slot(timestampMs)], 0));
    }

    /** Standard score against the slot's profile, the standard deviation floored at {@code sdFloor}. */
    public double z(long timestampMs, double x, double sdFloor) {
        int s = slot(timestampMs);
        return (x - mean[s]) / Math.max(Math.sqrt(Math.max(var[s], 0)), sdFloor);
    }

    public void update(long timestampMs, double x, double alpha) {
        int s = slot(timestampMs);
        long n = ++count[s];
        if (n == 1) {
            mean[s] = x;
            var[s] = 0;
            return;
        }
        double a = Math.max(alpha, 1.0 / n);
        double d = x - mean[s];
        double incr = a * d;
        mean[s] += incr;
        var[s] = (1 - a) * (var[s] + d * incr);
    }
}
