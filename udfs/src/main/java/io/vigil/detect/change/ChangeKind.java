package io.vigil.detect.change;

import io.vigil.detect.Detector;
import io.vigil.rules.Params;
import io.vigil.rules.RuleKind;
import io.vigil.rules.RuleSpec;
import java.time.Duration;
import java.util.Set;

/**
 * {@code change}: a field's value changes for a key (ElastAlert's change: a new service.version per service and host,
 * a user's country), or, with {@code min_delta}, a numeric field moves by at least that much (a level change of a
 * setting-like gauge). Every change is one alert; there is nothing to resolve.
 *
 * <pre>
 * kind: change
 * match: {signal: span, kind: server}
 * key_by: [service.name, host.name]
 * params:
 *   field: service.version
 *   ignore_null: true      # records without the field neither change nor reset it (default)
 *   timeframe: 1d          # optional: only when the previous value was seen within this time
 *   min_delta: 10          # optional, numeric fields
 * </pre>
 */
public final class ChangeKind implements RuleKind {
    static final Set<String> PARAMS = Set.of("field", "ignore_null", "timeframe", "min_delta", "expire");

    @Override
    public String name() {
        return "change";
    }

    @Override
    public boolean resolves() {
        return false; // each alert marks one moment
    }

    @Override
    public Detector compile(RuleSpec spec, Params p) {
        p.rejectUnknown(PARAMS);
        String field = p.requireString("field");
        String ignore = p.oneOf("ignore_null", "true", "true", "false");
        Duration timeframe = p.duration("timeframe", null);
        double minDelta = p.number("min_delta", Double.NaN);
        if (p.has("min_delta") && !(minDelta > 0)) {
            p.problem("params.min_delta", "min_delta must be above 0, not " + p.string("min_delta", ""), null);
        }
        Duration expire = p.duration("expire", Duration.ofDays(7));
        if (timeframe != null && timeframe.compareTo(expire) > 0) {
            expire = timeframe;
        }
        return new ChangeDetector(
                field,
                "true".equals(ignore),
                timeframe == null ? 0 : timeframe.toMillis(),
                minDelta,
                expire.toMillis());
    }
}
