package io.vigil.detect.frequency;

import io.vigil.detect.Detector;
import io.vigil.detect.Evidence;
import io.vigil.rules.Params;
import io.vigil.rules.RuleKind;
import io.vigil.rules.RuleSpec;
import java.time.Duration;
import java.util.Set;

/**
 * {@code frequency}: at least {@code count} matching records per key within any {@code window} (a sliding window in
 * event time, at a resolution of {@code resolution}, 1s by default). Catches error bursts.
 *
 * <pre>
 * kind: frequency
 * params:
 *   count: 50
 *   window: 1m
 * </pre>
 */
public final class FrequencyKind implements RuleKind {
    static final Set<String> PARAMS = Set.of("count", "window", "resolution", "evidence");

    @Override
    public String name() {
        return "frequency";
    }

    @Override
    public boolean judgesConditions() {
        return true;
    }

    @Override
    public Detector compile(RuleSpec spec, Params p) {
        p.rejectUnknown(PARAMS);
        if (!p.has("count")) {
            p.problem("params", "missing parameter 'count'", "the number of records that makes a burst, e.g. 50");
        }
        long count = p.integer("count", 1, 1);
        Duration window = p.requireDuration("window");
        Duration resolution = p.duration("resolution", Duration.ofSeconds(1));
        if (resolution.compareTo(window) > 0) {
            p.problem("params.resolution", "resolution must not be longer than the window", null);
            resolution = window;
        }
        int evidence = (int) p.integer("evidence", Evidence.DEFAULT_SIZE, 0);
        return new FrequencyDetector(count, window.toMillis(), resolution.toMillis(), evidence);
    }
}
