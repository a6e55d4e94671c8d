package io.vigil.rollup;

import org.apache.flink.util.Collector;

/**
 * Rolls one service's short windows up into longer tumbling windows of {@code size} ms (1 minute into 5 minutes) by
 * merging their aggregates, t-digests included; emits each long window when the watermark passes its end plus the
 * allowed lateness.
 *
 * <p>Assumes: keyed by service; input windows are aligned to and shorter than {@code size} and arrive no later than
 * {@link MinuteRollupOperator} emits them (same lateness), so a short window whose long window already fired is
 * counted as {@code lateWindows} and dropped (it was already reported at the short resolution).
 */
public class WindowMergeFunction extends ServiceWindowFunction<ServiceWindow> {
    public WindowMergeFunction(long size, long allowedLateness) {
        super(size, allowedLateness, "lateWindows");
    }

    /**
     * The last short window of a long one fires at the same time as the long one and reaches this operator ahead of
     * the watermark that fired it: on time up to and including {@code fireAt}, late only once the watermark is past.
     */
    @Override
    boolean late(long fireAt, long watermark) {
        return fireAt < watermark;
    }

    @Override
    void fold(ServiceWindow w, ServiceWindow in) {
        w.merge(in);
    }

    @Override
    public void processElement(ServiceWindow in, Context ctx, Collector<ServiceWindow> out) throws Exception {
        fold(in, in.service, in.windowStart, ctx);
    }
}
