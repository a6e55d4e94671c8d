package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.MetricType;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The match block: every operator on numeric and text fields, attribute and resource lookup, and its problems. */
class MatchTest {
    private static final long T = 1_790_000_000_000L;

    private static RecordFilter compile(Object... kv) {
        List<RuleProblem> problems = new ArrayList<>();
        RecordFilter f = Match.compile(spec(kv), problems);
        assertEquals(List.of(), problems.stream().map(RuleProblem::toString).toList());
        return f;
    }

    private static List<RuleProblem> problems(Object... kv) {
        List<RuleProblem> problems = new ArrayList<>();
        Match.compile(spec(kv), problems);
        return problems;
    }

    private static RuleSpec spec(Object... kv) {
        RuleSpec s = new RuleSpec();
        s.id = "m";
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        s.match = m;
        return s;
    }

    private static Map<String, Object> op(String op, Object arg) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(op, arg);
        return m;
    }

    private static Telemetry span(double ms, String status) {
        return Telemetry.span(T, "checkout", "POST /api/checkout", ms, status)
                .attr("http.response.status_code", status.equals("ok") ? "200" : "503")
                .attr("http.route", "/api/checkout")
                .res("host.name", "checkout-1");
    }

    @Test
    void anEmptyMatchMatchesEverything() {
        RecordFilter f = Match.compile(new RuleSpec(), new ArrayList<>());
        assertTrue(f.test(span(1, "ok")));
        RuleSpec nullMatch = new RuleSpec();
        nullMatch.match = null;
        assertTrue(Match.compile(nullMatch, new ArrayList<>()).test(Telemetry.event(T, "x", "y")));
    }

    @Test
    void plainValuesAreEquality() {
        RecordFilter f = compile("signal", "span", "service.name", "checkout", "status", "error");
        assertTrue(f.test(span(10, "error")));
        assertFalse(f.test(span(10, "ok")));
        assertFalse(f.test(Telemetry.log(T, "checkout", "ERROR", "x")));
        assertFalse(f.test(Telemetry.span(T, "cart", "x", 10, "error")));
    }

    @Test
    void eqAndNeOnNumericFieldsCompareNumbers() {
        assertTrue(compile("duration_ms", 250).test(span(250, "ok")));
        assertTrue(compile("duration_ms", 250.0).test(span(250, "ok")));
        assertTrue(compile("duration_ms", op("eq", 250L)).test(span(250.0, "ok")));
        assertFalse(compile("duration_ms", op("eq", 250)).test(span(250.5, "ok")));
        assertTrue(compile("duration_ms", op("eq", 250.5)).test(span(250.5, "ok")));
        assertTrue(compile("duration_ms", op("ne", 250)).test(span(250.5, "ok")));
        assertFalse(compile("duration_ms", op("ne", 250)).test(span(250, "ok")));
        assertTrue(compile("value", 0.25).test(Telemetry.metric(T, "cart", "cpu", 0.25)));
    }

    @Test
    void eqOnTextFieldsComparesText() {
        // An attribute holds text: a number in the rule is compared as its text, whole numbers without ".0".
        assertTrue(compile("http.response.status_code", 503).test(span(1, "error")));
        assertTrue(compile("http.response.status_code", 503.0).test(span(1, "error")));
        assertTrue(compile("http.response.status_code", "503").test(span(1, "error")));
        assertFalse(compile("http.response.status_code", 503).test(span(1, "ok")));
        assertTrue(compile("kind", op("eq", "server")).test(span(1, "ok")));
        assertTrue(compile("kind", op("ne", "client")).test(span(1, "ok")));
    }

    @Test
    void neMatchesRecordsWithoutTheField() {
        assertTrue(compile("user.name", op("ne", "root")).test(span(1, "ok")));
    }

    @Test
    void orderingOperatorsOnNumericFields() {
        Telemetry s = span(250, "ok");
        assertTrue(compile("duration_ms", op("gt", 249)).test(s));
        assertFalse(compile("duration_ms", op("gt", 250)).test(s));
        assertTrue(compile("duration_ms", op("gte", 250)).test(s));
        assertFalse(compile("duration_ms", op("gte", 250.1)).test(s));
        assertTrue(compile("duration_ms", op("lt", 250.1)).test(s));
        assertFalse(compile("duration_ms", op("lt", 250)).test(s));
        assertTrue(compile("duration_ms", op("lte", 250)).test(s));
        assertFalse(compile("duration_ms", op("lte", 249.9)).test(s));
        assertTrue(compile("duration_ms", op("gt", "100")).test(s), "a number written as text");
    }

    @Test
    void orderingOperatorsOnNumericAttributes() {
        Telemetry s = span(1, "error");
        assertTrue(compile("http.response.status_code", op("gte", 500)).test(s));
        assertFalse(compile("http.response.status_code", op("lt", 500)).test(s));
        assertTrue(compile("severity_number", op("gte", 17)).test(Telemetry.log(T, "x", "ERROR", "b")));
        assertFalse(compile("severity_number", op("gte", 17)).test(Telemetry.log(T, "x", "WARN", "b")));
    }

    @Test
    void orderingNeverMatchesAMissingOrNonNumericField() {
        Telemetry s = span(1, "ok").attr("user.name", "root");
        for (String o : List.of("gt", "gte", "lt", "lte")) {
            assertFalse(compile("queue.size", op(o, 0)).test(s), o + " on a missing field");
            assertFalse(compile("user.name", op(o, 0)).test(s), o + " on text");
            assertFalse(compile("value", op(o, 0)).test(s), o + " on value of a span");
        }
    }

    @Test
    void setMembership() {
        Telemetry s = span(1, "error");
        assertTrue(compile("service.name", List.of("cart", "checkout")).test(s));
        assertFalse(compile("service.name", List.of("cart", "search")).test(s));
        assertTrue(
                compile("service.name", op("in", List.of("cart", "checkout"))).test(s));
        assertTrue(compile("service.name", op("in", "checkout")).test(s), "a single value is a one-element set");
        assertTrue(compile("http.response.status_code", op("in", List.of(500, 502, 503)))
                .test(s));
        assertFalse(compile("http.response.status_code", op("in", List.of(500, 502)))
                .test(s));
        assertTrue(
                compile("service.name", op("not_in", List.of("cart", "search"))).test(s));
        assertFalse(compile("service.name", op("not_in", List.of("checkout"))).test(s));
        assertTrue(compile("user.name", op("not_in", List.of("root"))).test(s), "a missing field is in no set");
        assertFalse(compile("user.name", op("in", List.of("root"))).test(s));
        assertTrue(compile("duration_ms", List.of(1, 2)).test(s), "numeric top-level fields in a set");
    }

    @Test
    void regexFindsAnywhereUnlessAnchored() {
        Telemetry log = Telemetry.log(T, "sshd", "WARN", "Failed password for root from 203.0.113.45 port 51234 ssh2");
        assertTrue(compile("body", op("regex", "Failed password")).test(log));
        assertTrue(compile("body", op("regex", "^Failed .* from \\d+\\.\\d+\\.\\d+\\.\\d+"))
                .test(log));
        assertFalse(compile("body", op("regex", "^password")).test(log));
        assertFalse(compile("user.name", op("regex", ".*")).test(log), "a missing field matches no pattern");
    }

    @Test
    void existsTrueAndFalse() {
        Telemetry s = span(1, "ok").attr("user.name", "bob");
        assertTrue(compile("user.name", op("exists", true)).test(s));
        assertFalse(compile("user.name", op("exists", false)).test(s));
        assertTrue(compile("source.ip", op("exists", false)).test(s));
        assertFalse(compile("source.ip", op("exists", true)).test(s));
        assertFalse(compile("value", op("exists", true)).test(s), "value does not exist on a span");
        assertTrue(compile("duration_ms", op("exists", true)).test(s));
    }

    @Test
    void severalOperatorsOnOneFieldAllHold() {
        Map<String, Object> range = new LinkedHashMap<>();
        range.put("gte", 100);
        range.put("lt", 200);
        RecordFilter f = compile("duration_ms", range);
        assertTrue(f.test(span(100, "ok")));
        assertTrue(f.test(span(199.9, "ok")));
        assertFalse(f.test(span(200, "ok")));
        assertFalse(f.test(span(99, "ok")));
    }

    @Test
    void attributesComeBeforeResourceAndPrefixesPickOne() {
        Telemetry t = Telemetry.event(T, "edge-firewall", "connection.rejected")
                .attr("host.name", "from-attributes")
                .res("host.name", "fw-1");
        assertTrue(compile("host.name", "from-attributes").test(t));
        assertTrue(compile("resource.host.name", "fw-1").test(t));
        assertTrue(compile("attributes.host.name", "from-attributes").test(t));
        assertFalse(compile("attributes.service.name", "edge-firewall").test(t));
        assertTrue(compile("resource.service.name", "edge-firewall").test(t));
        assertTrue(compile("service.name", "edge-firewall").test(t), "falls back to the resource");
    }

    @Test
    void histogramFieldsAreNumeric() {
        Telemetry h = Telemetry.metric(T, "cart", "http.server.duration", 0);
        h.metricType = MetricType.HISTOGRAM;
        h.count = 10;
        h.sum = 250;
        h.max = 90;
        assertTrue(compile("count", op("gte", 10)).test(h));
        assertTrue(compile("max", op("gt", 80)).test(h));
        assertTrue(compile("sum", 250).test(h));
        assertFalse(compile("count", op("gte", 1)).test(Telemetry.metric(T, "cart", "g", 1)), "no count on a gauge");
    }

    @Test
    void theRequiredSignalIsKnownForIndexing() {
        assertEquals(Signal.SPAN, Match.signal(spec("signal", "span")));
        assertEquals(Signal.METRIC, Match.signal(spec("signal", "metric", "name", "cpu")));
        assertNull(Match.signal(spec("service.name", "cart")));
        assertEquals(List.of("signal", "name"), Match.fields(spec("signal", "metric", "name", "cpu")));
    }

    @Test
    void anUnknownSignalIsAProblemWithAHint() {
        List<RuleProblem> p = problems("signal", "spam");
        assertEquals(1, p.size());
        assertTrue(p.get(0).message.contains("metric, log, span, event"), p.get(0).message);
        assertEquals("did you mean 'span'?", p.get(0).hint);
        assertEquals(1, problems("signal", List.of("span", "log")).size());
    }

    @Test
    void anUnknownOperatorIsAProblemWithAHint() {
        List<RuleProblem> p = problems("duration_ms", op("gteq", 5));
        assertEquals(1, p.size());
        assertEquals("unknown operator 'gteq'", p.get(0).message);
        assertEquals("did you mean 'gte'?", p.get(0).hint);
        assertEquals(
                "did you mean 'not_in'?", problems("x", op("notin", List.of())).get(0).hint);
    }

    @Test
    void badArgumentsAreProblems() {
        List<RuleProblem> regex = problems("body", op("regex", "([a-z"));
        assertEquals(1, regex.size());
        assertTrue(regex.get(0).message.startsWith("bad regex"), regex.get(0).message);
        List<RuleProblem> number = problems("duration_ms", op("gt", "slow"));
        assertEquals(1, number.size());
        assertEquals("gt needs a number, not 'slow'", number.get(0).message);
        assertEquals(1, problems("duration_ms", op("lt", null)).size());
        List<RuleProblem> empty = problems("service.name", null);
        assertEquals(1, empty.size());
        assertTrue(empty.get(0).message.contains("empty"), empty.get(0).message);
    }

    @Test
    void existsTakesOnlyTrueOrFalse() {
        assertEquals(1, problems("user.name", op("exists", "maybe")).size(), "not silently 'does not exist'");
        assertEquals(1, problems("user.name", op("exists", 1)).size());
        assertEquals(1, problems("user.name", op("exists", null)).size());
        assertTrue(compile("user.name", op("exists", "true")).test(span(1, "ok").attr("user.name", "x")));
        assertTrue(compile("user.name", op("exists", "false")).test(span(1, "ok")));
    }

    @Test
    void problemsPointAtTheConditionInTheFile() {
        RuleSpec s = spec("duration_ms", op("gteq", 5));
        s.source = "rules/latency.yaml:3";
        s.locations = Map.of(
                "match", new int[] {5, 1}, "match.duration_ms", new int[] {6, 3}, "match.duration_ms.gteq", new int[] {
                    6, 16
                });
        List<RuleProblem> p = new ArrayList<>();
        Match.compile(s, p);
        assertEquals(
                "rules/latency.yaml:6:16: unknown operator 'gteq' (did you mean 'gte'?)",
                p.get(0).toString());
    }
}
