package io.vigil.detect.sequence;

import io.vigil.model.Telemetry;
import io.vigil.rules.Match;
import io.vigil.rules.RecordFilter;
import io.vigil.rules.RuleException;
import io.vigil.rules.RuleProblem;
import io.vigil.rules.RuleSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;

/**
 * The condition of one sequence step: the step's {@code match} block, compiled by {@link Match} like a rule's own.
 * CEP ships conditions to the task managers inside the pattern, so this holds the block as plain data and compiles it
 * on first use (a compiled filter is a lambda and not serializable).
 */
final class StepCondition extends SimpleCondition<Telemetry> {
    private static final long serialVersionUID = 1L;

    private final String ruleId;
    private final LinkedHashMap<String, Object> match;
    private transient RecordFilter filter;

    StepCondition(String ruleId, Map<String, Object> match) {
        this.ruleId = ruleId;
        this.match = new LinkedHashMap<>(match);
    }

    @Override
    public boolean filter(Telemetry t) {
        if (filter == null) {
            filter = compile(ruleId, match, null);
        }
        return filter.test(t);
    }

    /**
     * Compiles a step's match block at run time; a problem here means the rule was not checked, so it throws (or goes
     * to {@code problems} when given).
     */
    static RecordFilter compile(String ruleId, Map<String, Object> match, List<RuleProblem> problems) {
        RuleSpec step = new RuleSpec();
        step.id = ruleId;
        step.match = match;
        return compile(step, problems);
    }

    /**
     * Compiles the match block of {@code step} (a rule spec that holds only the step's block, with its locations);
     * problems go to {@code problems}, or are thrown when it is null.
     */
    static RecordFilter compile(RuleSpec step, List<RuleProblem> problems) {
        List<RuleProblem> found = problems == null ? new ArrayList<>() : problems;
        RecordFilter f = Match.compile(step, found);
        if (problems == null && !found.isEmpty()) {
            throw new RuleException(found);
        }
        return f;
    }
}
