package io.vigil.detect;

import io.vigil.alert.AlertIds;
import io.vigil.model.Alert;
import org.apache.flink.api.common.state.ValueState;

/**
 * The firing and resolved lifecycle of one condition for one key, shared by every kind: a breach opens one incident (one firing alert, its id kept in keyed state) and the first judged
 * window without a breach resolves it, with a resolved alert that carries the incident's id.
 */
public final class Incidents {
    private Incidents() {}

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
