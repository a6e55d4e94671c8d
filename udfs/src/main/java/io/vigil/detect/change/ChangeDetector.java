package io.vigil.detect.change;

import io.vigil.alert.Templates;
import io.vigil.detect.Detector;
import io.vigil.detect.DetectorContext;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.util.List;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Per key: the field's last value (text; null stands for "absent" when nulls count) and {time it was seen, pending
 * expiry timer}. Records are compared in arrival order; one older than the last value's time is ignored, because a
 * reordered old value is not a change (the generator and collectors batch, so a few seconds of disorder are normal).
 * A key without records for {@code expire} is forgotten, so the state does not grow with every key ever seen.
 */
final class ChangeDetector implements Detector {
    private static final String ABSENT = "\u0000absent";
    private static final ValueStateDescriptor<String> VALUE = new ValueStateDescriptor<>("change.value", Types.STRING);
    /** {time of the last value, pending expiry timer or 0}. */
    private static final ValueStateDescriptor<long[]> TIMES =
            new ValueStateDescriptor<>("change.times", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);

    private final String field;
    private final boolean ignoreNull;
    private final long timeframe;
    private final double minDelta;
    private final long expire;

    ChangeDetector(String field, boolean ignoreNull, long timeframe, double minDelta, long expire) {
        this.field = field;
        this.ignoreNull = ignoreNull;
        this.timeframe = timeframe;
        this.minDelta = minDelta;
        this.expire = expire;
    }

    @Override
    public List<StateDescriptor<?, ?>> state() {
        return List.of(VALUE, TIMES);
    }

    @Override
    public void onRecord(Telemetry t, DetectorContext ctx) throws Exception {
        String v = t.get(field);
        if (v == null) {
            if (ignoreNull) {
                return;
            }
            v = ABSENT;
        }
        ValueState<String> value = ctx.state(VALUE);
        ValueState<long[]> times = ctx.state(TIMES);
        String previous = value.value();
        long[] tm = times.value();
        if (tm != null && t.timestamp < tm[0]) {
            return;
        }
        if (previous != null && changed(previous, v) && (timeframe == 0 || t.timestamp - tm[0] <= timeframe)) {
            double before = number(previous);
            double after = number(v);
            Alert a = ctx.newAlert(tm[0], t.timestamp, after, before, "!=");
            a.annotations.put("previous", shown(previous));
            a.annotations.put("current", shown(v));
            a.evidence.add(TelemetryJson.write(t));
            if (!ctx.rule().spec.annotations.containsKey("summary")) {
                a.message = Templates.titled(a, ctx.rule().spec.name, ctx.keyFields()) + ": " + field + " changed from "
                        + shown(previous) + " to " + shown(v);
            }
            ctx.emit(a);
        }
        // With min_delta the reference stays the last value that counted as a level, so slow drifts add up.
        if (previous == null || changed(previous, v)) {
            value.update(v);
        }
        if (tm == null) {
            tm = new long[] {t.timestamp, 0};
        }
        tm[0] = t.timestamp;
        if (tm[1] == 0) {
            tm[1] = t.timestamp + expire;
            ctx.registerTimer(tm[1]);
        }
        times.update(tm);
    }

    private boolean changed(String previous, String v) {
        if (Double.isNaN(minDelta)) {
            return !previous.equals(v);
        }
        double a = number(previous);
        double b = number(v);
        return !Double.isNaN(a) && !Double.isNaN(b) && Math.abs(b - a) >= minDelta;
    }

    private static double number(String s) {
        if (s == null || s.equals(ABSENT)) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String shown(String v) {
        return ABSENT.equals(v) ? "(absent)" : v;
    }

    @Override
    public void onTimer(long timestamp, DetectorContext ctx) throws Exception {
        long[] tm = ctx.state(TIMES).value();
        if (tm == null) {
            return;
        }
        if (timestamp >= tm[0] + expire) {
            ctx.state(VALUE).clear();
            ctx.state(TIMES).clear();
        } else {
            tm[1] = tm[0] + expire;
            ctx.registerTimer(tm[1]);
            ctx.state(TIMES).update(tm);
        }
    }
}
