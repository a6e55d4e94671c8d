package io.vigil.incident;

import io.vigil.alert.AlertIds;
import io.vigil.alert.AlertJson;
import io.vigil.model.Alert;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import io.vigil.rules.RuleKind;
import io.vigil.rules.RuleKinds;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Groups the job's alerts into incidents, one group key (a service) at a time, and correlates them with the group's
 * error records. Input 1: alerts after realert and enrichment; input 2: error logs and failed spans (see
 * {@link GroupKeys#isError}), both keyed by {@link GroupKeys}.
 *
 * <p>What it assumes about its inputs: alerts of one key come from many detector instances, so their arrival order is
 * not their event-time order. Alerts are therefore held until the watermark passes their timestamp and then taken in
 * event-time order (ties by alert id), which makes incidents and their ids the same on every run and replay. An alert
 * that arrives after the watermark passed it (late) is taken at the next watermark: it still joins the open incident
 * (moving its first-seen time back if it is earlier), and a late change still becomes the suspected cause when it
 * landed within the lookback before the first alert. Error records may arrive in any order; they only feed bounded
 * samples.
 *
 * <p>State per key, all bounded: the open incident (its lists capped by {@link IncidentConfig}), the alerts waiting
 * for the watermark, the last few change alerts and ring buffers of the latest error logs and failed trace ids. Event
 * time timers drop buffered changes and records once they are older than the lookback, and clear a resolved
 * incident, so a key that goes quiet keeps nothing.
 *
 * <p>Side output {@link #GROUPED_ALERTS}: every alert it takes, once, in the order it takes them, as a copy that names
 * its incident ({@link Alert#incident}) and, when one is suspected, carries the incident's cause as the annotation
 * {@link #SUSPECTED_CAUSE}. That is what the outputs that reach people deliver, so that on-call people get one
 * notification group per incident. A firing member names the incident it joined; a resolve names the incident its
 * firing alert joined (none if that incident is no longer in state); a change names none (it is a candidate cause, not
 * a member, and the incident's alerts name the cause).
 */
public class IncidentCorrelator extends KeyedCoProcessFunction<String, Alert, Telemetry, Incident> {
    private static final long serialVersionUID = 1L;

    /** Alerts of kind {@code change} (deployments, version changes) are candidate causes, not incident members. */
    static final String CHANGE_KIND = "change";

    /** Change alerts kept per key: the suspected cause is the latest one before the first alert. */
    static final int MAX_CHANGES = 5;

    private static final long MINUTE = 60_000L;

    /** The alerts as they were grouped, each naming its incident: what Alertmanager and webhook outputs deliver. */
    public static final OutputTag<Alert> GROUPED_ALERTS =
            new OutputTag<>("grouped-alerts", TypeInformation.of(Alert.class));

    /** Annotation of a grouped alert: the message of its incident's suspected cause. */
    public static final String SUSPECTED_CAUSE = "suspected_cause";

    private final IncidentConfig config;
    private final GroupKeys keys;
    private final long gap;
    private final long lookback;

    private transient ValueState<Incident> incident;
    private transient MapState<Long, List<Alert>> pending;
    private transient ListState<Alert> changes;
    private transient ListState<Telemetry> recentLogs;
    private transient ValueState<RecentErrors> recentErrors;
    /** The trace ids as builds before {@link RecentErrors} kept them: read once per key, then cleared. */
    private transient MapState<String, Long> legacyTraceIds;

    private transient Counter opened;
    private transient Counter unmatchedResolutions;
    /** Copies alerts for {@link #GROUPED_ALERTS}: the taken alert itself may still be held in state (changes). */
    private transient TypeSerializer<Alert> alertCopier;

    public IncidentCorrelator(IncidentConfig config) {
        this.config = config.validate();
        this.keys = new GroupKeys(config.groupBy);
        this.gap = config.gap.toMillis();
        this.lookback = config.lookback.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        TypeInformation<Alert> alert = TypeInformation.of(Alert.class);
        incident = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("incident", TypeInformation.of(Incident.class)));
        pending = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>("pendingAlerts", Types.LONG, Types.LIST(alert)));
        changes = getRuntimeContext().getListState(new ListStateDescriptor<>("recentChanges", alert));
        recentLogs = getRuntimeContext()
                .getListState(new ListStateDescriptor<>("recentErrorLogs", TypeInformation.of(Telemetry.class)));
        recentErrors = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("recentErrors", TypeInformation.of(RecentErrors.class)));
        legacyTraceIds =
                getRuntimeContext().getMapState(new MapStateDescriptor<>("recentTraceIds", Types.STRING, Types.LONG));
        opened = getRuntimeContext().getMetricGroup().counter("incidentsOpened");
        unmatchedResolutions = getRuntimeContext().getMetricGroup().counter("incidentResolutionsUnmatched");
        alertCopier = getRuntimeContext().createSerializer(alert);
    }

    @Override
    public void processElement1(Alert a, Context ctx, Collector<Incident> out) throws Exception {
        long ts = ctx.timestamp() != null ? ctx.timestamp() : a.eventTime;
        List<Alert> waiting = pending.get(ts);
        if (waiting == null) {
            waiting = new ArrayList<>();
        }
        waiting.add(a);
        pending.put(ts, waiting);
        // A timestamp the watermark already passed fires at the next watermark: late alerts are taken then.
        ctx.timerService().registerEventTimeTimer(ts);
    }

    @Override
    public void processElement2(Telemetry t, Context ctx, Collector<Incident> out) throws Exception {
        String traceId = t.traceId;
        Incident inc = incident.value();
        if (inc != null && t.timestamp >= inc.firstSeen - lookback && sample(inc, t, traceId)) {
            incident.update(inc);
        }
        RecentErrors recent = recent();
        if (recent == null) {
            recent = new RecentErrors();
        }
        boolean changed = false;
        if (t.signal == Signal.LOG) {
            // Appended without reading the buffer (on RocksDB a merge, not a read and a write of every log in it);
            // trimmed to the latest logs once it holds twice the bound, and whenever it is read.
            recentLogs.add(t);
            recent.logs++;
            if (recent.logs >= 2 * config.maxErrorLogs) {
                trimLogs(recent, Long.MIN_VALUE);
            }
            changed = true;
        }
        if (traceId != null && !recent.hasTrace(traceId)) {
            recent.addTrace(traceId, t.timestamp, config.maxTraceIds);
            changed = true;
        }
        if (changed) {
            recentErrors.update(recent);
        }
        // One cleanup timer per key and minute at most, however many records arrive.
        ctx.timerService().registerEventTimeTimer(ceilMinute(t.timestamp + lookback));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Incident> out) throws Exception {
        String key = ctx.getCurrentKey();
        for (Alert a : due(timestamp)) {
            take(key, a, ctx, out);
        }
        Incident inc = incident.value();
        if (inc != null) {
            if (inc.allMembersDone() && timestamp >= inc.lastSeen + gap) {
                close(inc, inc.lastSeen + gap, out);
            } else if (timestamp == inc.lastSeen + gap) {
                // Quiet for a whole gap but a member still fires: a revision with what was sampled since the last one.
                emit(inc, out);
            }
        }
        prune(timestamp - lookback);
    }

    /**
     * The waiting alerts of a timer's timestamp, in event-time order (ties by id). Each waiting timestamp has its own
     * timer and timers fire in timestamp order, so alerts are taken in event-time order without listing the waiting
     * ones (on RocksDB a listing seeks past the tombstone of every timestamp taken since the last compaction).
     */
    private List<Alert> due(long timestamp) throws Exception {
        List<Alert> due = pending.get(timestamp);
        if (due == null) {
            return List.of();
        }
        pending.remove(timestamp);
        due.sort(Comparator.comparingLong((Alert a) -> a.eventTime).thenComparing(a -> a.id));
        return due;
    }

    private void take(String key, Alert a, OnTimerContext ctx, Collector<Incident> out) throws Exception {
        Incident inc = incident.value();
        if (CHANGE_KIND.equals(a.kind)) {
            change(inc, a, out);
            // A change is not a member: in an incident's notification group it would keep the group from resolving
            // until the change (an event) expires. The incident's alerts carry it as their suspected cause instead.
            grouped(a, null, ctx);
            return;
        }
        if (Alert.RESOLVED.equals(a.status)) {
            // Named before the resolution, which may close the incident and clear it from state.
            grouped(a, inc != null && inc.members.containsKey(a.incidentId) ? inc : null, ctx);
            resolution(inc, a, out);
            return;
        }
        if (inc != null && inc.allMembersDone() && a.eventTime >= inc.lastSeen + gap) {
            // Its gap passed before this alert (the gap timer is still to fire): this alert starts a new incident.
            close(inc, inc.lastSeen + gap, out);
            inc = null;
        }
        if (inc == null) {
            inc = open(key, a);
        }
        member(inc, a);
        ctx.timerService().registerEventTimeTimer(inc.lastSeen + gap);
        emit(inc, out);
        grouped(a, inc, ctx);
    }

    /** Hands a copy of {@code a} naming {@code inc} (null: none) and its suspected cause to {@link #GROUPED_ALERTS}. */
    private void grouped(Alert a, Incident inc, OnTimerContext ctx) {
        Alert copy = alertCopier.copy(a);
        if (inc != null) {
            copy.incident = inc.id;
            if (inc.suspectedCause != null && inc.suspectedCause.message != null) {
                copy.annotations.put(SUSPECTED_CAUSE, inc.suspectedCause.message);
            }
        }
        ctx.output(GROUPED_ALERTS, copy);
    }

    private Incident open(String key, Alert first) throws Exception {
        Incident inc = new Incident();
        inc.id = AlertIds.digest(key + '|' + first.id, "incident");
        inc.groupField = keys.fieldOf(key);
        inc.groupValue = GroupKeys.valueOf(key);
        inc.firstSeen = first.eventTime;
        inc.lastSeen = first.eventTime;
        inc.title = first.message;
        for (Alert c : changes.get()) {
            suspect(inc, c);
        }
        RecentErrors recent = recent();
        if (recent != null) {
            int buffered = recent.logs;
            for (Telemetry t : trimLogs(recent, Long.MIN_VALUE)) {
                if (t.timestamp >= inc.firstSeen - lookback) {
                    sample(inc, t, t.traceId);
                }
            }
            if (recent.logs != buffered) {
                recentErrors.update(recent);
            }
            for (int i = 0; i < recent.traceIds.length; i++) {
                if (recent.seenAt[i] >= inc.firstSeen - lookback && inc.traceIds.size() < config.maxTraceIds) {
                    addTrace(inc, recent.traceIds[i]);
                }
            }
        }
        opened.inc();
        return inc;
    }

    private void member(Incident inc, Alert a) {
        inc.alertCount++;
        if (inc.alertIds.size() < config.maxMembers) {
            inc.alertIds.add(a.id);
        }
        if (!inc.ruleIds.contains(a.ruleId) && inc.ruleIds.size() < config.maxMembers) {
            inc.ruleIds.add(a.ruleId);
        }
        if (inc.members.size() < config.maxMembers || inc.members.containsKey(a.incidentId)) {
            inc.members.put(a.incidentId, resolves(a) ? Incident.MEMBER_FIRING : Incident.MEMBER_EVENT);
        }
        if (inc.severity == null || AlertJson.severityNumber(a.severity) > AlertJson.severityNumber(inc.severity)) {
            inc.severity = a.severity;
        }
        inc.firstSeen = Math.min(inc.firstSeen, a.eventTime);
        inc.lastSeen = Math.max(inc.lastSeen, a.eventTime);
        timeline(inc, TimelineEntry.of(a.eventTime, TimelineEntry.FIRING, a.id, a.ruleId, a.severity, a.message));
    }

    private void resolution(Incident inc, Alert a, Collector<Incident> out) throws Exception {
        if (inc == null || !inc.members.containsKey(a.incidentId)) {
            // Its firing alert went out before this job's state began (or beyond the member bound): nothing to close.
            unmatchedResolutions.inc();
            return;
        }
        inc.members.put(a.incidentId, Incident.MEMBER_RESOLVED);
        timeline(inc, TimelineEntry.of(a.eventTime, TimelineEntry.RESOLVED, a.id, a.ruleId, a.severity, a.message));
        if (inc.allMembersDone() && a.eventTime >= inc.lastSeen + gap) {
            close(inc, a.eventTime, out);
        } else {
            emit(inc, out);
        }
    }

    private void change(Incident inc, Alert c, Collector<Incident> out) throws Exception {
        List<Alert> kept = new ArrayList<>();
        changes.get().forEach(kept::add);
        kept.add(c);
        kept.sort(Comparator.comparingLong(a -> a.eventTime));
        while (kept.size() > MAX_CHANGES) {
            kept.remove(0);
        }
        changes.update(kept);
        if (inc != null) {
            suspect(inc, c);
            timeline(inc, TimelineEntry.of(c.eventTime, TimelineEntry.CHANGE, c.id, c.ruleId, c.severity, c.message));
            emit(inc, out);
        }
    }

    /** Makes {@code c} the suspected cause if it landed within the lookback before the first alert, latest first. */
    private void suspect(Incident inc, Alert c) {
        if (c.eventTime > inc.firstSeen || c.eventTime < inc.firstSeen - lookback) {
            return;
        }
        if (inc.suspectedCause != null && inc.suspectedCause.time >= c.eventTime) {
            return;
        }
        SuspectedCause s = new SuspectedCause();
        s.alertId = c.id;
        s.ruleId = c.ruleId;
        s.time = c.eventTime;
        s.message = c.message;
        inc.suspectedCause = s;
    }

    /** Adds an error record to the incident's samples; false when it had room for nothing new. */
    private boolean sample(Incident inc, Telemetry t, String traceId) {
        boolean changed = false;
        if (t.signal == Signal.LOG && inc.errorLogs.size() < config.maxErrorLogs) {
            inc.errorLogs.add(TelemetryJson.write(t));
            changed = true;
        }
        if (traceId != null && inc.traceIds.size() < config.maxTraceIds && !inc.traceIds.contains(traceId)) {
            addTrace(inc, traceId);
            changed = true;
        }
        return changed;
    }

    private static void addTrace(Incident inc, String traceId) {
        if (!inc.traceIds.contains(traceId)) {
            inc.traceIds.add(traceId);
        }
    }

    private void timeline(Incident inc, TimelineEntry e) {
        if (inc.timeline.size() < config.maxTimeline) {
            inc.timeline.add(e);
        } else {
            inc.timelineOmitted++;
        }
    }

    private void close(Incident inc, long at, Collector<Incident> out) throws Exception {
        inc.status = Incident.RESOLVED;
        inc.resolvedAt = at;
        // The closing entry is always written, past the bound if need be: a timeline should say how it ended.
        inc.timeline.add(TimelineEntry.of(at, TimelineEntry.CLOSED, null, null, inc.severity, null));
        emit(inc, out);
    }

    private void emit(Incident inc, Collector<Incident> out) throws Exception {
        inc.revision++;
        if (Incident.RESOLVED.equals(inc.status)) {
            incident.clear();
        } else {
            incident.update(inc);
        }
        out.collect(inc);
    }

    private static boolean resolves(Alert a) {
        RuleKind kind = RuleKinds.get(a.kind);
        return kind == null || kind.resolves();
    }

    /** Drops buffered changes and records older than {@code before}: they can no longer be in any incident's window. */
    private void prune(long before) throws Exception {
        List<Alert> kept = new ArrayList<>();
        int held = 0;
        for (Alert c : changes.get()) {
            held++;
            if (c.eventTime >= before) {
                kept.add(c);
            }
        }
        if (kept.size() != held) {
            changes.update(kept);
        }
        RecentErrors recent = recent();
        if (recent == null) {
            return;
        }
        boolean changed = recent.dropTracesBefore(before);
        int buffered = recent.logs;
        if (buffered > 0) {
            trimLogs(recent, before);
            changed |= recent.logs != buffered;
        }
        if (recent.isEmpty()) {
            recentErrors.clear();
        } else if (changed) {
            recentErrors.update(recent);
        }
    }

    /**
     * Trims the error log buffer to its latest {@code maxErrorLogs} records of time {@code since} or later, and counts
     * them in {@code recent}; returns them oldest first (ties in the order they arrived). The same records a buffer
     * trimmed on every record would hold: the latest records before an incident are the telling ones.
     */
    private List<Telemetry> trimLogs(RecentErrors recent, long since) throws Exception {
        List<Telemetry> kept = new ArrayList<>();
        int held = 0;
        for (Telemetry t : recentLogs.get()) {
            held++;
            if (t.timestamp >= since) {
                kept.add(t);
            }
        }
        kept.sort(Comparator.comparingLong(r -> r.timestamp));
        if (kept.size() > config.maxErrorLogs) {
            kept = new ArrayList<>(kept.subList(kept.size() - config.maxErrorLogs, kept.size()));
        }
        if (kept.size() != held) {
            recentLogs.update(kept);
        }
        recent.logs = kept.size();
        return kept;
    }

    /** The key's recent error records in brief; null if it has none. */
    private RecentErrors recent() throws Exception {
        RecentErrors recent = recentErrors.value();
        return recent != null ? recent : legacyRecentErrors();
    }

    /**
     * State saved by builds that kept the trace ids in a map state ({@code recentTraceIds}) and the log buffer
     * uncounted, as a {@link RecentErrors} (stored, and the map cleared); null if there is none. Read when a key has
     * no value: on its first error record and after a quiet spell, not per record.
     */
    private RecentErrors legacyRecentErrors() throws Exception {
        RecentErrors recent = new RecentErrors();
        if (!legacyTraceIds.isEmpty()) {
            for (Map.Entry<String, Long> e : legacyTraceIds.entries()) {
                recent.addTrace(e.getKey(), e.getValue(), config.maxTraceIds); // files each id by its time
            }
            legacyTraceIds.clear();
        }
        for (Telemetry ignored : recentLogs.get()) {
            recent.logs++;
        }
        if (recent.isEmpty()) {
            return null;
        }
        recentErrors.update(recent);
        return recent;
    }

    private static long ceilMinute(long t) {
        return Math.floorDiv(t + MINUTE - 1, MINUTE) * MINUTE;
    }
}
