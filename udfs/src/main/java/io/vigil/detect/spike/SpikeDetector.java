package io.vigil.detect.spike;

import io.vigil.alert.Templates;
import io.vigil.detect.Detector;
import io.vigil.detect.DetectorContext;
import io.vigil.detect.Incidents;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Evaluates one spike rule per key over tumbling windows. State: {count, sum, min, max} per window for the current
 * window and the {@code baseline} windows before it (never the records), the first and newest windows the key had records
 * in (empty windows count as zeros only after the first; a key quiet for a day is forgotten), and the open incident.
 *
 * <p>A window is judged by an event-time timer at its end once the watermark passes it; records for judged windows
 * are late and dropped. After each judgement the next window is judged too while any window still holds records, so
 * a key whose records stop shows a drop (direction down) and its open incident resolves.
 */
final class SpikeDetector implements Detector {
    static final MapStateDescriptor<Long, double[]> WINDOWS = new MapStateDescriptor<>(
            "spike.windows", Types.LONG, PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO);
    /** {first window start, newest window start} the key had records in. */
    private static final ValueStateDescriptor<long[]> SEEN =
            new ValueStateDescriptor<>("spike.seen", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
    /** A key without records for this long is forgotten (its empty windows stop counting as zeros). */
    static final long FORGET_MS = 86_400_000L;

    private static final ValueStateDescriptor<String> INCIDENT =
            new ValueStateDescriptor<>("spike.incident", Types.STRING);

    private final String field;
    private final String aggregate;
    private final long window;
    private final int baseline;
    private final boolean up;
    private final boolean down;
    private final double ratio;
    private final double absolute;
    private final long minCount;
    private final long minBaseline;

    SpikeDetector(
            String field,
            String aggregate,
            long window,
            int baseline,
            String direction,
            double ratio,
            double absolute,
            long minCount,
            long minBaseline) {
        this.field = field;
        this.aggregate = aggregate;
        this.window = window;
        this.baseline = baseline;
        this.up = !direction.equals("down");
        this.down = !direction.equals("up");
        this.ratio = ratio;
        this.absolute = absolute;
        this.minCount = minCount;
        this.minBaseline = minBaseline;
    }

    @Override
    public List<StateDescriptor<?, ?>> state() {
        return List.of(WINDOWS, SEEN, INCIDENT, Incidents.TIMING);
    }

    private boolean countLike() {
        return aggregate.equals("count") || aggregate.equals("rate") || aggregate.equals("sum");
    }

    @Override
    public void onRecord(Telemetry t, DetectorContext ctx) throws Exception {
        double v = field == null ? 1 : t.number(field);
        if (Double.isNaN(v)) {
            return;
        }
        long start = Math.floorDiv(t.timestamp, window) * window;
        if (start + window - 1 <= ctx.currentWatermark()) {
            ctx.late();
            return;
        }
        MapState<Long, double[]> windows = ctx.mapState(WINDOWS);
        double[] w = windows.get(start);
        if (w == null) {
            w = new double[] {0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
            ctx.registerTimer(start + window - 1);
        }
        w[0]++;
        w[1] += v;
        w[2] = Math.min(w[2], v);
        w[3] = Math.max(w[3], v);
        windows.put(start, w);
        ValueState<long[]> seen = ctx.state(SEEN);
        long[] s = seen.value();
        if (s == null) {
            seen.update(new long[] {start, start});
        } else if (start < s[0] || start > s[1]) {
            seen.update(new long[] {Math.min(s[0], start), Math.max(s[1], start)});
        }
    }

    @Override
    public void onTimer(long timestamp, DetectorContext ctx) throws Exception {
        long end = timestamp + 1;
        long current = end - window;
        MapState<Long, double[]> windows = ctx.mapState(WINDOWS);
        long[] seen = ctx.state(SEEN).value();
        Long firstSeen = seen == null ? null : seen[0];
        double[] cur = windows.get(current);
        long curCount = cur == null ? 0 : (long) cur[0];
        double observed = value(cur);
        double refSum = 0;
        int refWindows = 0;
        long refCount = 0;
        for (int i = 1; i <= baseline; i++) {
            long s = current - i * window;
            double[] w = windows.get(s);
            if (w == null && (firstSeen == null || s < firstSeen || !countLike())) {
                continue; // before the key existed, or an empty window has no avg/min/max
            }
            refSum += value(w);
            refWindows++;
            refCount += w == null ? 0 : (long) w[0];
        }
        List<Long> expired = new ArrayList<>();
        boolean anyData = false;
        for (Map.Entry<Long, double[]> e : windows.entries()) {
            if (e.getKey() < current - (baseline - 1) * window) {
                expired.add(e.getKey()); // not a baseline for the next window
            } else {
                anyData = true;
            }
        }
        for (Long s : expired) {
            windows.remove(s);
        }
        ValueState<String> incident = ctx.state(INCIDENT);
        if (refWindows > 0 && refCount >= minBaseline && !Double.isNaN(observed)) {
            double reference = refSum / refWindows;
            boolean spikeUp = up
                    && curCount >= minCount
                    && observed > reference
                    && (Double.isNaN(ratio) || observed >= reference * ratio)
                    && (Double.isNaN(absolute) || observed - reference >= absolute);
            boolean spikeDown = down
                    && observed < reference
                    && (Double.isNaN(ratio) || observed <= reference / ratio)
                    && (Double.isNaN(absolute) || reference - observed >= absolute);
            Incidents.Step step = Incidents.judge(ctx, incident, spikeUp || spikeDown, end);
            if (step == Incidents.Step.FIRE) {
                double bound = spikeUp
                        ? (Double.isNaN(ratio) ? reference + absolute : reference * ratio)
                        : (Double.isNaN(ratio) ? reference - absolute : reference / ratio);
                Alert a = ctx.newAlert(current, end, observed, bound, spikeUp ? ">=" : "<=");
                a.annotations.put("baseline", io.vigil.alert.Templates.number(reference));
                a.annotations.put("baseline_windows", Integer.toString(refWindows));
                if (!ctx.rule().spec.annotations.containsKey("summary")) {
                    a.message = Templates.titled(a, ctx.rule().spec.name, ctx.keyFields())
                            + ": " + aggregate + " " + io.vigil.alert.Templates.number(observed) + " in "
                            + Durations.format(window) + " against a baseline of "
                            + io.vigil.alert.Templates.number(reference) + " (" + (spikeUp ? "up" : "down") + ")";
                }
                Incidents.fire(ctx, incident, a);
            } else if (step == Incidents.Step.RESOLVE) {
                Incidents.resolve(ctx, incident, current, end, observed, reference, "~");
            }
        } else if (Incidents.judge(ctx, incident, false, end) == Incidents.Step.RESOLVE) {
            Incidents.resolve(ctx, incident, current, end, observed, Double.NaN, "~"); // no baseline: cannot hold
        }
        if (anyData || Incidents.awaitingJudgment(ctx, incident)) {
            ctx.registerTimer(timestamp + window); // judge the next window too, records or not
        } else if (seen != null && end - window >= seen[1] + FORGET_MS) {
            ctx.state(SEEN).clear();
            ctx.state(INCIDENT).clear();
            ctx.state(Incidents.TIMING).clear();
        } else if (seen != null) {
            // Quiet: one timer, at a window boundary, to forget the key if it stays quiet.
            ctx.registerTimer(seen[1] + Math.floorDiv(FORGET_MS + window - 1, window) * window + window - 1);
        }
    }

    /** The window's aggregate; count-like aggregates of an empty window are 0, the others NaN. */
    private double value(double[] w) {
        if (w == null) {
            return countLike() ? 0 : Double.NaN;
        }
        switch (aggregate) {
            case "count":
                return w[0];
            case "rate":
                return w[0] * 1000.0 / window;
            case "sum":
                return w[1];
            case "avg":
                return w[1] / w[0];
            case "min":
                return w[2];
            default:
                return w[3];
        }
    }
}
