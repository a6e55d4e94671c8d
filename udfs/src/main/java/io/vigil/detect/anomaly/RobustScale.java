package io.vigil.detect.anomaly;

import org.apache.commons.math3.stat.descriptive.rank.Median;

/**
 * Robust location and scale: median and MAD (scaled by 1.4826 to estimate a normal standard deviation) over the last
 * {@code capacity} points in a ring buffer. Unlike mean and variance they ignore a few wild points, but MAD is 0 on flat
 * or discrete series, so callers floor it. State: {@code 8 * capacity + 8} bytes (520 for 64 points).
 */
public class RobustScale {
    private static final double MAD_TO_SD = 1.4826;

    public double[] window;
    public int size;
    public int next;

    public RobustScale() {}

    public RobustScale(int capacity) {
        window = new double[capacity];
    }

    public void update(double x) {
        window[next] = x;
        next = (next + 1) % window.length;
        size = Math.min(size + 1, window.length);
    }

    /** {median, MAD * 1.4826} of the buffered points; {NaN, NaN} when empty. Costs O(capacity). */
    public double[] locationScale() {
        if (size == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        Median median = new Median();
        double med = median.evaluate(window, 0, size);
        double[] dev = new double[size];
        for (int i = 0; i < size; i++) {
            dev[i] = Math.abs(window[i] - med);
        }
        return new double[] {med, MAD_TO_SD * median.evaluate(dev)};
    }
}
