package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vigil rules ...}: exit codes and output as an author and a CI script see them. */
class RulesCommandTest {
    @TempDir
    Path dir;

    static final Path RULES = rules();

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return VigilCli.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
    }

    @Test
    void validateAcceptsTheRulePack() {
        assertEquals(0, run("rules", "validate", RULES.toString()), err.toString());
        assertTrue(out.toString().startsWith("OK: "), out.toString());
    }

    @Test
    void validatePrintsEveryProblemAsFileLineColumnAndExitsOne() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(
                f,
                "id: bad\nname: Bad\nkind: frequency\nparams: {count: 5, window: 1m}\n"
                        + "where: duration_ms > 'slow'\nmatch: {servce.name: cart}\n");
        assertEquals(1, run("rules", "validate", f.toString()));
        String e = err.toString();
        assertTrue(e.contains(f + ":5:20: where: found no matching overload"), e);
        assertTrue(e.contains(f + ":6:9: unknown field 'servce.name' (did you mean 'service.name'?)"), e);
        assertTrue(e.contains("2 problem(s) in 1 file(s)"), e);
    }

    @Test
    void testRunsRuleTestsAndFailsWithADiff() throws Exception {
        assertEquals(
                0, run("rules", "test", RULES.resolve("tests/latency.test.yaml").toString()), err.toString());
        assertTrue(out.toString().contains("PASS "), out.toString());

        Path changed = dir.resolve("changed.test.yaml");
        Files.writeString(
                changed,
                Files.readString(RULES.resolve("tests/errors.test.yaml"))
                        .replace("[../errors]", "[" + RULES.resolve("errors") + "]")
                        .replace("window_end: 3h10m20s", "window_end: 3h11m"));
        assertEquals(1, run("rules", "test", changed.toString()));
        assertTrue(out.toString().contains("FAIL " + changed), out.toString());
        assertTrue(
                err.toString().contains("- {key={service.name=payments}, severity=high, window_end=3h11m"),
                err.toString());
        assertTrue(
                err.toString().contains("+ {key={service.name=payments}, severity=high, window_end=3h10m20s"),
                err.toString());
    }

    @Test
    void pushRefusesInvalidRulesBeforeTouchingKafkaAndWrongUsageExitsTwo() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "id: bad\nname: Bad\nkind: frequency\nparams: {count: 0, window: 1m}\n");
        // No broker at this address: the rules are refused first, so nothing tries to connect.
        assertEquals(1, run("rules", "push", "--bootstrap-servers", "127.0.0.1:1", f.toString()));
        assertTrue(err.toString().contains(f + ":4:"), err.toString());
        assertTrue(err.toString().contains("nothing published"), err.toString());
        assertEquals(2, run("rules", "push"));
        assertEquals(2, run("rules", "push", "--prune", "--delete", "x"));
    }

    static Path rules() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("rules/schema.json"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("rules/ not found");
        }
        return p.resolve("rules");
    }
}
