package io.vigil.rollup;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Rolls one service's short windows up into longer tumbling windows of {@code size} ms (1 minute into 5 minutes) by
 * merging their aggregates, t-digests included; emits each long window when the watermark passes its end plus the
 * allowed lateness.
 *
 * <p>Assumes: keyed by service; input windows are aligned to and shorter than {@code size} and arrive no later than
 * {@link MinuteRollupFunction} emits them (same lateness), so a short window whose long window already fired is
 * counted as {@code lateWindows} and dropped (it was already reported at the short resolution).
 */
public class WindowMergeFunction extends KeyedProcessFunction<String, ServiceWindow, ServiceWindow> {
    private final long size;
    private final long allowedLateness;
    private transient MapState<Long, ServiceWindow> windows;
    private transient Counter late;

    public WindowMergeFunction(long size, long allowedLateness) {
        if (size <= 0 || allowedLateness < 0) {
            throw new IllegalArgumentException("window size must be > 0 and lateness >= 0, got " + size + ", "
                    + allowedLateness);
        }
        this.size = size;
        this.allowedLateness = allowedLateness;
    }

    @Override
    public void open(OpenContext ctx) {
        windows = getRuntimeContext().getMapState(new MapStateDescriptor<>("windows", Types.LONG,
                TypeInformation.of(ServiceWindow.class)));
        late = getRuntimeContext().getMetricGroup().counter("lateWindows");
    }

    @Override
    public void processElement(ServiceWindow in, Context ctx, Collector<ServiceWindow> out) throws Exception {
        long start = Math.floorDiv(in.windowStart, size) * size;
        long fireAt = start + size - 1 + allowedLateness;
        if (fireAt < ctx.timerService().currentWatermark()) {
            late.inc();
            return;
        }
        ServiceWindow w = windows.get(start);
        if (w == null) {
            w = new ServiceWindow(in.service, start, start + size);
            ctx.timerService().registerEventTimeTimer(fireAt);
        }
        w.merge(in);
        windows.put(start, w);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ServiceWindow> out) throws Exception {
        MinuteRollupFunction.emitDue(windows, timestamp, size, allowedLateness, out);
    }
}
