package io.vigil.detect.sequence;

import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The commonest sequence, "at least N records of one step, then one record of the next, within T" (brute force: N
 * failed logins then a success from one address), as a keyed state machine with the same matches and alerts as the
 * Flink CEP pattern {@link SequenceKind#pattern} builds for it, at a constant cost per record.
 *
 * <p>Why not CEP for this shape: with relaxed contiguity every record of the burst starts its own partial match, so
 * CEP's work per record grows with the number of burst records within T, and a burst of n records costs O(n²) (600
 * failed logins from one address took 13 s; an attacker controls n). Here the burst is one queue per key.
 *
 * <p>Semantics, those of the CEP pattern with greedy looping and skip-past-last-event: records are taken in event-time
 * order once the watermark passes them (records behind the watermark are dropped and counted, as CEP does); a burst
 * record older than T before the record being processed leaves the queue; a record of the final step completes a
 * match when the queue holds at least N burst records, and the match is every queued burst record plus it; a record
 * both steps accept extends the burst (greedy); a final-step record with too few burst records changes nothing. After
 * a match the queue starts empty.
 *
 * <p>State per key: records ahead of the watermark by timestamp, and the burst queue as a map from sequence number to
 * record with its head and tail (constant-time append and expiry on any state backend, unlike a list value that the
 * RocksDB backend would rewrite whole). A timer at the last burst record's expiry clears the key's state.
 */
final class BurstThenStepFunction extends KeyedProcessFunction<String, Telemetry, Alert> {
    private static final long serialVersionUID = 1L;

    private final String ruleId;
    private final String ruleJson;
    private final ArrayList<Step> steps;
    private final long withinMillis;
    private final int evidence;
    private final StepCondition burst;
    private final StepCondition last;

    private transient MapState<Long, List<Telemetry>> pending;
    private transient MapState<Long, Telemetry> queue;
    private transient ValueState<Long> head;
    private transient ValueState<Long> tail;
    private transient SequenceAlerts alerts;
    private transient Counter lateDropped;
    private transient Counter matches;

    BurstThenStepFunction(String ruleId, String ruleJson, List<Step> steps, Duration within, int evidence) {
        if (!applies(steps)) {
            throw new IllegalArgumentException("not a burst-then-step sequence: " + steps);
        }
        this.ruleId = ruleId;
        this.ruleJson = ruleJson;
        this.steps = new ArrayList<>(steps);
        this.withinMillis = within.toMillis();
        this.evidence = evidence;
        this.burst = new StepCondition(ruleId, steps.get(0).match());
        this.last = new StepCondition(ruleId, steps.get(1).match());
    }

    /**
     * True for two steps: a required, unbounded, non-consecutive loop ({@code at_least: N}), then one required record
     * that follows it relaxed (the default). Any other shape stays with CEP.
     */
    static boolean applies(List<Step> steps) {
        if (steps.size() != 2) {
            return false;
        }
        Step b = steps.get(0);
        Step l = steps.get(1);
        return b.max() < 0
                && !b.optional()
                && !b.consecutive()
                && l.min() == 1
                && l.max() == 1
                && !l.optional()
                && !l.consecutive()
                && l.follows() == Step.Follows.RELAXED;
    }

    @Override
    public void open(OpenContext openContext) {
        TypeInformation<Telemetry> record = TypeInformation.of(Telemetry.class);
        pending = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>("pending", Types.LONG, new ListTypeInfo<>(record)));
        queue = getRuntimeContext().getMapState(new MapStateDescriptor<>("burst", Types.LONG, record));
        head = getRuntimeContext().getState(new ValueStateDescriptor<>("burst-head", Types.LONG));
        tail = getRuntimeContext().getState(new ValueStateDescriptor<>("burst-tail", Types.LONG));
        alerts = new SequenceAlerts(ruleJson, steps, evidence);
        lateDropped = getRuntimeContext().getMetricGroup().counter("numLateRecordsDropped");
        matches = getRuntimeContext().getMetricGroup().counter("sequenceMatches");
    }

    @Override
    public void processElement(Telemetry t, Context ctx, Collector<Alert> out) throws Exception {
        long ts = t.timestamp;
        if (ts <= ctx.timerService().currentWatermark()) {
            lateDropped.inc(); // CEP drops these too: a sequence is judged in event-time order
            return;
        }
        List<Telemetry> at = pending.get(ts);
        if (at == null) {
            at = new ArrayList<>(1);
        }
        at.add(t);
        pending.put(ts, at);
        ctx.timerService().registerEventTimeTimer(ts);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        List<Telemetry> at = pending.get(ts);
        if (at != null) {
            pending.remove(ts);
            for (Telemetry t : at) {
                take(t, ctx, out);
            }
        }
        expire(ts);
        if (size() == 0) {
            queue.clear();
            head.clear();
            tail.clear();
        }
    }

    /** One record in event-time order. */
    private void take(Telemetry t, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        expire(t.timestamp);
        if (burst.filter(t)) {
            long end = tail.value() == null ? 0 : tail.value();
            queue.put(end, t);
            tail.update(end + 1);
            if (head.value() == null) {
                head.update(end);
            }
            ctx.timerService().registerEventTimeTimer(t.timestamp + withinMillis);
        } else if (last.filter(t) && size() >= steps.get(0).min()) {
            List<Telemetry> records = new ArrayList<>((int) size());
            for (long i = head.value(); i < tail.value(); i++) {
                records.add(queue.get(i));
            }
            Alert a =
                    alerts.of(Map.of(steps.get(0).name(), records, steps.get(1).name(), List.of(t)));
            if (a != null) {
                matches.inc();
                out.collect(a);
            }
            queue.clear(); // skip past the last event: the next match starts after this one
            head.clear();
            tail.clear();
        }
    }

    /** Drops burst records that could no longer be part of a match completed at {@code now}, as CEP's within. */
    private void expire(long now) throws Exception {
        Long h = head.value();
        if (h == null) {
            return;
        }
        long end = tail.value();
        while (h < end) {
            Telemetry first = queue.get(h);
            if (now - first.timestamp < withinMillis) {
                break;
            }
            queue.remove(h);
            h++;
        }
        head.update(h);
    }

    private long size() throws Exception {
        Long h = head.value();
        return h == null ? 0 : tail.value() - h;
    }

    @Override
    public String toString() {
        return "BurstThenStep(" + ruleId + ")";
    }
}
