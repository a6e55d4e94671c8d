package io.vigil.rollup;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Aggregates one service's records into tumbling event-time windows of {@code size} ms and emits each window's
 * {@link ServiceWindow} once the watermark passes its end plus the allowed lateness.
 *
 * <p>Assumes: keyed by service; records arrive out of order within the watermark delay; a record whose window has
 * already been emitted is late and goes to {@link #LATE} (counted as {@code lateRecords}), never into a closed window
 * again. State: one map entry per open window; the window's timer emits it and removes the entry, so state is bounded
 * by the number of windows within the lateness.
 */
public class MinuteRollupFunction extends KeyedProcessFunction<String, RollupEvent, ServiceWindow> {
    public static final OutputTag<RollupEvent> LATE = new OutputTag<>("rollup-late", TypeInformation.of(RollupEvent.class));

    private final long size;
    private final long allowedLateness;
    private transient MapState<Long, ServiceWindow> windows;
    private transient Counter late;

    public MinuteRollupFunction(long size, long allowedLateness) {
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
        late = getRuntimeContext().getMetricGroup().counter("lateRecords");
    }

    @Override
    public void processElement(RollupEvent e, Context ctx, Collector<ServiceWindow> out) throws Exception {
        long start = Math.floorDiv(e.timestamp, size) * size;
        long fireAt = start + size - 1 + allowedLateness;
        if (fireAt <= ctx.timerService().currentWatermark()) {
            late.inc();
            ctx.output(LATE, e);
            return;
        }
        ServiceWindow w = windows.get(start);
        if (w == null) {
            w = new ServiceWindow(e.service, start, start + size);
            ctx.timerService().registerEventTimeTimer(fireAt);
        }
        w.add(e);
        windows.put(start, w);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ServiceWindow> out) throws Exception {
        emitDue(windows, timestamp, size, allowedLateness, out);
    }

    /** Emits and removes every window whose end plus lateness the timer has reached, oldest first. */
    static void emitDue(MapState<Long, ServiceWindow> windows, long timestamp, long size, long lateness,
            Collector<ServiceWindow> out) throws Exception {
        List<Long> due = new ArrayList<>();
        for (Map.Entry<Long, ServiceWindow> e : windows.entries()) {
            if (e.getKey() + size - 1 + lateness <= timestamp) {
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
