package io.vigil.detect;

import io.vigil.alert.AlertIds;
import io.vigil.model.Alert;
import io.vigil.rules.CompiledRule;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The lifecycle of one condition for one key, shared by every kind that judges a condition: inactive, pending,
 * firing, resolved, as Prometheus alerting rules have it. A condition that holds at a judgment (a window end, a
 * point) starts pending; it fires (one incident, one firing alert, its id kept in keyed state) once it has held at
 * every judgment for the rule's {@code for} duration; a judgment where it does not hold ends the pending run without
 * an alert. A firing incident stays firing for {@code keep_firing_for} after the last judgment where the condition
 * held: a breach within that time continues the same incident, a judgment after it resolves the incident with a
 * resolved alert that carries the incident's id. Both durations count in event time, from judgment times.
 *
 * <p>With neither duration set (the default) the first breach fires and the first judgment without one resolves, and
 * no state besides the incident id is kept. Kinds keep the incident id in state of their own (one value per key, or
 * one entry per burn-rate alert or series) and the pending and keep-firing times in a {@link Timing} next to it;
 * {@link #step} is the one state machine they all run.
 */
public final class Incidents {
    /** Pending and keep-firing times of one condition of one key, for rules with {@code for}/{@code keep_firing_for}. */
    public static final ValueStateDescriptor<Timing> TIMING =
            new ValueStateDescriptor<>("incident.timing", TypeInformation.of(Timing.class));

    private Incidents() {}

    /** What a judgment does to the incident: nothing (inactive, pending or still firing), fire one, or resolve it. */
    public enum Step {
        NONE,
        FIRE,
        RESOLVE
    }

    /**
     * Anti-flap times of one condition: whether a run of breaches is pending and since when, and when the condition
     * last held (what {@code keep_firing_for} counts from). A Flink POJO, so fields can be added with state evolution.
     */
    public static class Timing {
        public boolean pending;
        /** Judgment time of the first breach of the pending run. */
        public long pendingSince;
        /** Judgment time at which the condition last held. */
        public long lastHeld;
        /** Firing, kept so by {@code keep_firing_for} after the condition cleared. */
        public boolean keeping;

        public Timing() {}

        /** Nothing to remember: the condition is neither pending nor firing. */
        public boolean idle(boolean open) {
            return !pending && !open;
        }
    }

    /**
     * The state machine: judges the condition at event time {@code at} for a key whose incident is {@code open} or not,
     * updating {@code timing}. Judgments must come in event-time order for one key (timers do).
     */
    public static Step step(long forMillis, long keepMillis, boolean open, Timing timing, boolean holds, long at) {
        if (holds) {
            timing.lastHeld = at;
            timing.keeping = false;
            if (open) {
                return Step.NONE; // still firing; a breach within keep_firing_for continues the incident
            }
            if (!timing.pending) {
                timing.pending = true;
                timing.pendingSince = at;
            }
            if (at - timing.pendingSince >= forMillis) {
                timing.pending = false;
                return Step.FIRE;
            }
            return Step.NONE;
        }
        timing.pending = false; // cleared before `for` elapsed: no alert
        if (open && at - timing.lastHeld >= keepMillis) {
            timing.keeping = false;
            return Step.RESOLVE;
        }
        timing.keeping = open;
        return Step.NONE;
    }

    /** True when the rule delays firing or resolving, so judgments need a {@link Timing}. */
    public static boolean antiFlap(CompiledRule rule) {
        return rule.forMillis > 0 || rule.keepFiringForMillis > 0;
    }

    /**
     * Judges the condition for the current key of a kind that keeps its incident id in {@code incident}; the caller
     * then builds and {@link #fire}s the alert, or {@link #resolve}s. Rules without anti-flap touch no other state.
     */
    public static Step judge(DetectorContext ctx, ValueState<String> incident, boolean holds, long at)
            throws Exception {
        boolean open = incident.value() != null;
        CompiledRule rule = ctx.rule();
        if (!antiFlap(rule)) {
            return holds && !open ? Step.FIRE : !holds && open ? Step.RESOLVE : Step.NONE;
        }
        ValueState<Timing> state = ctx.state(TIMING);
        Timing timing = state.value();
        if (timing == null) {
            timing = new Timing();
        }
        Step s = step(rule.forMillis, rule.keepFiringForMillis, open, timing, holds, at);
        boolean openAfter = s == Step.FIRE || (open && s != Step.RESOLVE);
        if (timing.idle(openAfter)) {
            state.clear();
        } else {
            state.update(timing);
        }
        return s;
    }

    /**
     * True while the current key's condition is pending or its incident is kept firing after the condition cleared:
     * the detector should judge its next window even if no record arrives, or the run would never fire or resolve.
     */
    public static boolean awaitingJudgment(DetectorContext ctx, ValueState<String> incident) throws Exception {
        if (!antiFlap(ctx.rule())) {
            return false;
        }
        Timing t = ctx.state(TIMING).value();
        return t != null && (t.pending || (t.keeping && incident.value() != null));
    }

    /**
     * When the current key's incident, kept firing after its condition cleared, resolves if the condition does not
     * hold again; {@link Long#MIN_VALUE} when there is no such incident.
     */
    public static long keptFiringUntil(DetectorContext ctx, ValueState<String> incident) throws Exception {
        if (ctx.rule().keepFiringForMillis <= 0 || incident.value() == null) {
            return Long.MIN_VALUE;
        }
        Timing t = ctx.state(TIMING).value();
        return t == null || !t.keeping ? Long.MIN_VALUE : t.lastHeld + ctx.rule().keepFiringForMillis;
    }

    public static boolean open(ValueState<String> incident) throws Exception {
        return incident.value() != null;
    }

    /** Emits a firing alert and remembers it as the key's open incident. */
    public static void fire(DetectorContext ctx, ValueState<String> incident, Alert a) throws Exception {
        incident.update(a.id);
        ctx.emit(a);
    }

    /** Emits the resolved alert of the open incident (if any) and forgets it. */
    public static void resolve(
            DetectorContext ctx,
            ValueState<String> incident,
            long windowStart,
            long windowEnd,
            double observed,
            double expected,
            String comparison)
            throws Exception {
        String open = incident.value();
        if (open == null) {
            return;
        }
        Alert a = resolution(ctx.newAlert(windowStart, windowEnd, observed, expected, comparison), open);
        incident.clear();
        ctx.emit(a);
    }

    /**
     * Makes a new alert the resolution of the incident {@code incidentId}: resolved status, the incident's id and the
     * resolved alert id derived from it, and a message that says so. For kinds that keep their incidents in state of
     * their own shape (one per burn-rate pair, one per series).
     */
    public static Alert resolution(Alert a, String incidentId) {
        a.status = Alert.RESOLVED;
        a.incidentId = incidentId;
        a.id = AlertIds.resolved(incidentId);
        a.message = "Resolved: " + a.message;
        return a;
    }
}
