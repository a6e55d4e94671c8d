package io.vigil.sink.notify;

import io.vigil.model.Alert;
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
 * <p>A delivered resolve names the same incident ({@link Alert#incident}) as the firing alert it ends: the receiver
 * identifies an alert by its labels, and the incident is one of them. The incident stage names the same one for both
 * unless its incident left state before the resolve (then the resolve names none, and takes the firing alert's here).
 *
 * <p>State: per alert key, whether a firing alert of the key was delivered and not yet resolved, and the incident it
 * named; cleared by the resolve. Kinds that report one-off events and never resolve keep no state.
 */
public class DeliveryFilter extends KeyedProcessFunction<String, Alert, Alert> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<Boolean> firingDelivered;
    /** The incident named by the delivered firing alert of the key, if it named one. */
    private transient ValueState<String> deliveredIncident;

    /** Whether the alert is inhibited or silenced. */
    public static boolean muted(Alert a) {
        return a.inhibitedBy != null || a.silencedBy != null;
    }

    @Override
    public void open(OpenContext context) {
        firingDelivered = getRuntimeContext().getState(new ValueStateDescriptor<>("firing-delivered", Types.BOOLEAN));
        deliveredIncident =
                getRuntimeContext().getState(new ValueStateDescriptor<>("delivered-incident", Types.STRING));
    }

    @Override
    public void processElement(Alert a, Context ctx, Collector<Alert> out) throws Exception {
        boolean resolved = Alert.RESOLVED.equals(a.status);
        if (resolved) {
            boolean wasDelivered = Boolean.TRUE.equals(firingDelivered.value());
            String incident = deliveredIncident.value();
            firingDelivered.clear();
            deliveredIncident.clear();
            if (wasDelivered && incident != null) {
                a.incident = incident;
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
        }
        out.collect(a);
    }
}
