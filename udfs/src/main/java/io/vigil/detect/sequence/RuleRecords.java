package io.vigil.detect.sequence;

import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RecordFilter;
import io.vigil.rules.RuleCodec;
import io.vigil.rules.RuleCompiler;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.java.functions.KeySelector;

/** The serializable pieces a graph rule needs before its CEP operator: its record filter and its key. */
final class RuleRecords {
    private RuleRecords() {}

    /**
     * Keeps the records a rule's {@code match} (and {@code where}) block accepts and, when no step needs strict
     * contiguity, only those some step can take: a record no step takes changes nothing in a relaxed pattern, so it
     * need not cost a trip through the CEP operator's buffers. (With {@code follows: strict} or {@code consecutive},
     * such a record breaks a sequence and must reach the operator.) Holds the rule as JSON and plain data and compiles
     * on first use, since compiled filters are not serializable.
     */
    static final class Filter implements FilterFunction<Telemetry> {
        private static final long serialVersionUID = 1L;
        private final String ruleJson;
        private final ArrayList<StepCondition> anyStep;
        private transient RecordFilter filter;

        Filter(String ruleJson, List<Step> steps) {
            this.ruleJson = ruleJson;
            boolean strict = steps.stream().anyMatch(s -> s.consecutive() || s.follows() == Step.Follows.STRICT);
            this.anyStep = new ArrayList<>();
            if (!strict) {
                for (Step s : steps) {
                    anyStep.add(new StepCondition(RuleCodec.fromJson(ruleJson).id, s));
                }
            }
        }

        @Override
        public boolean filter(Telemetry t) {
            if (filter == null) {
                filter = RuleCompiler.compile(RuleCodec.fromJson(ruleJson)).filter;
            }
            if (!filter.test(t)) {
                return false;
            }
            if (anyStep.isEmpty()) {
                return true;
            }
            for (StepCondition c : anyStep) {
                if (c.filter(t)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The rule's routing key of a record: rule id and key_by values, as {@link CompiledRule#keyOf}. */
    static final class Key implements KeySelector<Telemetry, String> {
        private static final long serialVersionUID = 1L;
        private final String ruleId;
        private final ArrayList<String> keyBy;

        Key(String ruleId, List<String> keyBy) {
            this.ruleId = ruleId;
            this.keyBy = new ArrayList<>(keyBy);
        }

        @Override
        public String getKey(Telemetry t) {
            StringBuilder b = new StringBuilder(ruleId);
            for (String f : keyBy) {
                String v = t.get(f);
                b.append(CompiledRule.KEY_SEPARATOR).append(v == null ? "" : v);
            }
            return b.toString();
        }
    }
}
