package io.vigil.detect.percentage;

import io.vigil.detect.Comparison;
import io.vigil.detect.Detector;
import io.vigil.detect.Evidence;
import io.vigil.detect.SubMatch;
import io.vigil.rules.Durations;
import io.vigil.rules.Params;
import io.vigil.rules.RecordFilter;
import io.vigil.rules.RuleKind;
import io.vigil.rules.RuleSpec;
import java.time.Duration;
import java.util.Set;

/**
 * {@code percentage_match}: the share of the records the rule matches (the base population) that also match
 * {@code matching}, per key over a tumbling or sliding window, compared with a bound in percent.
 *
 * <pre>
 * kind: percentage_match
 * match: {signal: span, kind: server}
 * key_by: [service.name]
 * params:
 *   matching: {status: error}
 *   window: 5m
 *   slide: 1m          # optional
 *   op: "&gt;"         # default; &lt; for "too few succeed"
 *   bound: 5           # percent
 *   min_count: 50      # windows with fewer base records are not judged
 * </pre>
 */
public final class PercentageMatchKind implements RuleKind {
    static final Set<String> PARAMS = Set.of("matching", "window", "slide", "op", "bound", "min_count", "evidence");

    @Override
    public String name() {
        return "percentage_match";
    }

    @Override
    public boolean judgesConditions() {
        return true;
    }

    @Override
    public Detector compile(RuleSpec spec, Params p) {
        p.rejectUnknown(PARAMS);
        RecordFilter matching = SubMatch.compile(p, "matching");
        if (!p.has("matching")) {
            p.problem(
                    "params",
                    "missing parameter 'matching'",
                    "the records to count among those the rule " + "matches, e.g. matching: {status: error}");
        }
        Duration window = p.requireDuration("window");
        Duration slide = p.duration("slide", window);
        if (slide.compareTo(window) > 0 || window.toMillis() % slide.toMillis() != 0) {
            p.problem(
                    "params.slide",
                    "slide " + Durations.format(slide.toMillis()) + " must divide the window "
                            + Durations.format(window.toMillis()),
                    "e.g. window: 5m with slide: 1m");
            slide = window;
        }
        String opText = p.string("op", ">");
        Comparison op = Comparison.of(opText);
        if (op == null) {
            p.problem("params.op", "unknown comparison '" + opText + "'", "one of " + Comparison.SYMBOLS);
            op = Comparison.GT;
        }
        double bound = p.requireNumber("bound");
        if (!Double.isNaN(bound) && (bound < 0 || bound > 100)) {
            p.problem(
                    "params.bound",
                    "bound is a percentage between 0 and 100, not " + p.string("bound", ""),
                    "e.g. bound: 5 for 5%");
        }
        long minCount = p.integer("min_count", 1, 1);
        int evidence = (int) p.integer("evidence", Evidence.DEFAULT_SIZE, 0);
        return new PercentageMatchDetector(
                matching, window.toMillis(), slide.toMillis(), op, bound, minCount, evidence);
    }
}
