package io.vigil.sink.notify;

import io.vigil.model.Alert;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps inhibited and silenced alerts ({@link Alert#inhibitedBy}, {@link Alert#silencedBy}) from the outputs that
 * reach people (Alertmanager, webhooks), while telling them a consistent story: a key's resolve is delivered if and
 * only if a firing alert of the key was delivered. A muted firing alert or reminder is never sent; a resolve of a key
 * whose firing alert was delivered is sent even if the resolve is muted (otherwise the receiver would keep a stale
 * firing alert, and the Alertmanager output would re-send it until its limit); a resolve of a key whose firing alerts
 * were all withheld is not sent, muted or not (the receiver never heard of the alert it would end).
 *
 * <p>A delivered resolve carries the labels of the firing alert it ends: a receiver identifies an alert by its labels
 * (Alertmanager by their fingerprint), so a resolve with other labels would leave the firing alert open. Two things
 * would otherwise differ: the incident ({@link Alert#incident}; the incident stage names the same one for both unless
 * the incident left its state before the resolve) and the rule labels of kinds whose resolve describes its own state
 * (an SLO resolve names the window pair that last held, which need not be the pair that paged).
 *
 * <p>State: per alert key, whether the key's firing alert was delivered ({@code true}) or withheld ({@code false}) and
 * not yet resolved, with the incident and rule labels it was delivered with; cleared by the resolve. Kinds that report
 * one-off events and never resolve keep no state. A resolve of a key with no state at all is sent unless it is muted
 * itself: that happens only when the operator's state began after the firing alert (restored from a savepoint without
 * this operator, or from one taken before withheld keys were recorded), so the filter cannot tell, and a resolve the
 * receiver does not hold is harmless where a lost one leaves a stale alert. State names and types are unchanged from
 * earlier versions, so their savepoints restore.
 */
public class DeliveryFilter extends KeyedProcessFunction<String, Alert, Alert> {
    private static final long serialVersionUID = 1L;

    /** Whether the key's firing alert was delivered (true) or only withheld (false); absent when no firing is open. */
    private transient ValueState<Boolean> firingDelivered;
    /** The incident named by the delivered firing alert of the key, if it named one. */
    private transient ValueState<String> deliveredIncident;
    /** The rule labels of the delivered firing alert of the key. */
    private transient ValueState<Map<String, String>> deliveredLabels;

    /** Whether the alert is inhibited or silenced. */
    public static boolean muted(Alert a) {
        return a.inhibitedBy != null || a.silencedBy != null;
    }

    @Override
    public void open(OpenContext context) {
        firingDelivered = getRuntimeContext().getState(new ValueStateDescriptor<>("firing-delivered", Types.BOOLEAN));
        deliveredIncident =
                getRuntimeContext().getState(new ValueStateDescriptor<>("delivered-incident", Types.STRING));
        deliveredLabels = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("delivered-labels", Types.MAP(Types.STRING, Types.STRING)));
    }

    @Override
    public void processElement(Alert a, Context ctx, Collector<Alert> out) throws Exception {
        boolean resolved = Alert.RESOLVED.equals(a.status);
        if (resolved) {
            Boolean delivered = firingDelivered.value();
            String incident = deliveredIncident.value();
            Map<String, String> labels = deliveredLabels.value();
            firingDelivered.clear();
            deliveredIncident.clear();
            deliveredLabels.clear();
            boolean wasDelivered = Boolean.TRUE.equals(delivered);
            if (wasDelivered && incident != null) {
                a.incident = incident;
            }
            if (wasDelivered && labels != null) {
                a.labels = new LinkedHashMap<>(labels);
            }
            if (wasDelivered || (delivered == null && !muted(a))) {
                out.collect(a);
            }
            return;
        }
        boolean keepsState = !AlertmanagerNotifier.EVENT_KINDS.contains(a.kind);
        if (muted(a)) {
            if (keepsState && firingDelivered.value() == null) {
                firingDelivered.update(false);
            }
            return;
        }
        if (keepsState) {
            firingDelivered.update(true);
            if (a.incident != null) {
                deliveredIncident.update(a.incident);
            } else {
                deliveredIncident.clear();
            }
            deliveredLabels.update(new LinkedHashMap<>(a.labels));
        }
        out.collect(a);
    }
}
