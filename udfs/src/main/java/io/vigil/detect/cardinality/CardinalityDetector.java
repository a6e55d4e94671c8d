package io.vigil.detect.cardinality;

import io.vigil.detect.Detector;
import io.vigil.detect.DetectorContext;
import io.vigil.detect.Incidents;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Distinct values of a field per key in a sliding event-time window of length {@code window}.
 *
 * <p>Why a capped set and not a sketch: the question is only "more than {@code max} distinct values in the window?".
 * Keeping the {@code max + 1} most recently seen values (with their last-seen time) answers it exactly for the window
 * that ends at the newest record: if it holds more than {@code max} distinct values, the {@code max + 1} most recently
 * seen ones are all inside it. A HyperLogLog sketch would bound memory too but answers approximately, cannot forget
 * values as the window slides without one sketch per bucket, and cannot name the values in the alert. The price: the
 * observed count reported is at most {@code max + 1} ("more than max"), and a new value evicts the least recently seen
 * one (a scan of at most {@code max + 1} entries, only when the set is full).
 *
 * <p>So the window is judged when a record changes the set and the set is full (a key with at most {@code max} values
 * costs no scan), ending at the newest record seen for the key; records out of order are placed by their own time.
 * A record whose time is a whole window behind the watermark can no longer count and is counted as late. One timer
 * per key, at the moment the oldest value leaves the window (rounded up to {@code resolution}), forgets old values,
 * resolves an open incident once the count is back to {@code max} or less, and clears a quiet key's state.
 */
final class CardinalityDetector implements Detector {
    private static final MapStateDescriptor<String, Long> VALUES =
            new MapStateDescriptor<>("cardinality.values", Types.STRING, Types.LONG);
    private static final ValueStateDescriptor<Integer> SIZE = new ValueStateDescriptor<>("cardinality.size", Types.INT);
    private static final ValueStateDescriptor<Long> TIMER = new ValueStateDescriptor<>("cardinality.timer", Types.LONG);
    private static final ValueStateDescriptor<String> INCIDENT =
            new ValueStateDescriptor<>("cardinality.incident", Types.STRING);
    private static final ListStateDescriptor<String> SAMPLES =
            new ListStateDescriptor<>("cardinality.samples", Types.STRING);
    private static final ValueStateDescriptor<Integer> SAMPLE_COUNT =
            new ValueStateDescriptor<>("cardinality.sampleCount", Types.INT);
    /** Values named in an alert's {@code values} annotation. */
    static final int NAMED_VALUES = 20;

    private final String field;
    private final int max;
    private final long window;
    private final long resolution;
    private final int evidence;

    CardinalityDetector(String field, int max, long window, long resolution, int evidence) {
        this.field = field;
        this.max = max;
        this.window = window;
        this.resolution = resolution;
        this.evidence = evidence;
    }

    @Override
    public List<StateDescriptor<?, ?>> state() {
        return List.of(VALUES, SIZE, TIMER, INCIDENT, SAMPLES, SAMPLE_COUNT, Incidents.TIMING);
    }

    @Override
    public void onRecord(Telemetry t, DetectorContext ctx) throws Exception {
        String v = t.get(field);
        if (v == null) {
            return; // a record without the field says nothing about its distinct values
        }
        if (t.timestamp + window <= ctx.currentWatermark()) {
            ctx.late();
            return;
        }
        MapState<String, Long> values = ctx.mapState(VALUES);
        ValueState<Integer> size = ctx.state(SIZE);
        int n = size.value() == null ? 0 : size.value();
        Long seen = values.get(v);
        if (seen != null) {
            if (t.timestamp <= seen) {
                return;
            }
            values.put(v, t.timestamp);
        } else {
            if (n <= max) {
                n++;
                size.update(n);
            } else if (!evictOlderThan(values, t.timestamp)) {
                return; // older than every value kept: it cannot change the answer
            }
            values.put(v, t.timestamp);
            ValueState<Integer> sampled = ctx.state(SAMPLE_COUNT);
            int s = sampled.value() == null ? 0 : sampled.value();
            if (s < evidence) { // evidence: the first records that brought new values
                ctx.listState(SAMPLES).add(TelemetryJson.write(t));
                sampled.update(s + 1);
            }
        }
        ValueState<Long> timer = ctx.state(TIMER);
        if (timer.value() == null) {
            long at = roundUp(t.timestamp + window);
            ctx.registerTimer(at);
            timer.update(at);
        }
        if (n > max && ctx.state(INCIDENT).value() == null) {
            judge(values, newest(values), ctx);
        }
    }

    private long roundUp(long ts) {
        return Math.floorDiv(ts + resolution - 1, resolution) * resolution;
    }

    private static long newest(MapState<String, Long> values) throws Exception {
        long newest = Long.MIN_VALUE;
        for (Long seen : values.values()) {
            newest = Math.max(newest, seen);
        }
        return newest;
    }

    /** Counts the values in the window ending at {@code end} (inclusive); opens or resolves the incident. */
    private void judge(MapState<String, Long> values, long end, DetectorContext ctx) throws Exception {
        long from = end - window;
        TreeSet<String> named = new TreeSet<>();
        int count = 0;
        for (Map.Entry<String, Long> e : values.entries()) {
            if (e.getValue() > from && e.getValue() <= end) {
                count++;
                named.add(e.getKey());
                if (named.size() > NAMED_VALUES) {
                    named.pollLast(); // name the first values in sort order, so the annotation is stable
                }
            }
        }
        ValueState<String> incident = ctx.state(INCIDENT);
        Incidents.Step step = Incidents.judge(ctx, incident, count > max, end + 1);
        if (step == Incidents.Step.FIRE) {
            Alert a = ctx.newAlert(from + 1, end + 1, count, max, ">");
            a.annotations.put("values", String.join(", ", named) + (count > named.size() ? ", ..." : ""));
            for (String s : ctx.listState(SAMPLES).get()) {
                a.evidence.add(s);
            }
            Incidents.fire(ctx, incident, a);
        } else if (step == Incidents.Step.RESOLVE) {
            Incidents.resolve(ctx, incident, from + 1, end + 1, count, max, ">");
        }
    }

    /** Removes the least recently seen value if it was seen before {@code ts}; true if one was removed. */
    private static boolean evictOlderThan(MapState<String, Long> values, long ts) throws Exception {
        String oldest = null;
        long oldestSeen = Long.MAX_VALUE;
        for (Map.Entry<String, Long> e : values.entries()) {
            if (e.getValue() < oldestSeen) {
                oldestSeen = e.getValue();
                oldest = e.getKey();
            }
        }
        if (oldest == null || oldestSeen >= ts) {
            return false;
        }
        values.remove(oldest);
        return true;
    }

    @Override
    public void onTimer(long timestamp, DetectorContext ctx) throws Exception {
        MapState<String, Long> values = ctx.mapState(VALUES);
        List<String> expired = new ArrayList<>();
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<String, Long> e : values.entries()) {
            if (e.getValue() <= timestamp - window) {
                expired.add(e.getKey());
            } else {
                oldest = Math.min(oldest, e.getValue());
            }
        }
        for (String k : expired) {
            values.remove(k);
        }
        ValueState<Integer> size = ctx.state(SIZE);
        int left = (size.value() == null ? 0 : size.value()) - expired.size();
        judge(values, timestamp, ctx);
        if (Incidents.awaitingJudgment(ctx, ctx.state(INCIDENT))) {
            ctx.registerTimer(timestamp + resolution); // pending or kept firing: judge again, records or not
        }
        ValueState<Long> timer = ctx.state(TIMER);
        if (left <= 0 || oldest == Long.MAX_VALUE) {
            values.clear();
            size.clear();
            timer.clear();
            ctx.listState(SAMPLES).clear();
            ctx.state(SAMPLE_COUNT).clear();
        } else {
            size.update(left);
            long at = roundUp(oldest + window);
            ctx.registerTimer(at);
            timer.update(at);
        }
    }
}
