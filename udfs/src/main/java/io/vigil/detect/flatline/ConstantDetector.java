package io.vigil.detect.flatline;

import io.vigil.alert.Templates;
import io.vigil.detect.Detector;
import io.vigil.detect.DetectorContext;
import io.vigil.detect.Incidents;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.Durations;
import java.util.List;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Flatline by a value that stops changing. State per key: the value the series settled on, since when, and the newest
 * record's time (three numbers), plus the open incident. Records are judged in arrival order; a record older than the
 * newest one seen is ignored (it cannot tell whether the series changed since). The incident resolves with the first
 * value outside the tolerance, or with {@code keep_firing_for} the first record that long after it; {@code for} and
 * {@code keep_firing_for} count between record times. A key without records for {@code expire} is forgotten.
 */
final class ConstantDetector implements Detector {
    /** {value, since, newest timestamp, pending expiry timer or 0}. */
    private static final ValueStateDescriptor<double[]> LEVEL =
            new ValueStateDescriptor<>("flatline.level", PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO);

    private static final ValueStateDescriptor<String> INCIDENT =
            new ValueStateDescriptor<>("flatline.constant", Types.STRING);

    private final String field;
    private final double tolerance;
    private final long window;
    private final long expire;

    ConstantDetector(String field, double tolerance, long window, long expire) {
        this.field = field;
        this.tolerance = tolerance;
        this.window = window;
        this.expire = expire;
    }

    @Override
    public List<StateDescriptor<?, ?>> state() {
        return List.of(LEVEL, INCIDENT, Incidents.TIMING);
    }

    @Override
    public void onRecord(Telemetry t, DetectorContext ctx) throws Exception {
        double v = t.number(field);
        if (Double.isNaN(v)) {
            return;
        }
        ValueState<double[]> level = ctx.state(LEVEL);
        ValueState<String> incident = ctx.state(INCIDENT);
        double[] l = level.value();
        if (l != null && t.timestamp <= (long) l[2]) {
            return;
        }
        if (l == null || Math.abs(v - l[0]) > tolerance) {
            if (l != null && Incidents.judge(ctx, incident, false, t.timestamp) == Incidents.Step.RESOLVE) {
                Incidents.resolve(ctx, incident, (long) l[1], t.timestamp, v, l[0], "==");
            }
            l = new double[] {v, t.timestamp, t.timestamp, l == null ? 0 : l[3]};
        } else {
            l[2] = t.timestamp;
            long since = (long) l[1];
            boolean constant = t.timestamp - since >= window;
            if (Incidents.judge(ctx, incident, constant, t.timestamp) == Incidents.Step.FIRE) {
                Alert a = ctx.newAlert(since, t.timestamp, v, l[0], "==");
                if (!ctx.rule().spec.annotations.containsKey("summary")) {
                    a.message = Templates.titled(a, ctx.rule().spec.name, ctx.keyFields()) + ": " + field
                            + " stayed at " + io.vigil.alert.Templates.number(l[0]) + " for "
                            + Durations.format(t.timestamp - since);
                }
                Incidents.fire(ctx, incident, a);
            }
        }
        if (l[3] == 0) {
            // One expiry timer at a time, moved on lazily when it fires (a timer per record would pile up).
            l[3] = t.timestamp + expire;
            ctx.registerTimer(t.timestamp + expire);
        }
        level.update(l);
    }

    @Override
    public void onTimer(long timestamp, DetectorContext ctx) throws Exception {
        double[] l = ctx.state(LEVEL).value();
        if (l == null) {
            return;
        }
        if (timestamp >= (long) l[2] + expire) {
            ctx.state(LEVEL).clear();
            ctx.state(INCIDENT).clear();
            ctx.state(Incidents.TIMING).clear();
        } else {
            l[3] = l[2] + expire;
            ctx.registerTimer((long) l[3]);
            ctx.state(LEVEL).update(l);
        }
    }
}
