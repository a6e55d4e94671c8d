package io.vigil.detect;

import io.vigil.alert.AlertIds;
import io.vigil.model.Alert;
import org.apache.flink.api.common.state.ValueState;

/**
 * The firing and resolved lifecycle of one condition for one key, shared by the windowed kinds (spike, flatline,
 * percentage_match): a breach opens one incident (one firing alert, its id kept in keyed state) and the first judged
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
        Alert a = ctx.newAlert(windowStart, windowEnd, observed, expected, comparison);
        a.status = Alert.RESOLVED;
        a.incidentId = open;
        a.id = AlertIds.resolved(open);
        a.message = "Resolved: " + a.message;
        incident.clear();
        ctx.emit(a);
    }
}
