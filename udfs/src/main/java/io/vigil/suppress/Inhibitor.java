package io.vigil.suppress;

import io.vigil.model.Alert;
import io.vigil.sink.notify.AlertmanagerPayload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Marks alerts that an {@link InhibitRule} inhibits, in event time: an alert is inhibited if, at its event time, a
 * source alert of a rule fires whose {@code equal} labels have the same values. Inhibited alerts are passed on with
 * {@link Alert#inhibitedBy} set to the source's alert id, never dropped; every output keeps them, and the Alertmanager
 * and webhook outputs do not deliver them ({@link io.vigil.sink.notify.DeliveryFilter}).
 *
 * <p>State, per key ({@link #keySelector}: the values of the labels every rule compares, so a source and the targets
 * it can inhibit always share a key): the firing sources, one entry per rule, {@code equal} values and source alert key,
 * set by the source's firing alert and removed by its resolve (or after {@link #maxSourceAge} of event time, for
 * sources that never resolve); and the alerts waiting for the watermark.
 *
 * <p>Ordering: alerts arrive from several detectors in no fixed order, so each alert waits until the watermark passes
 * its event time (an event-time timer at {@link Alert#eventTime}); then all alerts of that instant are judged together,
 * every source's change first (firing adds it, resolved removes it) and the targets after, each group in alert-id
 * order. So a target and its source with the same event time: the target is inhibited whichever arrived first; a source
 * that resolves at the target's instant no longer inhibits it. Alerts that come after the watermark passed their time
 * (late) are judged at the next watermark against the sources as they are then. The wait adds at most one watermark
 * step of latency.
 */
public class Inhibitor extends KeyedProcessFunction<String, Alert, Alert> {
    private static final long serialVersionUID = 1L;
    /** How long a source that never resolves (an event kind: change, list, new_term, sequence) keeps inhibiting. */
    public static final Duration DEFAULT_MAX_SOURCE_AGE = Duration.ofHours(24);

    private final InhibitRules rules;
    private final long maxSourceAge;
    /** Alerts waiting for the watermark, by event time. */
    private transient MapState<Long, List<Alert>> pending;
    /** Firing sources: "rule index|equal values|source alert key" to the source. */
    private transient MapState<String, FiringSource> sources;

    private transient Counter inhibited;

    /** A firing source alert: which one, and since when (event time). A POJO for the state. */
    public static class FiringSource {
        public String alertId;
        public long since;

        public FiringSource() {}

        FiringSource(String alertId, long since) {
            this.alertId = alertId;
            this.since = since;
        }
    }

    public Inhibitor(InhibitRules rules, Duration maxSourceAge) {
        this.rules = rules;
        this.maxSourceAge = maxSourceAge.toMillis();
    }

    public Inhibitor(InhibitRules rules) {
        this(rules, DEFAULT_MAX_SOURCE_AGE);
    }

    /** Keys alerts by the values of the labels all rules compare ({@link InhibitRules#sharedEqualLabels}). */
    public static KeySelector<Alert, String> keySelector(InhibitRules rules) {
        List<String> shared = rules.sharedEqualLabels();
        return a -> {
            if (shared.isEmpty()) {
                return "";
            }
            Map<String, String> labels = AlertmanagerPayload.labels(a);
            StringBuilder b = new StringBuilder();
            for (String l : shared) {
                b.append(labels.getOrDefault(l, "")).append('\u0000');
            }
            return b.toString();
        };
    }

    @Override
    public void open(OpenContext context) {
        pending = getRuntimeContext()
                .getMapState(
                        new MapStateDescriptor<>("pending", Types.LONG, Types.LIST(TypeInformation.of(Alert.class))));
        sources = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>(
                        "firing-sources", Types.STRING, TypeInformation.of(FiringSource.class)));
        inhibited = getRuntimeContext().getMetricGroup().counter("alertsInhibited");
    }

    @Override
    public void processElement(Alert alert, Context ctx, Collector<Alert> out) throws Exception {
        List<Alert> at = pending.get(alert.eventTime);
        if (at == null) {
            at = new ArrayList<>();
        }
        at.add(alert);
        pending.put(alert.eventTime, at);
        ctx.timerService().registerEventTimeTimer(alert.eventTime);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        List<Long> due = new ArrayList<>();
        for (Long t : pending.keys()) {
            if (t <= time) {
                due.add(t);
            }
        }
        due.sort(Comparator.naturalOrder());
        for (Long t : due) {
            List<Alert> alerts = new ArrayList<>(pending.get(t));
            pending.remove(t);
            judge(alerts, t, ctx, out);
        }
        List<String> expired = new ArrayList<>();
        for (Map.Entry<String, FiringSource> e : sources.entries()) {
            if (e.getValue().since + maxSourceAge <= time) {
                expired.add(e.getKey());
            }
        }
        for (String k : expired) {
            sources.remove(k);
        }
    }

    /** Judges the alerts of one instant: sources first, then targets; emits each alert once. */
    private void judge(List<Alert> alerts, long time, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        alerts.sort(Comparator.comparing(a -> a.id == null ? "" : a.id));
        List<Map<String, String>> labels = new ArrayList<>(alerts.size());
        for (Alert a : alerts) {
            labels.add(AlertmanagerPayload.labels(a));
        }
        List<InhibitRule> rs = rules.rules();
        for (int i = 0; i < alerts.size(); i++) {
            Alert a = alerts.get(i);
            for (int r = 0; r < rs.size(); r++) {
                InhibitRule rule = rs.get(r);
                if (!rule.isSource(labels.get(i))) {
                    continue;
                }
                String slot = r + "|" + rule.equalValues(labels.get(i)) + "|" + a.key;
                if (Alert.RESOLVED.equals(a.status)) {
                    sources.remove(slot);
                } else {
                    sources.put(slot, new FiringSource(a.id, time));
                    ctx.timerService().registerEventTimeTimer(time + maxSourceAge);
                }
            }
        }
        for (int i = 0; i < alerts.size(); i++) {
            Alert a = alerts.get(i);
            String by = inhibitor(a, labels.get(i), rs);
            if (by != null) {
                a.inhibitedBy = by;
                inhibited.inc();
            }
            out.collect(a);
        }
    }

    /** The id of the source that inhibits the alert (the first by rule, then slot), or null. */
    private String inhibitor(Alert a, Map<String, String> labels, List<InhibitRule> rs) throws Exception {
        for (int r = 0; r < rs.size(); r++) {
            InhibitRule rule = rs.get(r);
            if (!rule.isTarget(labels)) {
                continue;
            }
            String prefix = r + "|" + rule.equalValues(labels) + "|";
            String self = prefix + a.key;
            String best = null;
            String bestId = null;
            for (Map.Entry<String, FiringSource> e : sources.entries()) {
                String slot = e.getKey();
                if (slot.startsWith(prefix) && !slot.equals(self) && (best == null || slot.compareTo(best) < 0)) {
                    best = slot;
                    bestId = e.getValue().alertId;
                }
            }
            if (bestId != null) {
                return bestId;
            }
        }
        return null;
    }
}
