package io.vigil.rules;

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

/** {@code for} and {@code keep_firing_for} in rule files: parsed to durations, problems at file:line. */
class AntiFlapRulesTest {
    @TempDir
    Path dir;

    private static final String LATENCY = String.join(
            "\n",
            "id: checkout-latency", // 1
            "name: Checkout latency", // 2
            "kind: threshold", // 3
            "match: {signal: span}", // 4
            "params: {aggregate: p95, window: 5m, bound: 500}", // 5
            "");

    private List<CompiledRule> compile(String text) throws IOException {
        Path f = dir.resolve("r.yaml");
        Files.writeString(f, text);
        return RuleCompiler.compileAll(RuleLoader.load(List.of(f)));
    }

    private List<String> problems(String text) {
        RuleException e = assertThrows(RuleException.class, () -> compile(text));
        List<String> out = new ArrayList<>();
        for (RuleProblem p : e.problems()) {
            out.add(p.toString().replace(dir.toString() + "/", ""));
        }
        return out;
    }

    @Test
    void durationsCompileToMilliseconds() throws IOException {
        CompiledRule r = compile(LATENCY + "for: 5m\nkeep_firing_for: 1h30m\n").get(0);
        assertEquals(300_000, r.forMillis);
        assertEquals(5_400_000, r.keepFiringForMillis);
        CompiledRule plain = compile(LATENCY).get(0);
        assertEquals(0, plain.forMillis);
        assertEquals(0, plain.keepFiringForMillis);
    }

    @Test
    void aBadDurationIsReportedAtItsLine() {
        List<String> p = problems(LATENCY + "for: 5 minutes\nkeep_firing_for: soon\n");
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("r.yaml:6:1: bad duration '5 minutes'"), p.get(0));
        assertTrue(p.get(1).startsWith("r.yaml:7:1: bad duration 'soon'"), p.get(1));
    }

    @Test
    void kindsThatAlertOncePerEventRejectThem() {
        String change = String.join(
                "\n",
                "id: version-change", // 1
                "name: Version change", // 2
                "kind: change", // 3
                "match: {signal: metric}", // 4
                "key_by: [service.name]", // 5
                "params: {field: service.version}", // 6
                "keep_firing_for: 10m", // 7
                "");
        List<String> p = problems(change);
        assertEquals(1, p.size(), p.toString());
        assertTrue(
                p.get(0).startsWith("r.yaml:7:1: kind 'change' alerts once per event, so it has no condition"),
                p.get(0));
    }
}
