package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each class of rule error is reported at its file:line:col with a useful hint. */
class RuleValidatorTest {
    @TempDir
    Path dir;

    private RuleProblem only(String yaml) throws IOException {
        Path f = dir.resolve("r.yaml");
        Files.writeString(f, yaml);
        RuleValidator.Report r = RuleValidator.validate(List.of(f));
        assertEquals(1, r.problems.size(), r.problems.toString());
        return r.problems.get(0);
    }

    private static final String HEAD = "id: a\nname: A\nkind: frequency\n";

    private static void at(RuleProblem p, int line, int col, String text) {
        assertEquals(line + ":" + col, p.line + ":" + p.column, p.toString());
        assertTrue(p.toString().contains(text), p.toString());
        assertTrue(p.toString().startsWith(p.file + ":" + line + ":" + col + ": "), p.toString());
    }

    @Test
    void unknownFieldWithDidYouMean() throws IOException {
        at(only(HEAD + "params: {count: 5, window: 1m}\nseverty: high\n"), 5, 1, "did you mean 'severity'");
    }

    @Test
    void wrongType() throws IOException {
        at(only(HEAD + "params: {count: 5, window: 1m}\nkey_by: {a: b}\n"), 5, 1, "wrong type");
    }

    @Test
    void badDuration() throws IOException {
        at(only(HEAD + "params:\n  count: 5\n  window: 5 minutes\n"), 6, 3, "bad duration '5 minutes'");
    }

    @Test
    void impossibleParameter() throws IOException {
        at(
                only("id: a\nname: A\nkind: threshold\nparams:\n  window: 5m\n  slide: 2m\n  bound: 1\n"
                        + "  field: value\n"),
                6,
                3,
                "must divide the window");
    }

    @Test
    void unknownKindWithDidYouMean() throws IOException {
        at(only("id: a\nname: A\nkind: treshold\n"), 3, 1, "did you mean 'threshold'");
    }

    @Test
    void unknownAttributeNameWithDidYouMean() throws IOException {
        at(
                only(HEAD + "params: {count: 5, window: 1m}\nmatch:\n  servce.name: cart\n"),
                6,
                3,
                "did you mean 'service.name'");
    }

    @Test
    void unknownTemplateVariable() throws IOException {
        at(
                only(HEAD + "params: {count: 5, window: 1m}\nannotations:\n  summary: '{{ obseved }} errors'\n"),
                6,
                3,
                "did you mean 'observed'");
    }

    @Test
    void celSyntaxError() throws IOException {
        at(
                only(HEAD + "params: {count: 5, window: 1m}\nwhere: status == 'error' &&\n"),
                5,
                8 + 20,
                "where: mismatched input");
    }

    @Test
    void duplicateIdsAcrossFiles() throws IOException {
        Files.writeString(dir.resolve("one.yaml"), HEAD + "params: {count: 5, window: 1m}\n");
        Files.writeString(dir.resolve("two.yaml"), "# again\n" + HEAD + "params: {count: 5, window: 1m}\n");
        RuleValidator.Report r = RuleValidator.validate(List.of(dir));
        assertEquals(1, r.problems.size(), r.problems.toString());
        at(r.problems.get(0), 2, 1, "duplicate rule id 'a'");
        assertTrue(r.problems.get(0).hint.contains("one.yaml"), r.problems.toString());
    }

    @Test
    void yamlSyntaxError() throws IOException {
        at(only(HEAD + "params: {count: 5, window: 1m\n"), 4, 30, "YAML syntax error");
    }
}
