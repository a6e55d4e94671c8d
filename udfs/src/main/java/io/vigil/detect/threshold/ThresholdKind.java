package io.vigil.detect.threshold;

import io.vigil.detect.Comparison;
import io.vigil.detect.Detector;
import io.vigil.model.Signal;
import io.vigil.rules.Match;
import io.vigil.rules.Params;
import io.vigil.rules.RuleKind;
import io.vigil.rules.RuleSpec;
import java.time.Duration;
import java.util.Set;

/**
 * {@code threshold}: an aggregate of the matching records per key over a tumbling or sliding window, compared with a
 * bound.
 *
 * <pre>
 * kind: threshold
 * params:
 *   field: duration_ms     # what to aggregate; defaults to value (metrics) or duration_ms (spans)
 *   aggregate: p95         # avg, min, max, sum, count, rate (per second), pNN
 *   window: 5m
 *   slide: 1m              # optional; a sliding window, must divide the window
 *   op: "&gt;"             # &gt; &gt;= &lt; &lt;= == !=
 *   bound: 800
 *   min_count: 20          # windows with fewer records are not judged
 * </pre>
 */
public final class ThresholdKind implements RuleKind {
    static final Set<String> PARAMS =
            Set.of("field", "aggregate", "window", "slide", "op", "bound", "min_count", "evidence");

    @Override
    public String name() {
        return "threshold";
    }

    @Override
    public boolean judgesConditions() {
        return true;
    }

    @Override
    public Detector compile(RuleSpec spec, Params p) {
        p.rejectUnknown(PARAMS);
        String aggName = p.string("aggregate", "avg");
        Aggregate agg = Aggregate.parse(aggName);
        if (agg == null) {
            p.problem(
                    "params.aggregate",
                    "unknown aggregate '" + aggName + "'",
                    "one of avg, min, max, sum, count, rate or a percentile such as p95");
            agg = Aggregate.parse("avg");
        }
        Signal signal = Match.signal(spec);
        String dflt = signal == Signal.METRIC ? "value" : signal == Signal.SPAN ? "duration_ms" : null;
        String field = p.string("field", dflt);
        if (field == null && agg.needsField()) {
            p.problem(
                    "params",
                    "aggregate " + agg.name + " needs a field to aggregate",
                    "add params.field, or match: {signal: metric} to aggregate the metric value");
        }
        Duration window = p.requireDuration("window");
        Duration slide = p.duration("slide", window);
        if (slide.compareTo(window) > 0 || window.toMillis() % slide.toMillis() != 0) {
            p.problem(
                    "params.slide",
                    "slide " + slide.toSeconds() + "s must divide the window " + window.toSeconds() + "s",
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
        long minCount = p.integer("min_count", 1, 1);
        int evidence = (int) p.integer("evidence", io.vigil.detect.Evidence.DEFAULT_SIZE, 0);
        return new ThresholdDetector(field, agg, window.toMillis(), slide.toMillis(), op, bound, minCount, evidence);
    }
}
