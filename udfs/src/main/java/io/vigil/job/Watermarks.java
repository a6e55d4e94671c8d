package io.vigil.job;

import io.vigil.model.Ingested;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/** The job's watermark strategy: bounded out-of-orderness on the telemetry's event time, with idleness. */
public final class Watermarks {
    private Watermarks() {}

    public static WatermarkStrategy<Ingested> forTelemetry(DetectionConfig config) {
        WatermarkStrategy<Ingested> w = WatermarkStrategy.<Ingested>forBoundedOutOfOrderness(config.watermarkDelay)
                // A dead letter has no trustworthy event time; the lowest timestamp keeps it from moving event time.
                .withTimestampAssigner(
                        (in, previous) -> in.telemetry != null ? in.telemetry.timestamp : Long.MIN_VALUE);
        if (config.watermarkIdleness != null && !config.watermarkIdleness.isZero()) {
            w = w.withIdleness(config.watermarkIdleness);
        }
        return config.watermarkEveryRecord ? new EveryRecordWatermarks(w) : w;
    }
}
