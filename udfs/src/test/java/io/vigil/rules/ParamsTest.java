package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Typed access to kind parameters: values, defaults, and one problem per wrong value at the parameter's place. */
class ParamsTest {
    private static Params params(Object... kv) {
        RuleSpec s = new RuleSpec();
        s.id = "r";
        s.kind = "threshold";
        s.source = "rules/r.yaml:1";
        Map<String, Object> p = new LinkedHashMap<>();
        Map<String, int[]> at = new java.util.HashMap<>();
        at.put("params", new int[] {10, 1});
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
            at.put("params." + kv[i], new int[] {11 + i / 2, 3});
        }
        s.params = p;
        s.locations = at;
        return new Params(s);
    }

    private static List<String> problems(Params p) {
        return p.problems().stream().map(RuleProblem::toString).toList();
    }

    @Test
    void textValues() {
        Params p = params("aggregate", "p95", "bound", 800);
        assertEquals("p95", p.string("aggregate", "avg"));
        assertEquals("800", p.string("bound", null), "scalars read as their text");
        assertEquals("avg", p.string("missing", "avg"));
        assertEquals("p95", p.requireString("aggregate"));
        assertEquals(List.of(), problems(p));
    }

    @Test
    void aListOrMapWhereTextIsExpectedIsAProblem() {
        Params p = params("field", List.of("a"), "op", Map.of("gt", 1));
        assertEquals("dflt", p.string("field", "dflt"));
        assertEquals("dflt", p.string("op", "dflt"));
        assertEquals(
                List.of("rules/r.yaml:11:3: field must be a text value", "rules/r.yaml:12:3: op must be a text value"),
                problems(p));
    }

    @Test
    void aMissingRequiredTextIsAProblemAtTheParamsBlock() {
        Params p = params();
        assertNull(p.requireString("field"));
        assertEquals(List.of("rules/r.yaml:10:1: missing parameter 'field'"), problems(p));
    }

    @Test
    void anEmptyRequiredTextIsAProblem() {
        Params p = params("field", null);
        assertNull(p.requireString("field"));
        assertEquals(1, p.problems().size(), "field: with no value must not pass as given");
    }

    @Test
    void numbers() {
        Params p = params("bound", 800, "ratio", 0.25, "text", "1.5e3", "bad", "fast");
        assertEquals(800.0, p.number("bound", 0));
        assertEquals(0.25, p.number("ratio", 0));
        assertEquals(1500.0, p.number("text", 0));
        assertEquals(7.0, p.number("missing", 7));
        assertEquals(-1.0, p.number("bad", -1));
        assertEquals(List.of("rules/r.yaml:14:3: bad must be a number, not 'fast'"), problems(p));
    }

    @Test
    void requiredNumbers() {
        Params p = params("bound", 5);
        assertEquals(5.0, p.requireNumber("bound"));
        assertTrue(Double.isNaN(p.requireNumber("limit")));
        assertEquals(List.of("rules/r.yaml:10:1: missing parameter 'limit'"), problems(p));
    }

    @Test
    void wholeNumbersWithAMinimum() {
        Params p = params("count", 20, "big", 5_000_000_000L, "text", "7", "half", 2.5, "zero", 0, "word", "many");
        assertEquals(20, p.integer("count", 1, 1));
        assertEquals(5_000_000_000L, p.integer("big", 1, 1));
        assertEquals(7, p.integer("text", 1, 1));
        assertEquals(3, p.integer("missing", 3, 1));
        assertEquals(1, p.integer("half", 1, 1));
        assertEquals(1, p.integer("zero", 1, 1));
        assertEquals(1, p.integer("word", 1, 1));
        assertEquals(
                List.of(
                        "rules/r.yaml:14:3: half must be a whole number, not '2.5'",
                        "rules/r.yaml:15:3: zero must be at least 1, not 0",
                        "rules/r.yaml:16:3: word must be a whole number, not 'many'"),
                problems(p));
    }

    @Test
    void durations() {
        Params p = params("window", "5m", "slide", "1h30m", "zero", "0s", "bad", "5 minutes", "num", 30);
        assertEquals(Duration.ofMinutes(5), p.duration("window", null));
        assertEquals(Duration.ofMinutes(90), p.duration("slide", null));
        assertEquals(Duration.ofSeconds(9), p.duration("missing", Duration.ofSeconds(9)));
        assertEquals(Duration.ofSeconds(1), p.duration("zero", Duration.ofSeconds(1)));
        assertEquals(Duration.ofSeconds(1), p.duration("bad", Duration.ofSeconds(1)));
        assertEquals(Duration.ofSeconds(1), p.duration("num", Duration.ofSeconds(1)), "a bare number has no unit");
        List<String> problems = problems(p);
        assertEquals(3, problems.size(), problems.toString());
        assertEquals("rules/r.yaml:13:3: zero must be longer than 0", problems.get(0));
        assertTrue(
                problems.get(1).startsWith("rules/r.yaml:14:3: bad duration '5 minutes'; expected e.g."),
                problems.get(1));
        assertTrue(problems.get(2).startsWith("rules/r.yaml:15:3: bad duration '30'"), problems.get(2));
    }

    @Test
    void aMissingRequiredDurationIsAProblemWithAnExample() {
        Params p = params();
        p.requireDuration("window");
        assertEquals(List.of("rules/r.yaml:10:1: missing parameter 'window' (a duration such as 5m)"), problems(p));
    }

    @Test
    void oneOfAllowedValuesWithAHint() {
        Params p = params("mode", "strcit", "other", "lenient");
        assertEquals("lenient", p.oneOf("other", "strict", "strict", "lenient"));
        assertEquals("strict", p.oneOf("mode", "strict", "strict", "lenient"));
        assertEquals("strict", p.oneOf("missing", "strict", "strict", "lenient"));
        assertEquals(
                List.of("rules/r.yaml:11:3: mode must be one of strict, lenient, not 'strcit' (did you mean"
                        + " 'strict'?)"),
                problems(p));
    }

    @Test
    void listsOfText() {
        Params p = params("fields", List.of("a", 2, true), "one", "x");
        assertEquals(List.of("a", "2", "true"), p.strings("fields"));
        assertEquals(List.of("x"), p.strings("one"));
        assertEquals(List.of(), p.strings("missing"));
    }

    @Test
    void hasIgnoresEmptyValues() {
        Params p = params("a", 1, "b", null);
        assertTrue(p.has("a"));
        assertFalse(p.has("b"));
        assertFalse(p.has("c"));
    }

    @Test
    void unknownParametersAreReportedWithTheNearestKnownName() {
        Params p = params("windw", "5m", "bound", 1, "zzz", 1);
        p.rejectUnknown(Set.of("window", "bound", "slide"));
        assertEquals(
                List.of(
                        "rules/r.yaml:11:3: unknown parameter 'windw' for kind threshold (did you mean 'window'?)",
                        "rules/r.yaml:13:3: unknown parameter 'zzz' for kind threshold"),
                problems(p));
    }

    @Test
    void withoutAFileProblemsNameTheRule() {
        RuleSpec s = new RuleSpec();
        s.id = "from-topic";
        s.params = new LinkedHashMap<>(Map.of("count", "x"));
        Params p = new Params(s);
        p.integer("count", 1, 1);
        assertEquals(List.of("<rule from-topic>:1:1: count must be a whole number, not 'x'"), problems(p));
    }

    @Test
    void noParamsAtAll() {
        RuleSpec s = new RuleSpec();
        s.params = null;
        Params p = new Params(s);
        assertFalse(p.has("x"));
        assertEquals("d", p.string("x", "d"));
        assertEquals(List.of(), p.strings("x"));
    }
}
