package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Common-field checks, match compilation and kind parameters: everything wrong is reported at once. */
class RuleCompilerTest {
    static RuleSpec threshold() {
        RuleSpec s = new RuleSpec();
        s.id = "checkout-p95";
        s.name = "Checkout p95";
        s.kind = "threshold";
        s.severity = "high";
        s.match.put("signal", "span");
        s.match.put("service.name", "checkout");
        s.keyBy = new ArrayList<>(List.of("service.name"));
        s.realert = "30m";
        s.params.put("aggregate", "p95");
        s.params.put("window", "5m");
        s.params.put("slide", "1m");
        s.params.put("bound", 500);
        return s;
    }

    static RuleSpec frequency() {
        RuleSpec s = new RuleSpec();
        s.id = "error-burst";
        s.name = "Error burst";
        s.kind = "frequency";
        s.match.put("signal", "log");
        s.params.put("count", 20);
        s.params.put("window", "5m");
        return s;
    }

    private static List<String> messages(RuleSpec s) {
        List<RuleProblem> problems = new ArrayList<>();
        CompiledRule r = RuleCompiler.compile(s, problems);
        if (!problems.isEmpty()) {
            assertNull(r, "a rule with problems does not compile");
        }
        List<String> out = new ArrayList<>();
        for (RuleProblem p : problems) {
            out.add(p.message + (p.hint == null ? "" : " (" + p.hint + ")"));
        }
        return out;
    }

    @Test
    void aValidRuleCompiles() {
        CompiledRule r = RuleCompiler.compile(threshold());
        assertEquals("checkout-p95", r.id());
        assertEquals("threshold", r.kind.name());
        assertNotNull(r.detector);
        assertEquals(30 * 60_000L, r.realertMillis);
        assertEquals(RuleCodec.toJson(threshold()), r.json);
        assertTrue(r.filter.test(Telemetry.span(1, "checkout", "x", 1, "ok")));
        assertFalse(r.filter.test(Telemetry.span(1, "cart", "x", 1, "ok")));
        assertEquals(0, RuleCompiler.compile(frequency()).realertMillis, "no realert: every alert goes out");
    }

    @Test
    void theStarterRulesCompile() throws Exception {
        List<RuleSpec> specs = RuleLoader.load(List.of(java.nio.file.Path.of("../rules")));
        assertFalse(specs.isEmpty());
        assertEquals(specs.size(), RuleCompiler.compileAll(specs).size());
    }

    @Test
    void idNameSeverityAndRealertAreChecked() {
        RuleSpec s = threshold();
        s.id = "Checkout P95!";
        s.name = " ";
        s.severity = "hihg";
        s.realert = "half an hour";
        List<String> m = messages(s);
        assertEquals(4, m.size(), m.toString());
        assertEquals("bad rule id 'Checkout P95!' (lower-case letters, digits, '.', '_' and '-')", m.get(0));
        assertEquals("missing rule name", m.get(1));
        assertEquals("severity must be one of info, low, medium, high, critical (did you mean 'high'?)", m.get(2));
        assertTrue(m.get(3).startsWith("bad duration 'half an hour'"), m.get(3));
    }

    @Test
    void missingIdAndKind() {
        RuleSpec s = threshold();
        s.id = null;
        s.kind = null;
        List<String> m = messages(s);
        assertEquals(2, m.size(), m.toString());
        assertTrue(m.get(0).startsWith("missing rule id"));
        assertTrue(m.get(1).startsWith("missing rule kind (one of threshold, frequency"), m.get(1));
    }

    @Test
    void anUnknownKindSuggestsTheNearestOne() {
        RuleSpec s = threshold();
        s.kind = "treshold";
        assertEquals(List.of("unknown rule kind 'treshold' (did you mean 'threshold'?)"), messages(s));
        s.kind = "frequncy";
        assertEquals(List.of("unknown rule kind 'frequncy' (did you mean 'frequency'?)"), messages(s));
        s.kind = "neural-network";
        assertEquals(List.of("unknown rule kind 'neural-network'"), messages(s));
    }

    @Test
    void emptyKeyByEntriesAreProblems() {
        RuleSpec s = threshold();
        s.keyBy = new ArrayList<>(List.of("service.name", " "));
        assertEquals(List.of("empty key_by field"), messages(s));
    }

    @Test
    void whereConditionsAreCelTypeCheckedAgainstTheTelemetryModel() {
        RuleSpec s = threshold();
        s.where = "record.duration_ms > 5";
        List<String> m = messages(s);
        assertEquals(1, m.size());
        assertTrue(m.get(0).contains("undeclared reference to 'record'"), m.get(0));
        s.where = "duration_ms > 5 && attributes['http.route'].startsWith('/api')";
        assertEquals(List.of(), messages(s));
    }

    @Test
    void thresholdParametersAreChecked() {
        RuleSpec s = threshold();
        s.params = new java.util.LinkedHashMap<>(
                Map.of("aggregate", "p200", "window", "5m", "slide", "2m", "op", "=>", "min_count", 0, "windw", "1m"));
        List<String> m = messages(s);
        assertEquals(6, m.size(), m.toString());
        assertTrue(m.contains("unknown parameter 'windw' for kind threshold (did you mean 'window'?)"), m.toString());
        assertTrue(m.stream().anyMatch(x -> x.startsWith("unknown aggregate 'p200'")), m.toString());
        assertTrue(m.stream().anyMatch(x -> x.startsWith("slide 120s must divide the window 300s")), m.toString());
        assertTrue(m.stream().anyMatch(x -> x.startsWith("unknown comparison '=>'")), m.toString());
        assertTrue(m.contains("missing parameter 'bound'"), m.toString());
        assertTrue(m.contains("min_count must be at least 1, not 0"), m.toString());
    }

    @Test
    void aThresholdOnLogsNeedsAField() {
        RuleSpec s = threshold();
        s.match.put("signal", "log");
        List<String> m = messages(s);
        assertEquals(1, m.size(), m.toString());
        assertTrue(m.get(0).startsWith("aggregate p95 needs a field"), m.get(0));
        s.params.put("aggregate", "count");
        assertEquals(List.of(), messages(s), "count needs no field");
    }

    @Test
    void frequencyParametersAreChecked() {
        RuleSpec s = frequency();
        s.params.remove("count");
        s.params.put("resolution", "10m");
        List<String> m = messages(s);
        assertEquals(2, m.size(), m.toString());
        assertTrue(m.get(0).startsWith("missing parameter 'count'"), m.get(0));
        assertEquals("resolution must not be longer than the window", m.get(1));
    }

    @Test
    void compileThrowsWithEveryProblem() {
        RuleSpec s = threshold();
        s.severity = "urgent";
        s.params.put("window", "5");
        RuleException e = assertThrows(RuleException.class, () -> RuleCompiler.compile(s));
        assertEquals(2, e.problems().size());
        assertEquals(2, e.getMessage().split("\n").length);
    }

    @Test
    void duplicateIdsAreReportedWithWhereTheFirstWasDefined() {
        RuleSpec a = threshold();
        a.source = "rules/a.yaml:1";
        RuleSpec b = threshold();
        b.source = "rules/b.yaml:4";
        RuleException e = assertThrows(RuleException.class, () -> RuleCompiler.compileAll(List.of(a, b, frequency())));
        assertEquals(1, e.problems().size());
        assertEquals(
                "rules/b.yaml:4:1: duplicate rule id 'checkout-p95' (first defined at rules/a.yaml:1)",
                e.problems().get(0).toString());
    }

    @Test
    void compileAllReportsTheProblemsOfEveryRule() {
        RuleSpec a = threshold();
        a.severity = "urgent";
        RuleSpec b = frequency();
        b.kind = "frequenzy";
        RuleException e = assertThrows(RuleException.class, () -> RuleCompiler.compileAll(List.of(a, b)));
        assertEquals(2, e.problems().size());
    }

    @Test
    void disabledRulesStillCompile() {
        RuleSpec s = threshold();
        s.enabled = false;
        assertFalse(RuleCompiler.compile(s).spec.enabled);
    }
}
