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
 * reach people (Alertmanager, webhooks), while telling them a consistent story: a key whose firing alert was
 * delivered still gets its resolve, even if the resolve is muted (otherwise the receiver would keep a stale firing
 * alert, and the Alertmanager output would re-send it until its limit); a muted firing alert or reminder is never sent,
 * and a muted resolve of a key that was never delivered firing is not sent either.
 *
 * <p>A delivered resolve carries the labels of the firing alert it ends: a receiver identifies an alert by its labels
 * (Alertmanager by their fingerprint), so a resolve with other labels would leave the firing alert open. Two things
 * would otherwise differ: the incident ({@link Alert#incident}; the incident stage names the same one for both unless
 * the incident left its state before the resolve) and the rule labels of kinds whose resolve describes its own state
 * (an SLO resolve names the window pair that last held, which need not be the pair that paged).
 *
 * <p>State: per alert key, whether a firing alert of the key was delivered and not yet resolved, with the incident and
 * rule labels it was delivered with; cleared by the resolve. Kinds that report one-off events and never resolve keep no state.
 */
public class DeliveryFilter extends KeyedProcessFunction<String, Alert, Alert> {
    private static final long serialVersionUID = 1L;

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
            boolean wasDelivered = Boolean.TRUE.equals(firingDelivered.value());
            String incident = deliveredIncident.value();
            Map<String, String> labels = deliveredLabels.value();
            firingDelivered.clear();
            deliveredIncident.clear();
            deliveredLabels.clear();
            if (wasDelivered && incident != null) {
                a.incident = incident;
            }
            if (wasDelivered && labels != null) {
                a.labels = new LinkedHashMap<>(labels);
            }
            if (wasDelivered || !muted(a)) {
                out.collect(a);
            }
            return;
        }
        if (muted(a)) {
            return;
        }
        if (!AlertmanagerNotifier.EVENT_KINDS.contains(a.kind)) {
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
