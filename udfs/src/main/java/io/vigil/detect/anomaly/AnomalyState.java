package io.vigil.detect.anomaly;

/**
 * Everything {@link AnomalyScorer} keeps about one series: a Flink POJO of primitives and fixed-size arrays, so the
 * POJO serializer writes it without Kryo. Its size is fixed by the configuration ({@code bin/vigil bench anomaly}
 * prints the serialized bytes); disabled models are null and cost one byte.
 */
public class AnomalyState {
    /** Points seen (valid values only). */
    public long count;
    /** Event time of the last point (epoch ms), used to expire series that stop. */
    public long lastTimestamp = Long.MIN_VALUE;
    /** {@link #count} at the last point whose surprise reached red (for first-crossing reporting); -1 if none. */
    public long lastRed = -1;

    public EwmStats baseline = new EwmStats();
    public SpatialNovelty spatial = new SpatialNovelty();
    public AnomalyLikelihood likelihood = new AnomalyLikelihood();
    public SeasonalProfile seasonal;
    public AnomalyLikelihood seasonalLikelihood;
    public RobustScale robust;
    public AnomalyLikelihood robustLikelihood;
    public LevelShift levelShift;

    public AnomalyState() {}
}
