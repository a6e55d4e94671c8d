package io.vigil.detect.flatline;

import io.vigil.detect.Detector;
import io.vigil.model.Signal;
import io.vigil.rules.Durations;
import io.vigil.rules.Match;
import io.vigil.rules.Params;
import io.vigil.rules.RuleKind;
import io.vigil.rules.RuleSpec;
import java.time.Duration;
import java.util.Set;

/**
 * {@code flatline}: a key that falls silent (fewer than {@code min_count} records within {@code window}, judged by
 * event-time timers so the silence itself fires the alert) or, with {@code mode: constant}, a series whose value stays
 * the same (within {@code tolerance}) for {@code window}.
 *
 * <pre>
 * kind: flatline
 * match: {signal: metric, name: http.server.request.rate}
 * key_by: [service.name]
 * params:
 *   window: 5m
 *   min_count: 1          # silence: alert below this many records in the window
 *   mode: silence         # or constant (with field, default value, and tolerance, default 0)
 * </pre>
 *
 * A key is only known once it has sent records: a service that never reported cannot fall silent. Silence is judged
 * in event time, so it needs other records (other keys, other partitions) to move the watermark on.
 */
public final class FlatlineKind implements RuleKind {
    static final Set<String> PARAMS =
            Set.of("mode", "window", "min_count", "resolution", "field", "tolerance", "expire");

    @Override
    public String name() {
        return "flatline";
    }

    @Override
    public boolean judgesConditions() {
        return true;
    }

    @Override
    public Detector compile(RuleSpec spec, Params p) {
        p.rejectUnknown(PARAMS);
        String mode = p.oneOf("mode", "silence", "silence", "constant");
        Duration window = p.requireDuration("window");
        Duration expire = p.duration("expire", Duration.ofDays(7));
        if (expire.compareTo(window) < 0) {
            p.problem(
                    "params.expire",
                    "expire " + Durations.format(expire.toMillis()) + " must not be shorter than " + "the window",
                    "expire is how long a silent key is remembered, e.g. 7d");
        }
        if (mode.equals("constant")) {
            for (String silenceOnly : new String[] {"min_count", "resolution"}) {
                if (p.has(silenceOnly)) {
                    p.problem("params." + silenceOnly, silenceOnly + " applies to mode silence only", null);
                }
            }
            String field = p.string("field", Match.signal(spec) == Signal.METRIC ? "value" : null);
            if (field == null) {
                p.problem("params", "mode constant needs a numeric field", "add params.field, e.g. field: value");
            }
            double tolerance = p.number("tolerance", 0);
            if (tolerance < 0) {
                p.problem("params.tolerance", "tolerance must not be negative", null);
            }
            return new ConstantDetector(field, tolerance, window.toMillis(), expire.toMillis());
        }
        for (String constantOnly : new String[] {"field", "tolerance"}) {
            if (p.has(constantOnly)) {
                p.problem(
                        "params." + constantOnly,
                        constantOnly + " applies to mode constant only",
                        "add mode: constant to alert on a value that stops changing");
            }
        }
        long minCount = p.integer("min_count", 1, 1);
        long dflt = Math.max(1000, window.toMillis() / 10 / 1000 * 1000);
        Duration resolution = p.duration("resolution", Duration.ofMillis(dflt));
        if (resolution.compareTo(window) > 0 || window.toMillis() % resolution.toMillis() != 0) {
            p.problem(
                    "params.resolution",
                    "resolution " + Durations.format(resolution.toMillis()) + " must divide the window "
                            + Durations.format(window.toMillis()),
                    null);
            resolution = window;
        }
        return new SilenceDetector(minCount, window.toMillis(), resolution.toMillis(), expire.toMillis());
    }
}
