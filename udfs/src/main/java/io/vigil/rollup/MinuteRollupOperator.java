package io.vigil.rollup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Aggregates one service's records into tumbling event-time windows of {@code size} ms and emits each window's
 * {@link ServiceWindow} once the watermark passes its end plus the allowed lateness.
 *
 * <p>Assumes: keyed by service; records arrive out of order within the watermark delay; a record whose window has
 * already been emitted is late and goes to {@link #LATE} (counted as {@code lateRecords}, each record of a batch),
 * never into a closed window again. Telemetry arrives in batches per service and window ({@link RollupBatcher}),
 * alerts one at a time.
 *
 * <p>Why an operator and not a {@code KeyedProcessFunction}: a window is a few KB (its t-digest and up to 128 pending
 * latencies), and with RocksDB every read or write of it is a serialization round trip, which per record cost a tenth
 * of the end-to-end job (docs/benchmarks.md). So records wait in memory, in arrival order per service, and are folded
 * into their windows' state once per service and window when the watermark advances, before a checkpoint's barrier,
 * at the end of input, or every {@link #MAX_BUFFERED} records, whichever comes first; that needs to switch the current
 * key, which only an operator may do (as Flink's own keyed mini-batch operators do). The fold is the same sequence of
 * {@link ServiceWindow#add} calls in the same order as one record at a time, so windows are the same to the bit; and
 * since the buffer is folded before the watermark moves on, lateness is judged against the same watermark as before.
 * The state ({@code windows}, one map entry per open window) and the timers ({@code user-timers}) are those the
 * earlier {@code KeyedProcessFunction} kept under the same uid, so its savepoints restore.
 */
public final class MinuteRollupOperator extends AbstractStreamOperator<ServiceWindow>
        implements OneInputStreamOperator<RollupEvent, ServiceWindow>, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<RollupEvent> LATE =
            new OutputTag<>("rollup-late", TypeInformation.of(RollupEvent.class));

    /** Records held before they are folded regardless: bounds the buffer's memory when watermarks are rare. */
    static final int MAX_BUFFERED = 10_000;

    private final ServiceWindows spec;

    private transient MapState<Long, ServiceWindow> windows;
    private transient ValueState<long[]> starts;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient TimestampedCollector<ServiceWindow> collector;
    private transient Counter late;
    /** Records not yet folded, per service in arrival order. */
    private transient Map<String, List<RollupEvent>> buffered;

    private transient int bufferedCount;

    public MinuteRollupOperator(long size, long allowedLateness) {
        this.spec = new ServiceWindows(size, allowedLateness);
    }

    @Override
    public void open() throws Exception {
        super.open();
        windows = getRuntimeContext().getMapState(ServiceWindows.state());
        starts = getRuntimeContext().getState(ServiceWindows.startsState());
        timers = getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
        collector = new TimestampedCollector<>(output);
        late = getMetricGroup().counter("lateRecords");
        buffered = new LinkedHashMap<>();
        bufferedCount = 0;
    }

    @Override
    public void processElement(StreamRecord<RollupEvent> record) throws Exception {
        RollupEvent e = record.getValue();
        // The window's timer has fired (or fires now): a record for it would never be emitted.
        if (spec.fireAt(spec.start(e.timestamp)) <= timers.currentWatermark()) {
            late.inc(e.records());
            output.collect(LATE, record);
            return;
        }
        buffered.computeIfAbsent(e.service, s -> new ArrayList<>()).add(e);
        bufferedCount += e.records();
        if (bufferedCount >= MAX_BUFFERED) {
            fold();
        }
    }

    /** Folds every buffered record into its window's state, opening windows (and their timers) as needed. */
    private void fold() throws Exception {
        if (bufferedCount == 0) {
            return;
        }
        for (Map.Entry<String, List<RollupEvent>> e : buffered.entrySet()) {
            setCurrentKey(e.getKey());
            List<RollupEvent> events = e.getValue();
            // Usually every record of a service falls in one window; the rare record of another window is folded in
            // its own read and write, so order within each window is arrival order.
            long start = spec.start(events.get(0).timestamp);
            ServiceWindow w = open(e.getKey(), start);
            for (int i = 0; i < events.size(); i++) {
                RollupEvent r = events.get(i);
                long s = spec.start(r.timestamp);
                if (s != start) {
                    windows.put(start, w);
                    start = s;
                    w = open(e.getKey(), start);
                }
                w.add(r);
            }
            windows.put(start, w);
        }
        buffered.clear();
        bufferedCount = 0;
    }

    private ServiceWindow open(String service, long start) throws Exception {
        ServiceWindow w = windows.get(start);
        if (w == null) {
            w = spec.empty(service, start);
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, spec.fireAt(start));
            spec.opened(starts, start);
        }
        return w;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        fold(); // windows must be complete before the timers this watermark fires
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        fold(); // the checkpoint holds every record before its barrier in state
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        fold();
        super.finish();
    }

    /** Emits and removes every window of the key whose end plus lateness the timer has reached, oldest first. */
    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        collector.setAbsoluteTimestamp(timer.getTimestamp());
        spec.emitDue(windows, starts, timer.getTimestamp(), collector);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {
        // no processing-time timers
    }
}
