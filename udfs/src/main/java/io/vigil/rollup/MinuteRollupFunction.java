package io.vigil.rollup;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Aggregates one service's records into tumbling event-time windows of {@code size} ms and emits each window's
 * {@link ServiceWindow} once the watermark passes its end plus the allowed lateness.
 *
 * <p>Assumes: keyed by service; records arrive out of order within the watermark delay; a record whose window has
 * already been emitted is late and goes to {@link #LATE} (counted as {@code lateRecords}), never into a closed window
 * again.
 */
public class MinuteRollupFunction extends ServiceWindowFunction<RollupEvent> {
    public static final OutputTag<RollupEvent> LATE =
            new OutputTag<>("rollup-late", TypeInformation.of(RollupEvent.class));

    public MinuteRollupFunction(long size, long allowedLateness) {
        super(size, allowedLateness, "lateRecords");
    }

    /** The window's timer has fired (or fires now): a record for it would never be emitted. */
    @Override
    boolean late(long fireAt, long watermark) {
        return fireAt <= watermark;
    }

    @Override
    void fold(ServiceWindow w, RollupEvent e) {
        w.add(e);
    }

    @Override
    public void processElement(RollupEvent e, Context ctx, Collector<ServiceWindow> out) throws Exception {
        if (!fold(e, e.service, e.timestamp, ctx)) {
            ctx.output(LATE, e);
        }
    }
}
