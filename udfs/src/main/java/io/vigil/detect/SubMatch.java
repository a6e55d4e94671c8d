package io.vigil.detect;

import io.vigil.rules.Match;
import io.vigil.rules.Params;
import io.vigil.rules.RecordFilter;
import io.vigil.rules.RuleSpec;
import java.util.HashMap;
import java.util.Map;

/**
 * A match block nested in a kind's parameters ({@code params.bad: {status: error}}), compiled by {@link Match} with
 * the same operators as the rule's own {@code match}, its problems reported at the nested field's line and column.
 */
public final class SubMatch {
    private SubMatch() {}

    /** The filter of {@code params.<name>}, or null when the parameter is absent or wrong (a problem is reported). */
    @SuppressWarnings("unchecked")
    public static RecordFilter compile(Params p, String name) {
        RuleSpec spec = p.spec();
        Object block = spec.params == null ? null : spec.params.get(name);
        if (block == null) {
            return null;
        }
        if (!(block instanceof Map) || ((Map<String, Object>) block).isEmpty()) {
            p.problem(
                    "params." + name,
                    name + " must be a non-empty match block",
                    "e.g. " + name + ": {status: error} or " + name + ": {duration_ms: {lte: 500}}");
            return null;
        }
        RuleSpec sub = new RuleSpec();
        sub.id = spec.id;
        sub.kind = spec.kind;
        sub.source = spec.source;
        sub.match = (Map<String, Object>) block;
        // Match reports at match.<field>...; point those paths at params.<name>.<field>... in the rule's file.
        String prefix = "params." + name;
        Map<String, int[]> locations = new HashMap<>();
        spec.locations().forEach((k, v) -> {
            if (k.equals(prefix) || k.startsWith(prefix + ".")) {
                locations.put("match" + k.substring(prefix.length()), v);
            }
        });
        sub.locations = locations;
        int before = p.problems().size();
        RecordFilter f = Match.compile(sub, p.problems());
        for (int i = before; i < p.problems().size(); i++) {
            var problem = p.problems().get(i);
            p.problems()
                    .set(
                            i,
                            new io.vigil.rules.RuleProblem(
                                    problem.file,
                                    problem.line,
                                    problem.column,
                                    "params." + name + ": " + problem.message,
                                    problem.hint));
        }
        return f;
    }
}
