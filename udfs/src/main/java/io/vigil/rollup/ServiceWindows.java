package io.vigil.rollup;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.Collector;

/**
 * One service's tumbling event-time windows of {@code size} ms, each emitted once the watermark passes its end plus
 * the allowed lateness: the arithmetic, the state and the emission that {@link MinuteRollupOperator} (records into
 * minutes) and {@link ServiceWindowFunction} (minutes into five minutes) share. State: one map entry per open window
 * ({@link #state}); the window's timer emits it and removes the entry, so state is bounded by the number of windows
 * within the lateness.
 */
final class ServiceWindows implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * The open windows of the current key, by start, under the name savepoints of every earlier build restore from (a
     * new descriptor per operator: descriptors hold the serializer they were initialised with).
     */
    static MapStateDescriptor<Long, ServiceWindow> state() {
        return new MapStateDescriptor<>("windows", Types.LONG, TypeInformation.of(ServiceWindow.class));
    }

    private final long size;
    private final long allowedLateness;

    ServiceWindows(long size, long allowedLateness) {
        if (size <= 0 || allowedLateness < 0) {
            throw new IllegalArgumentException(
                    "window size must be > 0 and lateness >= 0, got " + size + ", " + allowedLateness);
        }
        this.size = size;
        this.allowedLateness = allowedLateness;
    }

    /** The start of the window that holds {@code timestamp}. */
    long start(long timestamp) {
        return Math.floorDiv(timestamp, size) * size;
    }

    /** The event time at which the window starting at {@code start} is emitted. */
    long fireAt(long start) {
        return start + size - 1 + allowedLateness;
    }

    /** A new, empty window of {@code service} starting at {@code start}. */
    ServiceWindow empty(String service, long start) {
        return new ServiceWindow(service, start, start + size);
    }

    /** Emits and removes every window whose end plus lateness {@code timestamp} has reached, oldest first. */
    void emitDue(MapState<Long, ServiceWindow> windows, long timestamp, Collector<ServiceWindow> out) throws Exception {
        List<Long> due = new ArrayList<>();
        for (Map.Entry<Long, ServiceWindow> e : windows.entries()) {
            if (fireAt(e.getKey()) <= timestamp) {
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
