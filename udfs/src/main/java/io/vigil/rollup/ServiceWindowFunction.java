package io.vigil.rollup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One service's tumbling event-time windows of {@code size} ms, emitted once the watermark passes a window's end plus
 * the allowed lateness, for {@link WindowMergeFunction} (minutes into five minutes; a few inputs a minute, so each
 * folds straight into state, unlike {@link MinuteRollupOperator}'s records). State: one map entry per open window; the
 * window's timer emits it and removes the entry, so state is bounded by the number of windows within the lateness.
 */
abstract class ServiceWindowFunction<IN> extends KeyedProcessFunction<String, IN, ServiceWindow> {
    private final long size;
    private final long allowedLateness;
    private final String lateMetric;
    private transient MapState<Long, ServiceWindow> windows;
    private transient Counter late;

    ServiceWindowFunction(long size, long allowedLateness, String lateMetric) {
        if (size <= 0 || allowedLateness < 0) {
            throw new IllegalArgumentException(
                    "window size must be > 0 and lateness >= 0, got " + size + ", " + allowedLateness);
        }
        this.size = size;
        this.allowedLateness = allowedLateness;
        this.lateMetric = lateMetric;
    }

    @Override
    public void open(OpenContext ctx) {
        windows = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>("windows", Types.LONG, TypeInformation.of(ServiceWindow.class)));
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
        long start = Math.floorDiv(timestamp, size) * size;
        long fireAt = start + size - 1 + allowedLateness;
        if (late(fireAt, ctx.timerService().currentWatermark())) {
            late.inc();
            return false;
        }
        ServiceWindow w = windows.get(start);
        if (w == null) {
            w = new ServiceWindow(service, start, start + size);
            ctx.timerService().registerEventTimeTimer(fireAt);
        }
        fold(w, in);
        windows.put(start, w);
        return true;
    }

    /** Emits and removes every window whose end plus lateness the timer has reached, oldest first. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ServiceWindow> out) throws Exception {
        List<Long> due = new ArrayList<>();
        for (Map.Entry<Long, ServiceWindow> e : windows.entries()) {
            if (e.getKey() + size - 1 + allowedLateness <= timestamp) {
                due.add(e.getKey());
            }
        }
        due.sort(null);
        for (Long start : due) {
            out.collect(windows.get(start));
            windows.remove(start);
        }
    }
}
