package io.vigil.detect.sequence;

import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RecordFilter;
import io.vigil.rules.RuleCodec;
import io.vigil.rules.RuleCompiler;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.java.functions.KeySelector;

import java.util.ArrayList;
import java.util.List;

/** The serializable pieces a graph rule needs before its CEP operator: its record filter and its key. */
final class RuleRecords {
    private RuleRecords() {}

    /**
     * Keeps the records a rule's {@code match} (and {@code where}) block accepts. Holds the rule's JSON and compiles it
     * on first use, since a compiled filter is not serializable.
     */
    static final class Filter implements FilterFunction<Telemetry> {
        private static final long serialVersionUID = 1L;
        private final String ruleJson;
        private transient RecordFilter filter;

        Filter(String ruleJson) {
            this.ruleJson = ruleJson;
        }

        @Override
        public boolean filter(Telemetry t) {
            if (filter == null) {
                filter = RuleCompiler.compile(RuleCodec.fromJson(ruleJson)).filter;
            }
            return filter.test(t);
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
