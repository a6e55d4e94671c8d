package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Telemetry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CelConditionTest {
    @TempDir
    Path dir;

    private static RuleSpec rule(String where) {
        RuleSpec s = new RuleSpec();
        s.id = "r";
        s.name = "r";
        s.kind = "frequency";
        s.params.put("count", 1L);
        s.params.put("window", "1m");
        s.where = where;
        return s;
    }

    private static Telemetry slowCheckout() {
        return Telemetry.span(1000, "checkout", "GET /api/checkout", 400.5, "error")
                .attr("http.route", "/api/checkout")
                .attr("http.response.status_code", "503");
    }

    @Test
    void whereFiltersRecordsWithTopLevelFieldsMapsAndService() {
        CompiledRule r = RuleCompiler.compile(
                rule("service == 'checkout' && duration_ms > 250 && attributes['http.route'].startsWith('/api')"
                        + " && int(attributes['http.response.status_code']) >= 500"));
        assertTrue(r.filter.test(slowCheckout()));
        Telemetry fast = slowCheckout();
        fast.durationMs = 10;
        assertFalse(r.filter.test(fast));
    }

    @Test
    void absentTextFieldsReadAsEmptyAndMacrosWork() {
        CompiledRule r = RuleCompiler.compile(
                rule("body == '' && attributes.exists(k, k.startsWith('http.')) && has(resource.missing) == false"
                        + " && attributes[?'user.name'].orValue('nobody') == 'nobody'"));
        assertTrue(r.filter.test(slowCheckout()));
    }

    @Test
    void aMissingMapKeyIsAnEvaluationErrorNotAMatch() {
        CompiledRule r = RuleCompiler.compile(rule("attributes['user.name'] == 'root'"));
        CelCondition.ConditionException e =
                assertThrows(CelCondition.ConditionException.class, () -> r.filter.test(slowCheckout()));
        assertTrue(e.getMessage().contains("user.name"), e.getMessage());
    }

    @Test
    void typeErrorsPointAtTheExpressionInsideTheFile() throws Exception {
        Path f = dir.resolve("r.yaml");
        Files.writeString(
                f,
                String.join(
                        "\n",
                        "id: slow",
                        "name: Slow",
                        "kind: frequency",
                        "params: {count: 1, window: 1m}",
                        "where: duration_ms > 'x' && servce == 'a'",
                        ""));
        List<RuleProblem> problems = compileFile(f);
        assertEquals(2, problems.size(), problems.toString());
        assertEquals(5, problems.get(0).line);
        assertEquals(8 + "duration_ms ".length(), problems.get(0).column, problems.toString());
        assertTrue(problems.get(0).message.contains("no matching overload"), problems.toString());
        assertEquals(5, problems.get(1).line);
        assertEquals(8 + "duration_ms > 'x' && ".length(), problems.get(1).column, problems.toString());
        assertTrue(problems.get(1).hint.contains("did you mean 'service'"), problems.toString());
    }

    @Test
    void errorsInABlockScalarPointAtTheirOwnLine() throws Exception {
        Path f = dir.resolve("r.yaml");
        Files.writeString(
                f,
                String.join(
                        "\n",
                        "rules:",
                        "  - id: slow",
                        "    name: Slow",
                        "    kind: frequency",
                        "    params: {count: 1, window: 1m}",
                        "    where: |",
                        "      service == 'checkout' &&",
                        "        status == 1",
                        ""));
        List<RuleProblem> problems = compileFile(f);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals(8, problems.get(0).line, problems.toString());
        assertEquals(9 + "status ".length(), problems.get(0).column, problems.toString());
    }

    @Test
    void aNonBooleanConditionIsRejected() {
        RuleException e = assertThrows(RuleException.class, () -> RuleCompiler.compile(rule("duration_ms + 1.0")));
        assertTrue(e.getMessage().contains("where:"), e.getMessage());
    }

    @Test
    void theFilterSurvivesJavaSerializationAndCompilesAgainOnTheOtherSide() throws Exception {
        RecordFilter f = RuleCompiler.compile(rule("status == 'error'")).filter;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(f);
        }
        RecordFilter back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (RecordFilter) in.readObject();
        }
        assertTrue(back.test(slowCheckout()));
    }

    private static List<RuleProblem> compileFile(Path f) throws Exception {
        List<RuleSpec> specs = new ArrayList<>();
        List<RuleProblem> problems = new ArrayList<>();
        RuleLoader.read(f, specs, problems);
        assertTrue(problems.isEmpty(), problems.toString());
        for (RuleSpec s : specs) {
            RuleCompiler.compile(s, problems);
        }
        return problems;
    }
}
