package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rule files: the three forms, which files are rules, and problems at file:line:col with hints. */
class RuleLoaderTest {
    @TempDir
    Path dir;

    private static final String LATENCY = String.join(
            "\n",
            "id: checkout-latency", // 1
            "name: Checkout latency", // 2
            "kind: threshold", // 3
            "severity: high", // 4
            "match:", // 5
            "  signal: span", // 6
            "  service.name: checkout", // 7
            "key_by: [service.name]", // 8
            "params:", // 9
            "  aggregate: p95", // 10
            "  window: 5m", // 11
            "  bound: 500", // 12
            "");

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
        return f;
    }

    /** A rule as an item of a YAML list whose dashes start at column {@code 1 + at.length()}. */
    private static String item(String text, String at) {
        StringBuilder b = new StringBuilder();
        boolean first = true;
        for (String line : text.split("\n")) {
            b.append(at).append(first ? "- " : "  ").append(line).append('\n');
            first = false;
        }
        return b.toString();
    }

    private static String indent(String text) {
        return item(text, "  ");
    }

    private List<String> problems(String name, String text) throws IOException {
        Path f = write(name, text);
        RuleException e = assertThrows(RuleException.class, () -> RuleCompiler.compileAll(RuleLoader.load(List.of(f))));
        List<String> out = new ArrayList<>();
        for (RuleProblem p : e.problems()) {
            out.add(p.toString().replace(dir.toString() + "/", ""));
        }
        return out;
    }

    @Test
    void aFileWithOneRule() throws IOException {
        Path f = write("latency.yaml", LATENCY);
        List<RuleSpec> specs = RuleLoader.load(List.of(f));
        assertEquals(1, specs.size());
        RuleSpec s = specs.get(0);
        assertEquals("checkout-latency", s.id);
        assertEquals("threshold", s.kind);
        assertEquals("high", s.severity);
        assertEquals(List.of("service.name"), s.keyBy);
        assertEquals("checkout", s.match.get("service.name"));
        assertEquals(500L, ((Number) s.params.get("bound")).longValue());
        assertEquals(f + ":1", s.source);
        assertArrayEquals(new int[] {11, 3}, s.locations().get("params.window"));
        assertArrayEquals(new int[] {9, 1}, s.locations().get("params"));
        RuleCompiler.compile(s);
    }

    @Test
    void aFileWithAListOfRules() throws IOException {
        String second = LATENCY.replace("checkout-latency", "cart-latency")
                .replace("service.name: checkout", "service.name: cart");
        Path f = write("latency.yaml", "# two rules\n" + item(LATENCY, "") + item(second, ""));
        List<RuleSpec> specs = RuleLoader.load(List.of(f));
        assertEquals(
                List.of("checkout-latency", "cart-latency"),
                specs.stream().map(s -> s.id).toList());
        assertEquals(f + ":2", specs.get(0).source);
        assertArrayEquals(new int[] {12, 5}, specs.get(0).locations().get("params.window"));
        assertEquals(f + ":14", specs.get(1).source);
        assertArrayEquals(new int[] {24, 5}, specs.get(1).locations().get("params.window"));
        assertEquals("cart", specs.get(1).match.get("service.name"));
    }

    @Test
    void aFileWithRulesKey() throws IOException {
        String second = LATENCY.replace("checkout-latency", "cart-latency");
        Path f = write("latency.yaml", "rules:\n" + indent(LATENCY) + indent(second));
        List<RuleSpec> specs = RuleLoader.load(List.of(f));
        assertEquals(
                List.of("checkout-latency", "cart-latency"),
                specs.stream().map(s -> s.id).toList());
        assertEquals(f + ":2", specs.get(0).source);
        assertEquals(f + ":14", specs.get(1).source);
        assertArrayEquals(new int[] {24, 7}, specs.get(1).locations().get("params.window"));
    }

    @Test
    void severalYamlDocumentsInOneFile() throws IOException {
        String second = LATENCY.replace("checkout-latency", "cart-latency");
        Path f = write("latency.yaml", LATENCY + "---\n" + second);
        List<RuleSpec> specs = RuleLoader.load(List.of(f));
        assertEquals(2, specs.size());
        assertEquals(f + ":14", specs.get(1).source);
        assertArrayEquals(new int[] {24, 3}, specs.get(1).locations().get("params.window"));
    }

    @Test
    void onlyYamlFilesThatAreNotDraftsOrTestsAreRules() throws IOException {
        write("b/latency.yaml", LATENCY);
        write("a/errors.yml", LATENCY.replace("checkout-latency", "errors"));
        write("a/_draft.yaml", "this: is not checked");
        write("b/latency.test.yaml", "rule_files: [latency.yaml]");
        write("README.md", "# rules");
        write("a/notes.txt", "x");
        List<Path> files = RuleLoader.ruleFiles(List.of(dir));
        assertEquals(List.of(dir.resolve("a/errors.yml"), dir.resolve("b/latency.yaml")), files);
        assertEquals(2, RuleLoader.load(List.of(dir)).size());
    }

    @Test
    void aConfigMapVolumeLoadsEachRuleOnce() throws IOException {
        // The layout Kubernetes gives a mounted ConfigMap: the files in a hidden timestamped folder, '..data' linking
        // to it, and each key a link through '..data'.
        write("..2026_12_04_14_40_00.000000001/latency.yaml", LATENCY);
        write("..2026_12_04_14_40_00.000000001/errors.yaml", LATENCY.replace("checkout-latency", "errors"));
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..2026_12_04_14_40_00.000000001"));
        Files.createSymbolicLink(dir.resolve("latency.yaml"), Path.of("..data/latency.yaml"));
        Files.createSymbolicLink(dir.resolve("errors.yaml"), Path.of("..data/errors.yaml"));
        write(".latency.yaml.swp", "not: a rule");

        assertEquals(
                List.of(dir.resolve("errors.yaml"), dir.resolve("latency.yaml")), RuleLoader.ruleFiles(List.of(dir)));
        assertEquals(2, RuleLoader.load(List.of(dir)).size());
    }

    @Test
    void aFileNamedExplicitlyIsReadEvenIfItWouldBeSkippedInAFolder() throws IOException {
        Path f = write("_draft.yaml", LATENCY);
        assertEquals(1, RuleLoader.load(List.of(f)).size());
    }

    @Test
    void anUnknownFieldIsReportedAtItsLineWithTheNearestFieldName() throws IOException {
        assertEquals(
                List.of("latency.yaml:5:1: unknown field 'severty' (did you mean 'severity'?)"),
                problems("latency.yaml", LATENCY.replace("match:", "severty: low\nmatch:")));
    }

    @Test
    void anUnknownFieldFarFromAnyNameListsTheKnownFields() throws IOException {
        List<String> p = problems("latency.yaml", LATENCY + "escalation_policy: pager\n");
        assertEquals(1, p.size());
        assertTrue(
                p.get(0).startsWith("latency.yaml:13:1: unknown field 'escalation_policy' (known fields: "), p.get(0));
        assertTrue(p.get(0).contains("key_by"), p.get(0));
    }

    @Test
    void anUnknownFieldInTheSecondRuleOfAList() throws IOException {
        String second = LATENCY.replace("checkout-latency", "cart-latency").replace("kind:", "knd: x\nkind:");
        List<String> p = problems("latency.yaml", "rules:\n" + indent(LATENCY) + indent(second));
        assertEquals(List.of("latency.yaml:16:5: unknown field 'knd' (did you mean 'kind'?)"), p);
    }

    @Test
    void aBadDurationIsReportedAtItsValue() throws IOException {
        List<String> p = problems("latency.yaml", LATENCY.replace("window: 5m", "window: 5 minutes"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("latency.yaml:11:3: bad duration '5 minutes'; expected e.g. 30s"), p.get(0));
        List<String> r = problems("r.yaml", LATENCY + "realert: 1 hour\n");
        assertTrue(r.get(0).startsWith("r.yaml:13:1: bad duration '1 hour'"), r.toString());
    }

    @Test
    void aBadSeverityIsReportedWithTheNearestOne() throws IOException {
        assertEquals(
                List.of("latency.yaml:4:1: severity must be one of info, low, medium, high, critical"
                        + " (did you mean 'critical'?)"),
                problems("latency.yaml", LATENCY.replace("severity: high", "severity: critcal")));
    }

    @Test
    void anUnknownKindIsReportedWithTheNearestOne() throws IOException {
        assertEquals(
                List.of("latency.yaml:3:1: unknown rule kind 'treshold' (did you mean 'threshold'?)"),
                problems("latency.yaml", LATENCY.replace("kind: threshold", "kind: treshold")));
    }

    @Test
    void anUnknownParameterIsReportedAtItsLine() throws IOException {
        assertEquals(
                List.of(
                        "latency.yaml:12:3: unknown parameter 'bund' for kind threshold (did you mean 'bound'?)",
                        "latency.yaml:9:1: missing parameter 'bound'"),
                problems("latency.yaml", LATENCY.replace("bound:", "bund:")));
    }

    @Test
    void duplicateIdsAcrossFilesAreReportedAtTheSecondWithTheFirst() throws IOException {
        write("a.yaml", LATENCY);
        write("b.yaml", "# the same id again\n" + LATENCY);
        RuleException e =
                assertThrows(RuleException.class, () -> RuleCompiler.compileAll(RuleLoader.load(List.of(dir))));
        assertEquals(1, e.problems().size());
        assertEquals(
                dir.resolve("b.yaml") + ":2:1: duplicate rule id 'checkout-latency' (first defined at "
                        + dir.resolve("a.yaml") + ":1)",
                e.problems().get(0).toString());
    }

    @Test
    void aWrongTypeIsReportedAtTheField() throws IOException {
        List<String> p =
                problems("latency.yaml", LATENCY.replace("key_by: [service.name]", "key_by: {service.name: 1}"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("latency.yaml:8:1: field 'key_by': wrong type"), p.get(0));
    }

    @Test
    void yamlSyntaxErrorsHaveALine() throws IOException {
        List<String> p = problems("broken.yaml", "id: x\nname: [unclosed\nkind: threshold\n");
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).matches("(?s)broken\\.yaml:\\d+:\\d+: YAML syntax error: .*"), p.get(0));
        assertTrue(!p.get(0).startsWith("broken.yaml:1:"), "points past the first line: " + p.get(0));
    }

    @Test
    void rulesMustBeAListAndRulesMustBeMappings() throws IOException {
        assertEquals(List.of("x.yaml:1:1: 'rules' must be a list of rules"), problems("x.yaml", "rules: 3\n"));
        List<String> p = problems("y.yaml", "- just a string\n- " + LATENCY.replace("\n", "\n  "));
        assertEquals(List.of("y.yaml:1:3: a rule must be a mapping of fields"), p);
    }

    @Test
    void problemsOfEveryFileAreReportedTogether() throws IOException {
        write("a.yaml", LATENCY.replace("severity: high", "severity: hi"));
        write("b.yaml", LATENCY.replace("checkout-latency", "b").replace("kind: threshold", "kind: thresold"));
        write("c.yaml", "id: c\nnme: typo\n");
        RuleException e = assertThrows(RuleException.class, () -> RuleLoader.load(List.of(dir)));
        assertEquals(1, e.problems().size(), "form problems stop loading: " + e.getMessage());
        assertTrue(e.getMessage().contains("c.yaml:2:1: unknown field 'nme'"), e.getMessage());
        List<RuleSpec> ok = new ArrayList<>();
        List<RuleProblem> problems = new ArrayList<>();
        RuleLoader.read(dir.resolve("a.yaml"), ok, problems);
        RuleLoader.read(dir.resolve("b.yaml"), ok, problems);
        RuleException c = assertThrows(RuleException.class, () -> RuleCompiler.compileAll(ok));
        assertEquals(2, c.problems().size(), c.getMessage());
    }

    @Test
    void aFieldWrittenTwiceIsAProblemNotASilentOverride() throws IOException {
        assertEquals(
                List.of("latency.yaml:13:3: duplicate field 'window' (first at line 11)"),
                problems("latency.yaml", LATENCY + "  window: 10m\n"));
        assertEquals(
                List.of("m.yaml:13:1: duplicate field 'match' (first at line 5)"),
                problems("m.yaml", LATENCY + "match: {signal: log}\n"));
    }

    @Test
    void aFileThatIsNotUtf8IsAProblemAtItsFirstBadCharacter() throws IOException {
        Path f = dir.resolve("latin1.yaml");
        byte[] text = LATENCY.replace("name: Checkout latency", "name: Latence caf\u00e9")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(f, text);
        RuleException e = assertThrows(RuleException.class, () -> RuleLoader.load(List.of(f)));
        assertEquals(
                List.of(f + ":2:18: the file is not UTF-8 text (save it as UTF-8)"),
                e.problems().stream().map(RuleProblem::toString).toList());
    }

    @Test
    void anEmptyFileHasNoRules() throws IOException {
        assertEquals(List.of(), RuleLoader.load(List.of(write("empty.yaml", "# nothing yet\n"))));
    }
}
