package io.vigil.detect.threshold;

import io.vigil.detect.Comparison;
import io.vigil.detect.Detector;
import io.vigil.detect.DetectorContext;
import io.vigil.detect.Evidence;
import io.vigil.detect.Incidents;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Evaluates one threshold rule per key. State: one {@link Pane} per slide-long slice still needed by a window that has
 * not fired, and the id of the open incident. A window {@code [end - window, end)} is judged by an event-time timer at
 * {@code end - 1}, once the watermark says all its records are in; records for windows that already fired are counted
 * as late and otherwise ignored. Windows with fewer than {@code min_count} records are not judged. Each judged window
 * goes through the rule's incident lifecycle ({@link Incidents}): by default a breach opens one incident (one firing
 * alert) and the first judged window without a breach resolves it; with {@code for} or {@code keep_firing_for} every
 * window is judged while the rule is pending or firing, records or not (too few records do not hold).
 */
final class ThresholdDetector implements Detector {
    private static final MapStateDescriptor<Long, Pane> PANES =
            new MapStateDescriptor<>("threshold.panes", Types.LONG, TypeInformation.of(Pane.class));
    private static final ValueStateDescriptor<String> INCIDENT =
            new ValueStateDescriptor<>("threshold.incident", Types.STRING);

    private final String field;
    private final Aggregate aggregate;
    private final long window;
    private final long slide;
    private final Comparison op;
    private final double bound;
    private final long minCount;
    private final int evidence;

    ThresholdDetector(
            String field,
            Aggregate aggregate,
            long window,
            long slide,
            Comparison op,
            double bound,
            long minCount,
            int evidence) {
        this.field = field;
        this.aggregate = aggregate;
        this.window = window;
        this.slide = slide;
        this.op = op;
        this.bound = bound;
        this.minCount = minCount;
        this.evidence = evidence;
    }

    @Override
    public List<StateDescriptor<?, ?>> state() {
        return List.of(PANES, INCIDENT, Incidents.TIMING);
    }

    @Override
    public void onRecord(Telemetry t, DetectorContext ctx) throws Exception {
        double v = aggregate.needsField() ? t.number(field) : 1.0;
        if (Double.isNaN(v)) {
            return; // the record lacks the field: nothing to aggregate
        }
        long pane = Math.floorDiv(t.timestamp, slide) * slide;
        long lastEnd = pane + window;
        if (lastEnd - 1 <= ctx.currentWatermark()) {
            ctx.late();
            return;
        }
        MapState<Long, Pane> panes = ctx.mapState(PANES);
        Pane p = panes.get(pane);
        if (p == null) {
            p = new Pane();
            for (long end = pane + slide; end <= lastEnd; end += slide) {
                if (end - 1 > ctx.currentWatermark()) {
                    ctx.registerTimer(end - 1);
                }
            }
        }
        p.add(v, aggregate.percentile());
        if (evidence > 0) {
            Evidence.keepExtremes(p.samples, p.sampleValues, t, v, op.upward(), evidence);
        }
        panes.put(pane, p);
    }

    @Override
    public void onTimer(long timestamp, DetectorContext ctx) throws Exception {
        long end = timestamp + 1;
        if (Math.floorMod(end, slide) != 0) {
            // Not a window end of this rule: a timer left by an earlier version of the rule with other windows. Judging
            // it would report a window that does not exist and drop panes the real windows still need.
            return;
        }
        long start = end - window;
        MapState<Long, Pane> panes = ctx.mapState(PANES);
        List<Pane> inWindow = new ArrayList<>();
        List<Long> expired = new ArrayList<>();
        long count = 0;
        for (Map.Entry<Long, Pane> e : panes.entries()) {
            long ps = e.getKey();
            if (ps >= start && ps < end) {
                inWindow.add(e.getValue());
                count += e.getValue().count;
            }
            if (ps < end + slide - window) {
                expired.add(ps); // no later window needs it
            }
        }
        for (Long ps : expired) {
            panes.remove(ps);
        }
        ValueState<String> incident = ctx.state(INCIDENT);
        // With for/keep_firing_for, a pending or firing rule judges every window, and one with too few records does not
        // show the condition holding. Without them, such a window is not judged and an open incident stays as it is.
        boolean watched = Incidents.antiFlap(ctx.rule())
                && (Incidents.open(incident) || Incidents.awaitingJudgment(ctx, incident));
        if (count < minCount && !watched) {
            return;
        }
        double observed = count < minCount ? Double.NaN : aggregate.of(inWindow, window);
        boolean breach = count >= minCount && op.holds(observed, bound);
        switch (Incidents.judge(ctx, incident, breach, end)) {
            case FIRE:
                Alert a = ctx.newAlert(start, end, observed, bound, op.symbol);
                a.evidence.addAll(samples(inWindow));
                Incidents.fire(ctx, incident, a);
                break;
            case RESOLVE:
                Incidents.resolve(ctx, incident, start, end, observed, bound, op.symbol);
                break;
            default:
                break;
        }
        if (Incidents.antiFlap(ctx.rule()) && (Incidents.open(incident) || Incidents.awaitingJudgment(ctx, incident))) {
            ctx.registerTimer(end + slide - 1); // judge the next window, records or not
        }
    }

    private List<String> samples(List<Pane> inWindow) {
        List<String> samples = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (Pane p : inWindow) {
            for (int i = 0; i < p.samples.size(); i++) {
                String json = p.samples.get(i);
                Evidence.keepExtremes(samples, values, () -> json, p.sampleValues.get(i), op.upward(), evidence);
            }
        }
        return samples;
    }
}
