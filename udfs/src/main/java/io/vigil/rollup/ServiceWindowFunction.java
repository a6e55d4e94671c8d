package io.vigil.rollup;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The {@link ServiceWindows} of one service as a keyed function, for {@link WindowMergeFunction} (minutes into five
 * minutes; a few inputs a minute, so each folds straight into state, unlike {@link MinuteRollupOperator}'s records).
 */
abstract class ServiceWindowFunction<IN> extends KeyedProcessFunction<String, IN, ServiceWindow> {
    private final ServiceWindows spec;
    private final String lateMetric;
    private transient MapState<Long, ServiceWindow> windows;
    private transient ValueState<long[]> starts;
    private transient Counter late;

    ServiceWindowFunction(long size, long allowedLateness, String lateMetric) {
        this.spec = new ServiceWindows(size, allowedLateness);
        this.lateMetric = lateMetric;
    }

    @Override
    public void open(OpenContext ctx) {
        windows = getRuntimeContext().getMapState(ServiceWindows.state());
        starts = getRuntimeContext().getState(ServiceWindows.startsState());
        late = getRuntimeContext().getMetricGroup().counter(lateMetric);
    }

    /** True when an input for a window that fires at {@code fireAt} comes too late at {@code watermark}. */
    abstract boolean late(long fireAt, long watermark);

    /** Adds {@code in} to {@code w}. */
    abstract void fold(ServiceWindow w, IN in);

    /**
     * Folds {@code in} into the service's window that holds {@code timestamp}, opening it (and its timer) first if
     * need be; returns false, counting it, when the input comes too late for that window.
     */
    boolean fold(IN in, String service, long timestamp, Context ctx) throws Exception {
        long start = spec.start(timestamp);
        long fireAt = spec.fireAt(start);
        if (late(fireAt, ctx.timerService().currentWatermark())) {
            late.inc();
            return false;
        }
        ServiceWindow w = windows.get(start);
        if (w == null) {
            w = spec.empty(service, start);
            ctx.timerService().registerEventTimeTimer(fireAt);
            spec.opened(starts, start);
        }
        fold(w, in);
        windows.put(start, w);
        return true;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ServiceWindow> out) throws Exception {
        spec.emitDue(windows, starts, timestamp, out);
    }
}
