package io.vigil.detect.list;

import io.vigil.alert.AlertIds;
import io.vigil.detect.Detector;
import io.vigil.detect.DetectorContext;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.state.StateDescriptor;

/**
 * Checks each record's field against the list; no state of its own, so order and lateness do not matter. Every hit
 * is an alert with its own stable id (rule, key, time, value); the rule's {@code realert} keeps a chatty source to one
 * alert per period.
 *
 * <p>One timer per key and minute, which does nothing: when it fires the shared operator sees that this detector holds
 * nothing for the key and drops the key's rule-version marker, so the keys of a list rule (every source.ip it sees)
 * do not each keep one forever.
 */
final class ListDetector implements Detector {
    private final String field;
    private final boolean deny;
    private final Set<String> exact;
    private final List<IpRange> ranges;

    ListDetector(String field, boolean deny, Set<String> exact, List<IpRange> ranges) {
        this.field = field;
        this.deny = deny;
        this.exact = Set.copyOf(exact);
        this.ranges = List.copyOf(ranges);
    }

    @Override
    public List<StateDescriptor<?, ?>> state() {
        return List.of();
    }

    /** Whether the value is on the list: an exact entry, or an address inside one of the ranges. */
    boolean listed(String value) {
        if (exact.contains(value)) {
            return true;
        }
        if (ranges.isEmpty()) {
            return false;
        }
        byte[] addr = IpRange.address(value);
        for (IpRange r : ranges) {
            if (r.contains(addr)) {
                return true;
            }
        }
        return false;
    }

    static final long RELEASE_MS = 60_000L;

    @Override
    public void onRecord(Telemetry t, DetectorContext ctx) {
        ctx.registerTimer(Math.max(
                Math.floorDiv(t.timestamp, RELEASE_MS) * RELEASE_MS + RELEASE_MS,
                Math.floorDiv(ctx.currentWatermark(), RELEASE_MS) * RELEASE_MS + RELEASE_MS));
        String v = t.get(field);
        if (v == null || listed(v) != deny) {
            return; // no value: nothing to judge, on an allow list as on a deny list
        }
        Alert a = ctx.newAlert(t.timestamp, t.timestamp + 1, 1, 0, deny ? "in" : "not_in");
        a.id = AlertIds.of(a.ruleId, a.key + '\u001f' + v, t.timestamp, t.timestamp + 1);
        a.incidentId = a.id;
        a.annotations.put("value", v);
        if (!ctx.rule().spec.annotations.containsKey("summary")) {
            a.message =
                    a.ruleName + ": " + field + " " + v + (deny ? " is on the deny list" : " is not on the allow list");
        }
        a.evidence.add(TelemetryJson.write(t));
        ctx.emit(a);
    }
}
