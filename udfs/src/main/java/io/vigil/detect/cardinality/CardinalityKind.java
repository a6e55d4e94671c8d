package io.vigil.detect.cardinality;

import io.vigil.detect.Detector;
import io.vigil.detect.Evidence;
import io.vigil.rules.Params;
import io.vigil.rules.RuleKind;
import io.vigil.rules.RuleSpec;
import java.time.Duration;
import java.util.Set;

/**
 * {@code cardinality}: more than {@code max} distinct values of {@code field} per key within any {@code window}.
 * Catches port scans (distinct destination.port per source.ip) and password spraying (distinct user.name with failed
 * logins per source.ip).
 *
 * <pre>
 * kind: cardinality
 * key_by: [source.ip]
 * params:
 *   field: destination.port
 *   max: 100            # fires when the distinct count exceeds this
 *   window: 5m
 *   resolution: 1s      # how often the window is judged, as in frequency
 *   evidence: 5
 * </pre>
 *
 * <p>State per key is a capped set of at most {@code max + 1} values with the time each was last seen (see
 * {@link CardinalityDetector} for why that cap is exact for the question asked), so a scan of 60 000 ports costs no
 * more than {@code max + 1} entries.
 */
public final class CardinalityKind implements RuleKind {
    static final Set<String> PARAMS = Set.of("field", "max", "window", "resolution", "evidence");
    /** Keeps a rule from holding huge sets per key by accident; a bound this high is a frequency rule in disguise. */
    static final long MAX_BOUND = 100_000;

    @Override
    public String name() {
        return "cardinality";
    }

    @Override
    public boolean judgesConditions() {
        return true;
    }

    @Override
    public Detector compile(RuleSpec spec, Params p) {
        p.rejectUnknown(PARAMS);
        String field = p.requireString("field");
        if (field != null && spec.keyBy.contains(field)) {
            p.problem(
                    "params.field",
                    "field '" + field + "' is also a key_by field, so it has one value per key",
                    "count the distinct values of another field");
        }
        if (!p.has("max")) {
            p.problem(
                    "params",
                    "missing parameter 'max'",
                    "the number of distinct values that is still normal, e.g. max: 100");
        }
        long max = p.integer("max", 1, 1);
        if (max > MAX_BOUND) {
            p.problem(
                    "params.max",
                    "max must be at most " + MAX_BOUND + ", not " + max,
                    "state keeps max + 1 values per key");
            max = MAX_BOUND;
        }
        Duration window = p.requireDuration("window");
        Duration resolution = p.duration("resolution", Duration.ofSeconds(1));
        if (resolution.compareTo(window) > 0) {
            p.problem("params.resolution", "resolution must not be longer than the window", null);
            resolution = window;
        }
        int evidence = (int) p.integer("evidence", Evidence.DEFAULT_SIZE, 0);
        return new CardinalityDetector(field, (int) max, window.toMillis(), resolution.toMillis(), evidence);
    }
}
