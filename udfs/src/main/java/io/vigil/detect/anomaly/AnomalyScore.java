package io.vigil.detect.anomaly;

/**
 * The verdict on one point. {@link #score} is in [0, 1) and is a monotone map of the tail probability {@code p} of the
 * strongest model: {@code score = S / (S + red)} with surprise {@code S = -log10(p)}, so 0.5 is the alerting level
 * ({@code p = 10^-red}, 1e-5 by default) and the score approaches but never reaches 1. It is 0 during warm-up.
 */
public final class AnomalyScore {
    /** Model names as reported in {@link #model}. */
    public static final String WARMUP = "warmup";

    public static final String NONE = "none";
    public static final String SPATIAL = "spatial";
    public static final String LIKELIHOOD = "likelihood";
    public static final String SEASONAL = "seasonal";
    public static final String ROBUST = "robust";
    public static final String LEVEL_SHIFT = "level_shift";

    public final long timestamp;
    public final double value;
    public final double score;
    /** Tail probability of the strongest model before first-crossing demotion (1 during warm-up). */
    public final double tailProbability;

    public final double expected;
    public final double lower;
    public final double upper;
    /** Which model gave the strongest evidence. */
    public final String model;
    /** True when the raw evidence reached red and no red point came within the first-crossing distance before. */
    public final boolean alert;

    public AnomalyScore(
            long timestamp,
            double value,
            double score,
            double tailProbability,
            double expected,
            double lower,
            double upper,
            String model,
            boolean alert) {
        this.timestamp = timestamp;
        this.value = value;
        this.score = score;
        this.tailProbability = tailProbability;
        this.expected = expected;
        this.lower = lower;
        this.upper = upper;
        this.model = model;
        this.alert = alert;
    }

    @Override
    public String toString() {
        return "AnomalyScore{t=" + timestamp + " v=" + value + " score=" + score + " p=" + tailProbability + " model="
                + model + " expected=" + expected + " [" + lower + ", " + upper + "]" + (alert ? " ALERT" : "") + "}";
    }
}
