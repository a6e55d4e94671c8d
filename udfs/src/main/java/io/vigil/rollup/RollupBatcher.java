package io.vigil.rollup;

import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Gathers the telemetry's requests and log records into one {@link RollupEvent#BATCH} per service and window before
 * they cross the network to the {@link MinuteRollupOperator}, in the thread that produced them (the rule router's).
 *
 * <p>Why: one rollup event per span and log record, each keyed, serialized and written to the network, was a tenth of
 * the router thread's time in the end-to-end profile (docs/benchmarks.md), the busiest thread of the job. A batch
 * costs that once per service and window between two watermarks.
 *
 * <p>Same windows to the bit: a batch keeps its requests' latencies in arrival order, and the minute rollup adds them
 * in that order ({@link ServiceWindow#add}); counts do not depend on order. Same lateness: batches leave before the
 * watermark that follows their records, before their input turns idle, before a checkpoint's barrier and at the end of
 * input, so the minute rollup judges each record against the watermark it would have seen alone, and a checkpoint
 * never holds a record here (this operator has no state, as the map it replaced had none). Memory is bounded by
 * {@link #MAX_BUFFERED} records, after which every batch leaves early, which only splits a window's batch in two.
 */
public final class RollupBatcher extends AbstractStreamOperator<RollupEvent>
        implements OneInputStreamOperator<Telemetry, RollupEvent> {
    private static final long serialVersionUID = 1L;

    /** Records held before every batch leaves regardless: bounds memory when watermarks are rare. */
    static final int MAX_BUFFERED = 10_000;

    private final ServiceWindows windows;
    /** Open batches per service, one per window (usually one; two around a window's end). */
    private transient Map<String, List<RollupEvent>> batches;

    private transient int buffered;

    /** @param windowSize the minute rollup's window size in ms: a batch never spans two of its windows */
    public RollupBatcher(long windowSize) {
        this.windows = new ServiceWindows(windowSize, 0);
    }

    @Override
    public void open() throws Exception {
        super.open();
        batches = new HashMap<>();
        buffered = 0;
    }

    @Override
    public void processElement(StreamRecord<Telemetry> record) throws Exception {
        Telemetry t = record.getValue();
        if (!RollupEvent.counts(t)) {
            return;
        }
        batchFor(t.service(), t.timestamp).addToBatch(t);
        if (++buffered >= MAX_BUFFERED) {
            emitAll();
        }
    }

    private RollupEvent batchFor(String service, long timestamp) {
        List<RollupEvent> open = batches.computeIfAbsent(service, s -> new ArrayList<>(2));
        long start = windows.start(timestamp);
        for (int i = 0; i < open.size(); i++) {
            RollupEvent b = open.get(i);
            if (windows.start(b.timestamp) == start) {
                return b;
            }
        }
        RollupEvent b = RollupEvent.batch(service, timestamp);
        open.add(b);
        return b;
    }

    /** Sends every batch, each with its first record's time, and forgets them. */
    private void emitAll() {
        if (buffered == 0) {
            return;
        }
        for (List<RollupEvent> open : batches.values()) {
            for (int i = 0; i < open.size(); i++) {
                RollupEvent b = open.get(i);
                output.collect(new StreamRecord<>(b, b.timestamp));
            }
        }
        batches.clear();
        buffered = 0;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        emitAll(); // before the watermark: the minute rollup judges lateness as it would for each record alone
        super.processWatermark(mark);
    }

    /**
     * Before this input turns idle: the minute rollup's watermark then moves on with the other inputs alone, and would
     * pass the windows of batches still held here.
     */
    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        if (status.isIdle()) {
            emitAll();
        }
        super.processWatermarkStatus(status);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        emitAll(); // no record is held across a checkpoint: this operator has no state to restore them from
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        emitAll();
        super.finish();
    }
}
