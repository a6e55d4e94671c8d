package io.vigil.detect.spike;

import io.vigil.detect.Detector;
import io.vigil.model.Signal;
import io.vigil.rules.Params;
import io.vigil.rules.RuleKind;
import io.vigil.rules.RuleSpec;
import java.time.Duration;
import java.util.Set;

/**
 * {@code spike}: the current window's aggregate against a rolling baseline, the average of the previous
 * {@code baseline} windows (ElastAlert's spike compares with the one previous window, the default). A spike is a
 * ratio ({@code ratio: 3}: three times the baseline, or a third of it going down), an absolute difference
 * ({@code absolute: 100}), or both when both are given.
 *
 * <pre>
 * kind: spike
 * match: {signal: log, severity: ERROR}
 * key_by: [service.name]
 * params:
 *   window: 5m
 *   baseline: 6          # previous windows averaged; default 1
 *   aggregate: count     # count (default without field), rate, sum, avg (default with field), min, max
 *   direction: up        # up, down or both
 *   ratio: 3
 *   min_count: 10        # records the current window needs (up)
 *   min_baseline: 10     # records the baseline windows need together
 * </pre>
 */
public final class SpikeKind implements RuleKind {
    static final Set<String> PARAMS = Set.of(
            "field", "aggregate", "window", "baseline", "direction", "ratio", "absolute", "min_count", "min_baseline");

    @Override
    public String name() {
        return "spike";
    }

    @Override
    public boolean judgesConditions() {
        return true;
    }

    @Override
    public Detector compile(RuleSpec spec, Params p) {
        p.rejectUnknown(PARAMS);
        String field = p.string("field", null);
        String aggregate =
                p.oneOf("aggregate", field == null ? "count" : "avg", "count", "rate", "sum", "avg", "min", "max");
        boolean needsField = !aggregate.equals("count") && !aggregate.equals("rate");
        if (needsField && field == null) {
            field = io.vigil.rules.Match.signal(spec) == Signal.METRIC
                    ? "value"
                    : io.vigil.rules.Match.signal(spec) == Signal.SPAN ? "duration_ms" : null;
            if (field == null) {
                p.problem(
                        "params",
                        "aggregate " + aggregate + " needs a field",
                        "add params.field, or use aggregate: count");
            }
        }
        Duration window = p.requireDuration("window");
        long baseline = p.integer("baseline", 1, 1);
        if (baseline > 1000) {
            p.problem(
                    "params.baseline",
                    "baseline must be at most 1000 windows, not " + baseline,
                    "use a longer window instead");
            baseline = 1000;
        }
        String direction = p.oneOf("direction", "up", "up", "down", "both");
        double ratio = p.number("ratio", Double.NaN);
        double absolute = p.number("absolute", Double.NaN);
        if (!p.has("ratio") && !p.has("absolute")) {
            p.problem(
                    "params",
                    "a spike needs ratio (e.g. ratio: 3 for three times the baseline) or absolute "
                            + "(a difference from the baseline), or both",
                    null);
        }
        if (p.has("ratio") && !(ratio > 1)) {
            p.problem(
                    "params.ratio",
                    "ratio must be above 1, not " + p.string("ratio", ""),
                    "ratio: 3 means three times the baseline going up, a third of it going down");
        }
        if (p.has("absolute") && !(absolute > 0)) {
            p.problem("params.absolute", "absolute must be above 0, not " + p.string("absolute", ""), null);
        }
        long minCount = p.integer("min_count", 1, 0);
        long minBaseline = p.integer("min_baseline", 1, 0);
        return new SpikeDetector(
                field, aggregate, window.toMillis(), (int) baseline, direction, ratio, absolute, minCount, minBaseline);
    }
}
