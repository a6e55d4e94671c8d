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
 * One match of a sequence rule as one firing alert, whichever operator found it (the keyed {@link SequenceDetector} or
 * a Flink CEP pattern): the window spans the first to the last matched record (to the end of {@code within} when the
 * last step is an absence), the observed value is the number of matched records, and the evidence holds, per step, its
 * first records and its last one. The alert id depends only on the rule, the key and the matched timestamps, so a
 * replay gives the same ids.
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

    /** What a match holds of one step: how many records it took, and the ones kept as evidence, in order. */
    record Taken(String step, long count, List<Telemetry> evidence) {}

    /** The alert of a CEP match (step name to its records in order), or null for a match without records. */
    Alert of(Map<String, List<Telemetry>> match) {
        if (rule == null) {
            rule = RuleCompiler.compile(RuleCodec.fromJson(ruleJson));
        }
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        Telemetry any = null;
        List<Taken> taken = new ArrayList<>();
        for (Step s : steps) {
            List<Telemetry> records = match.get(s.name());
            if (records == null || records.isEmpty()) {
                continue;
            }
            for (Telemetry t : records) {
                first = Math.min(first, t.timestamp);
                last = Math.max(last, t.timestamp);
            }
            any = records.get(0);
            List<Telemetry> kept = new ArrayList<>();
            for (int i = 0; i < records.size() && i < evidence; i++) {
                // the first evidence-1 records of the step and its last one
                kept.add(records.get(i == evidence - 1 ? records.size() - 1 : i));
            }
            taken.add(new Taken(s.name(), records.size(), kept));
        }
        if (any == null) {
            return null;
        }
        Alert a = alert(rule, rule.keyOf(any), steps, taken, first, last, -1);
        a.processingTime = System.currentTimeMillis();
        return a;
    }

    /**
     * The alert of a match of {@code rule} for {@code key}: {@code taken} in step order, its records from
     * {@code first} to {@code last}; {@code absenceEnd} is where the absence step's time ran out (-1 without one).
     */
    static Alert alert(
            CompiledRule rule,
            String key,
            List<Step> steps,
            List<Taken> taken,
            long first,
            long last,
            long absenceEnd) {
        long total = 0;
        long needed = 0;
        StringBuilder shape = new StringBuilder();
        for (Step s : steps) {
            needed += s.optional() || s.absent() ? 0 : s.min();
        }
        for (Taken t : taken) {
            total += t.count();
            shape.append(shape.length() == 0 ? "" : ", then ")
                    .append(t.step())
                    .append(" x")
                    .append(t.count());
        }
        long end = last + 1;
        String span = Durations.format(last - first);
        if (absenceEnd >= 0) {
            Step absent = steps.get(steps.size() - 1);
            shape.append(", then no ").append(absent.name());
            end = absenceEnd;
            span = Durations.format(absenceEnd - first);
        }
        Alert a = alert(rule, key, first, end, total, needed);
        for (Taken t : taken) {
            for (Telemetry r : t.evidence()) {
                a.evidence.add(TelemetryJson.write(r));
            }
        }
        a.annotations.put("sequence", shape + " within " + span);
        if (!rule.spec.annotations.containsKey("summary")) {
            a.message = a.message + " (" + a.annotations.get("sequence") + ")";
        }
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
