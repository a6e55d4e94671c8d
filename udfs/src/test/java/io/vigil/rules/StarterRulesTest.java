package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every rule file under the repository's {@code rules/} loads and compiles without a single problem, every rule of the
 * slo, spike, flatline, change and percentage_match kinds says what it catches, and each of them ships a starter rule.
 */
class StarterRulesTest {
    static final List<String> MINE = List.of("slo", "spike", "flatline", "change", "percentage_match");

    /** The repository's rules folder, from the udfs module (where surefire runs) or the repository root. */
    static Path rulesDir() {
        for (Path p : List.of(Path.of("..", "rules"), Path.of("rules"))) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new AssertionError("no rules/ folder next to " + Path.of("").toAbsolutePath());
    }

    @Test
    void everyRuleFileLoadsAndCompilesWithoutProblems() throws Exception {
        List<Path> files = RuleLoader.ruleFiles(List.of(rulesDir()));
        assertTrue(files.size() >= 9, "starter rule files: " + files);
        List<RuleSpec> specs;
        try {
            specs = RuleLoader.load(List.of(rulesDir()));
            RuleCompiler.compileAll(specs);
        } catch (RuleException e) {
            fail("starter rules have problems:\n" + e.getMessage());
            return;
        }
        List<String> undocumented = new ArrayList<>();
        Set<String> kinds = new TreeSet<>();
        for (RuleSpec s : specs) {
            kinds.add(s.kind);
            // Rules of the windowed kinds listed above must say what they catch and why their thresholds are what they
            // are: their numbers (burn rates, ratios, windows) mean little without the reasoning behind them.
            if (MINE.contains(s.kind) && (s.description == null || s.description.isBlank())) {
                undocumented.add(s.source);
            }
        }
        assertTrue(undocumented.isEmpty(), "rules without a description: " + undocumented);
        for (String kind : MINE) {
            assertTrue(kinds.contains(kind), "no starter rule of kind " + kind + " in " + kinds);
        }
    }
}
