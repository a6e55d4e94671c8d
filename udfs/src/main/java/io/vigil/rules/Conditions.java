package io.vigil.rules;

import java.util.List;

/**
 * Compiles a rule's {@code where:} condition. The rule-language work replaces this with CEL (dev.cel:cel); until then
 * a rule that uses {@code where:} is rejected with a clear message instead of being silently ignored.
 */
final class Conditions {
    private Conditions() {}

    static RecordFilter compile(RuleSpec spec, List<RuleProblem> problems) {
        problems.add(RuleLocations.problem(spec, "where", "'where:' conditions are not supported by this build",
                "use match: with field conditions"));
        return RecordFilter.ALL;
    }
}
