package io.vigil.detect.sequence;

import io.vigil.model.Telemetry;
import io.vigil.rules.RecordFilter;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleException;
import io.vigil.rules.RuleProblem;
import io.vigil.rules.RuleSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;

/**
 * The condition of one sequence step: the step's {@code match} block and {@code where} condition, compiled like a
 * rule's own ({@link RuleCompiler#filter}).
 * CEP ships conditions to the task managers inside the pattern, so this holds the block as plain data and compiles it
 * on first use (a compiled filter is a lambda and not serializable).
 */
final class StepCondition extends SimpleCondition<Telemetry> {
    private static final long serialVersionUID = 1L;

    private final String ruleId;
    private final LinkedHashMap<String, Object> match;
    private final String where;
    private transient RecordFilter filter;

    StepCondition(String ruleId, Step step) {
        this.ruleId = ruleId;
        this.match = new LinkedHashMap<>(step.match());
        this.where = step.where();
    }

    @Override
    public boolean filter(Telemetry t) {
        if (filter == null) {
            filter = compile(ruleId, match, where, null);
        }
        return filter.test(t);
    }

    /** Compiles a step's condition at run time; a problem here means the rule was not checked, so it throws. */
    static RecordFilter compile(String ruleId, Step s) {
        return compile(ruleId, s.match(), s.where(), null);
    }

    private static RecordFilter compile(
            String ruleId, Map<String, Object> match, String where, List<RuleProblem> problems) {
        RuleSpec step = new RuleSpec();
        step.id = ruleId;
        step.match = match;
        step.where = where;
        return compile(step, problems);
    }

    /**
     * Compiles the match block and where condition of {@code step} (a rule spec that holds only the step's, with their
     * locations); problems go to {@code problems}, or are thrown when it is null.
     */
    static RecordFilter compile(RuleSpec step, List<RuleProblem> problems) {
        List<RuleProblem> found = problems == null ? new ArrayList<>() : problems;
        RecordFilter f = RuleCompiler.filter(step, found);
        if (problems == null && !found.isEmpty()) {
            throw new RuleException(found);
        }
        return f;
    }
}
