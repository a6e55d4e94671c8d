package io.vigil.detect;

import io.vigil.alert.AlertIds;
import io.vigil.alert.Templates;
import io.vigil.model.Alert;
import io.vigil.rules.CompiledRule;
import java.util.Map;

/** Builds a rule's alerts: the one place that fills an alert's rule fields, whichever operator found the condition. */
public final class RuleAlerts {
    private RuleAlerts() {}

    /**
     * A firing alert of {@code rule} for one key, with its stable id, rule fields, key, window and values filled in
     * and its annotations rendered; the caller may add evidence before emitting it. Its event time is the window's
     * end.
     */
    public static Alert firing(
            CompiledRule rule,
            String key,
            Map<String, String> keyFields,
            long windowStart,
            long windowEnd,
            double observed,
            double expected,
            String comparison) {
        Alert a = new Alert();
        a.id = AlertIds.of(rule.id(), key, windowStart, windowEnd);
        a.incidentId = a.id;
        a.ruleId = rule.id();
        a.ruleName = rule.spec.name;
        a.kind = rule.spec.kind;
        a.severity = rule.spec.severity;
        a.key = key;
        a.keyFields.putAll(keyFields);
        a.service = keyFields.get("service.name");
        if (a.service == null && rule.spec.match != null && rule.spec.match.get("service.name") instanceof String) {
            a.service = (String) rule.spec.match.get("service.name");
        }
        a.windowStart = windowStart;
        a.windowEnd = windowEnd;
        a.observed = observed;
        a.expected = expected;
        a.comparison = comparison;
        a.eventTime = windowEnd;
        a.realertMillis = rule.realertMillis;
        a.labels.putAll(rule.spec.labels);
        Templates.render(rule.spec, a);
        return a;
    }
}
