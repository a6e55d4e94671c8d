package io.vigil.alert;

import io.vigil.model.Alert;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Applies each rule's {@code realert} period per key: after a firing alert goes out, further firing alerts for the same
 * rule and key within the period are suppressed and counted, and the next one let through carries the count in
 * {@link Alert#suppressed}. A resolved alert goes out only if its incident's firing alert went out. An alert whose id
 * was already emitted (the same rule, key and window) is a duplicate and dropped.
 *
 * <p>Keyed by {@link Alert#key}. Assumes alerts of one key arrive roughly in event-time order (they come from one
 * detector instance). State is cleared by a timer once the key has been quiet for the realert period (at least an
 * hour), so it does not grow with the number of keys ever seen.
 */
public class Realert extends KeyedProcessFunction<String, Alert, Alert> {
    private static final long serialVersionUID = 1L;
    private static final long MIN_RETENTION_MS = 3_600_000L;

    private transient ValueState<Long> lastFiring;
    private transient ValueState<Long> suppressedCount;
    private transient ValueState<String> lastEmittedId;
    private transient ValueState<String> openIncident;
    private transient ValueState<Long> cleanupAt;
    private transient Counter suppressed;
    private transient Counter duplicates;

    @Override
    public void open(OpenContext openContext) {
        lastFiring = getRuntimeContext().getState(new ValueStateDescriptor<>("lastFiring", Types.LONG));
        suppressedCount = getRuntimeContext().getState(new ValueStateDescriptor<>("suppressed", Types.LONG));
        lastEmittedId = getRuntimeContext().getState(new ValueStateDescriptor<>("lastEmittedId", Types.STRING));
        openIncident = getRuntimeContext().getState(new ValueStateDescriptor<>("openIncident", Types.STRING));
        cleanupAt = getRuntimeContext().getState(new ValueStateDescriptor<>("cleanupAt", Types.LONG));
        suppressed = getRuntimeContext().getMetricGroup().counter("alertsSuppressed");
        duplicates = getRuntimeContext().getMetricGroup().counter("alertsDuplicate");
    }

    @Override
    public void processElement(Alert a, Context ctx, Collector<Alert> out) throws Exception {
        if (a.id.equals(lastEmittedId.value())) {
            duplicates.inc();
            return;
        }
        if (Alert.RESOLVED.equals(a.status)) {
            if (a.incidentId != null && a.incidentId.equals(openIncident.value())) {
                openIncident.clear();
                emit(a, ctx, out);
            } else {
                suppressed.inc();
            }
            return;
        }
        Long last = lastFiring.value();
        if (last != null && a.realertMillis > 0 && a.eventTime < last + a.realertMillis) {
            suppressed.inc();
            suppressedCount.update(count() + 1);
            scheduleCleanup(a, ctx);
            return;
        }
        a.suppressed = count();
        suppressedCount.clear();
        lastFiring.update(a.eventTime);
        openIncident.update(a.incidentId);
        emit(a, ctx, out);
    }

    private void emit(Alert a, Context ctx, Collector<Alert> out) throws Exception {
        lastEmittedId.update(a.id);
        scheduleCleanup(a, ctx);
        out.collect(a);
    }

    private long count() throws Exception {
        Long c = suppressedCount.value();
        return c == null ? 0 : c;
    }

    private void scheduleCleanup(Alert a, Context ctx) throws Exception {
        Long old = cleanupAt.value();
        long at = a.eventTime + Math.max(a.realertMillis, MIN_RETENTION_MS);
        if (old != null && old >= at) {
            return;
        }
        if (old != null) {
            ctx.timerService().deleteEventTimeTimer(old);
        }
        ctx.timerService().registerEventTimeTimer(at);
        cleanupAt.update(at);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) {
        // Quiet for the whole realert period: nothing left to suppress or de-duplicate for this key. An incident that
        // is still open is kept (one string per open incident) so that its resolution still goes out.
        lastFiring.clear();
        suppressedCount.clear();
        lastEmittedId.clear();
        cleanupAt.clear();
    }
}
