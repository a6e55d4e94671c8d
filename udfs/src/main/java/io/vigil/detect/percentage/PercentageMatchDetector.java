package io.vigil.detect.percentage;

import io.vigil.alert.Templates;
import io.vigil.detect.Comparison;
import io.vigil.detect.Detector;
import io.vigil.detect.DetectorContext;
import io.vigil.detect.Incidents;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import io.vigil.rules.RecordFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Evaluates one percentage_match rule per key. State: {base, matching} counts per slide-long pane still needed by a
 * window that has not been judged (window/slide + 1 entries at most), a few matching records as evidence for the
 * current burst, and the open incident. A window {@code [end - window, end)} is judged by an event-time timer at
 * {@code end - 1} once the watermark passes; records for judged windows are late and dropped.
 *
 * <p>While an incident is open the next window is judged even without records, so it resolves when the share falls
 * back or the records stop (a window with fewer than {@code min_count} base records no longer shows the condition).
 */
final class PercentageMatchDetector implements Detector {
    static final MapStateDescriptor<Long, long[]> PANES = new MapStateDescriptor<>(
            "percentage.panes", Types.LONG, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
    private static final ValueStateDescriptor<String> INCIDENT =
            new ValueStateDescriptor<>("percentage.incident", Types.STRING);
    private static final ListStateDescriptor<String> SAMPLES =
            new ListStateDescriptor<>("percentage.samples", Types.STRING);
    private static final ValueStateDescriptor<Integer> SAMPLE_COUNT =
            new ValueStateDescriptor<>("percentage.sampleCount", Types.INT);

    private final RecordFilter matching;
    private final long window;
    private final long slide;
    private final Comparison op;
    private final double bound;
    private final long minCount;
    private final int evidence;

    PercentageMatchDetector(
            RecordFilter matching, long window, long slide, Comparison op, double bound, long minCount, int evidence) {
        this.matching = matching;
        this.window = window;
        this.slide = slide;
        this.op = op;
        this.bound = bound;
        this.minCount = minCount;
        this.evidence = evidence;
    }

    @Override
    public List<StateDescriptor<?, ?>> state() {
        return List.of(PANES, INCIDENT, SAMPLES, SAMPLE_COUNT, Incidents.TIMING);
    }

    @Override
    public void onRecord(Telemetry t, DetectorContext ctx) throws Exception {
        long pane = Math.floorDiv(t.timestamp, slide) * slide;
        long lastEnd = pane + window;
        if (lastEnd - 1 <= ctx.currentWatermark()) {
            ctx.late();
            return;
        }
        boolean matched = matching != null && matching.test(t);
        MapState<Long, long[]> panes = ctx.mapState(PANES);
        long[] p = panes.get(pane);
        if (p == null) {
            p = new long[2];
            ctx.registerPaneTimers(pane, slide, window, panes.contains(pane - slide));
        }
        p[0]++;
        if (matched) {
            p[1]++;
            ValueState<Integer> sampled = ctx.state(SAMPLE_COUNT);
            int s = sampled.value() == null ? 0 : sampled.value();
            if (s < evidence) {
                ctx.listState(SAMPLES).add(TelemetryJson.write(t));
                sampled.update(s + 1);
            }
        }
        panes.put(pane, p);
    }

    @Override
    public void onTimer(long timestamp, DetectorContext ctx) throws Exception {
        long end = timestamp + 1;
        long start = end - window;
        MapState<Long, long[]> panes = ctx.mapState(PANES);
        long base = 0;
        long hits = 0;
        List<Long> expired = new ArrayList<>();
        for (Map.Entry<Long, long[]> e : panes.entries()) {
            long ps = e.getKey();
            if (ps >= start && ps < end) {
                base += e.getValue()[0];
                hits += e.getValue()[1];
            }
            if (ps < end + slide - window) {
                expired.add(ps);
            }
        }
        for (Long ps : expired) {
            panes.remove(ps);
        }
        ValueState<String> incident = ctx.state(INCIDENT);
        double percent = base == 0 ? Double.NaN : 100.0 * hits / base;
        boolean breach = base >= minCount && op.holds(percent, bound);
        Incidents.Step step = Incidents.judge(ctx, incident, breach, end);
        if (step == Incidents.Step.FIRE) {
            Alert a = ctx.newAlert(start, end, percent, bound, op.symbol);
            a.annotations.put("matching", Long.toString(hits));
            a.annotations.put("base", Long.toString(base));
            for (String s : ctx.listState(SAMPLES).get()) {
                a.evidence.add(s);
            }
            if (!ctx.rule().spec.annotations.containsKey("summary")) {
                a.message = Templates.titled(a, ctx.rule().spec.name, ctx.keyFields())
                        + ": " + io.vigil.alert.Templates.number(percent) + "% matching (" + hits + " of " + base
                        + ") " + op.symbol + " " + io.vigil.alert.Templates.number(bound) + "%";
            }
            Incidents.fire(ctx, incident, a);
        } else if (step == Incidents.Step.RESOLVE) {
            Incidents.resolve(ctx, incident, start, end, percent, bound, op.symbol);
        }
        if (Incidents.open(incident) || Incidents.awaitingJudgment(ctx, incident)) {
            ctx.registerTimer(timestamp + slide); // resolve (or fire after `for`) even if the records stop
        } else if (!breach) {
            // The burst (if any) is over: the next one collects fresh evidence.
            ctx.listState(SAMPLES).clear();
            ctx.state(SAMPLE_COUNT).clear();
        }
    }
}
