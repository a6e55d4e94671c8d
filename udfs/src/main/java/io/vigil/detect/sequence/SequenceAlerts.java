package io.vigil.detect.sequence;

import io.vigil.detect.RuleAlerts;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.Durations;
import io.vigil.rules.RuleCodec;
import io.vigil.rules.RuleCompiler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One match of a sequence rule as one firing alert, whichever operator found it (the CEP pattern or
 * {@link BurstThenStepFunction}): the window spans the first to the last matched record, the observed value is the
 * number of matched records, and the evidence holds, per step, its first records and its last one. The alert id
 * depends only on the rule, the key and the matched timestamps, so a replay gives the same ids.
 */
final class SequenceAlerts {
    private final String ruleJson;
    private final List<Step> steps;
    private final int evidence;
    private CompiledRule rule;

    SequenceAlerts(String ruleJson, List<Step> steps, int evidence) {
        this.ruleJson = ruleJson;
        this.steps = new ArrayList<>(steps);
        this.evidence = evidence;
    }

    /** The alert of a match (step name to its records in order), or null for a match without records. */
    Alert of(Map<String, List<Telemetry>> match) {
        if (rule == null) {
            rule = RuleCompiler.compile(RuleCodec.fromJson(ruleJson));
        }
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long total = 0;
        long needed = 0;
        Telemetry any = null;
        StringBuilder shape = new StringBuilder();
        for (Step s : steps) {
            needed += s.optional() ? 0 : s.min();
            List<Telemetry> records = match.get(s.name());
            if (records == null || records.isEmpty()) {
                continue;
            }
            for (Telemetry t : records) {
                first = Math.min(first, t.timestamp);
                last = Math.max(last, t.timestamp);
            }
            total += records.size();
            any = records.get(0);
            shape.append(shape.length() == 0 ? "" : ", then ")
                    .append(s.name())
                    .append(" x")
                    .append(records.size());
        }
        if (any == null) {
            return null;
        }
        Alert a = alert(rule, rule.keyOf(any), first, last + 1, total, needed);
        for (Step s : steps) {
            List<Telemetry> records = match.get(s.name());
            if (records == null) {
                continue;
            }
            for (int i = 0; i < records.size() && i < evidence; i++) {
                // the first evidence-1 records of the step and its last one
                int at = i == evidence - 1 ? records.size() - 1 : i;
                a.evidence.add(TelemetryJson.write(records.get(at)));
            }
        }
        a.annotations.put("sequence", shape + " within " + Durations.format(last - first));
        if (!rule.spec.annotations.containsKey("summary")) {
            a.message = a.message + " (" + a.annotations.get("sequence") + ")";
        }
        a.processingTime = System.currentTimeMillis();
        return a;
    }

    /** A firing alert with the rule's fields, built as every rule's alerts are; its event time is its last record's. */
    static Alert alert(
            CompiledRule rule, String key, long windowStart, long windowEnd, double observed, double expected) {
        Alert a = RuleAlerts.firing(rule, key, rule.keyFields(key), windowStart, windowEnd, observed, expected, ">=");
        a.eventTime = windowEnd - 1;
        return a;
    }
}
