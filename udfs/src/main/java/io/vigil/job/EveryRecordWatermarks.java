package io.vigil.job;

import io.vigil.model.Ingested;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The job's own watermark strategy (same delay, same idleness, same timestamps), but asked for its watermark after
 * every record instead of every 200 ms of wall-clock time.
 *
 * <p>Used for bounded runs (rule tests, replays, the demo, the job tests; see
 * {@link DetectionConfig#watermarkEveryRecord}). Why: a rule test's records pass through the job in milliseconds. With periodic emission, event time would jump
 * from the first records to the end of the input in one or two steps, and how far it got before the final maximum
 * watermark would depend on the machine's speed. Kinds that judge on event-time timers and, on purpose, judge
 * nothing at the end of a bounded input (slo, spike, flatline, percentage_match) would then fire or not by chance.
 * Emitting after each record is what a live stream looks like at the scale of the test's event times: the watermark
 * trails the newest record by the job's delay, deterministically.
 */
public final class EveryRecordWatermarks implements WatermarkStrategy<Ingested> {
    private static final long serialVersionUID = 1L;

    private final WatermarkStrategy<Ingested> job;

    public EveryRecordWatermarks(WatermarkStrategy<Ingested> job) {
        this.job = job;
    }

    @Override
    public WatermarkGenerator<Ingested> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
        WatermarkGenerator<Ingested> generator = job.createWatermarkGenerator(context);
        return new WatermarkGenerator<>() {
            @Override
            public void onEvent(Ingested event, long timestamp, WatermarkOutput output) {
                generator.onEvent(event, timestamp, output);
                generator.onPeriodicEmit(output);
            }

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                generator.onPeriodicEmit(output);
            }
        };
    }

    @Override
    public TimestampAssigner<Ingested> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        return job.createTimestampAssigner(context);
    }
}
