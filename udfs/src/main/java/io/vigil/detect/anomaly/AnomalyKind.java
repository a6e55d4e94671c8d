package io.vigil.detect.anomaly;

import io.vigil.detect.Detector;
import io.vigil.rules.Params;
import io.vigil.rules.RuleKind;
import io.vigil.rules.RuleSpec;
import java.time.Duration;
import java.util.Set;

/**
 * {@code anomaly}: scores every point of a metric series against the series' own baselines ({@link AnomalyScorer}) and
 * alerts when the evidence first reaches the alerting level. A series is the metric name within the rule's key.
 *
 * <pre>
 * kind: anomaly
 * match: {signal: metric, name: queue.depth}
 * key_by: [service.name]
 * params:
 *   field: value              # what to score; default the metric value
 *   warmup: 150               # points before any score above 0 (and so before any alert)
 *   flag_z: 3.0               # |z| above this raises the outlier flag
 *   seasonal_slots: 48        # time-of-day profile (0 disables)
 *   red_surprise: 5           # alerting level, -log10 of the tail probability (score 0.5)
 *   resolve_after: 12         # consecutive points without red evidence that resolve an open incident
 *   expire_after: 7d          # forget a series that sent nothing for this long (event time)
 *   rollups: true             # emit anomaly_score / anomaly_expected / anomaly_lower / anomaly_upper
 *   rollup_every: 1m          # at most those four per series per interval; "point" for every point
 * </pre>
 * Any other {@link AnomalyConfig} option may be given by its snake_case name; unknown names are rejected with the
 * list of known ones.
 */
public final class AnomalyKind implements RuleKind {
    static final Set<String> OWN = Set.of("field", "resolve_after", "expire_after", "rollups", "rollup_every");

    @Override
    public String name() {
        return "anomaly";
    }

    @Override
    public boolean judgesConditions() {
        return true;
    }

    @Override
    public Detector compile(RuleSpec spec, Params p) {
        AnomalyConfig config = new AnomalyConfig();
        if (spec.params != null) {
            for (var e : spec.params.entrySet()) {
                if (OWN.contains(e.getKey())) {
                    continue;
                }
                try {
                    config.set(e.getKey(), String.valueOf(e.getValue()));
                } catch (IllegalArgumentException ex) {
                    p.problem("params." + e.getKey(), ex.getMessage(), null);
                }
            }
        }
        try {
            config.validate();
        } catch (IllegalArgumentException ex) {
            p.problem("params", ex.getMessage(), null);
            config = new AnomalyConfig();
        }
        String field = p.string("field", "value");
        long resolveAfter = p.integer("resolve_after", 12, 1);
        Duration expire = p.duration("expire_after", Duration.ofDays(7));
        boolean rollups = Boolean.parseBoolean(p.oneOf("rollups", "true", "true", "false"));
        long rollupEvery = "point".equals(p.string("rollup_every", null))
                ? 0
                : p.duration("rollup_every", Duration.ofMinutes(1)).toMillis();
        return new AnomalyDetector(config, field, resolveAfter, expire.toMillis(), rollups, rollupEvery);
    }
}
