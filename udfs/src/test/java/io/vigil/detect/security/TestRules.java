package io.vigil.detect.security;

import io.vigil.detect.DetectorHarness;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleException;
import io.vigil.rules.RuleProblem;
import io.vigil.rules.RuleSpec;
import java.util.ArrayList;
import java.util.List;

/** Rules for the security kinds' tests, written as YAML the way authors write them and loaded by the real loader. */
public final class TestRules {
    private TestRules() {}

    /** Loads the rules in {@code yaml} (written to a temporary file) without compiling them. */
    public static List<RuleSpec> specs(String yaml) {
        return DetectorHarness.load(yaml);
    }

    public static CompiledRule compile(String yaml) {
        return RuleCompiler.compile(specs(yaml).get(0));
    }

    /** The problems compiling the rule in {@code yaml} reports, as {@code line:col: message (hint)}; empty if none. */
    public static List<String> problems(String yaml) {
        List<RuleProblem> found = new ArrayList<>();
        try {
            for (RuleSpec s : specs(yaml)) {
                RuleCompiler.compile(s, found);
            }
        } catch (RuleException e) {
            found.addAll(e.problems());
        }
        List<String> out = new ArrayList<>();
        for (RuleProblem p : found) {
            out.add(p.line + ":" + p.column + ": " + p.message + (p.hint == null ? "" : " (" + p.hint + ")"));
        }
        return out;
    }
}
