package io.vigil.rules;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code vigil rules validate} runs: reads every rule file, compiles every rule (form, common fields, CEL,
 * the kind's parameters), checks that ids are unique across all files, and lints. Collects every problem instead of
 * stopping at the first, so an author fixes a file in one pass.
 */
public final class RuleValidator {
    /** The outcome: the rules that compiled, and every problem in file order. */
    public static final class Report {
        public final List<CompiledRule> rules = new ArrayList<>();
        public final List<RuleProblem> problems = new ArrayList<>();
        public final List<Path> files = new ArrayList<>();

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private RuleValidator() {}

    public static Report validate(List<Path> paths) throws IOException {
        Report r = new Report();
        List<RuleSpec> specs = new ArrayList<>();
        r.files.addAll(RuleLoader.ruleFiles(paths));
        for (Path f : r.files) {
            if (!f.toFile().isFile()) {
                r.problems.add(new RuleProblem(f.toString(), 1, 1, "no such rule file", null));
                continue;
            }
            RuleLoader.read(f, specs, r.problems);
        }
        Map<String, RuleSpec> seen = new HashMap<>();
        for (RuleSpec spec : specs) {
            RuleSpec first = spec.id == null ? null : seen.putIfAbsent(spec.id, spec);
            if (first != null) {
                r.problems.add(RuleLocations.problem(
                        spec, "id", "duplicate rule id '" + spec.id + "'", "first defined at " + first.source));
                continue;
            }
            CompiledRule c = RuleCompiler.compile(spec, r.problems);
            r.problems.addAll(RuleLint.check(spec));
            if (c != null) {
                r.rules.add(c);
            }
        }
        r.problems.sort(Comparator.comparing((RuleProblem p) -> p.file)
                .thenComparingInt(p -> p.line)
                .thenComparingInt(p -> p.column));
        return r;
    }
}
