package io.vigil.rules.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rule tests shipped under rules/tests pass, and a changed expectation fails with a readable diff. */
class RuleUnitTestsTest {
    @TempDir
    Path dir;

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

    @Test
    void everyShippedRuleTestPasses() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.walk(rules().resolve("tests"))) {
            files = s.filter(f -> f.toString().endsWith(".test.yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 4, files.toString());
        List<String> failures = new ArrayList<>();
        try (RuleTestRunner runner = RuleTestRunner.start()) {
            for (Path f : files) {
                RuleTestRunner.Result r = runner.test(f);
                failures.addAll(r.failures);
                assertTrue(r.cases > 0, f.toString());
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void aChangedExpectationFailsWithADiff() throws Exception {
        String test = Files.readString(rules().resolve("tests/security.test.yaml"))
                .replace("rule_files: [../security/ssh-brute-force.yaml]",
                        "rule_files: [" + rules().resolve("security/ssh-brute-force.yaml") + "]")
                .replace("20 failed SSH logins", "25 failed SSH logins");
        Path f = dir.resolve("changed.test.yaml");
        Files.writeString(f, test);
        RuleTestRunner.Result r = RuleTestRunner.run(f);
        assertEquals(2, r.cases);
        assertEquals(1, r.passed);
        assertEquals(1, r.failures.size(), r.failures.toString());
        String diff = r.failures.get(0);
        assertTrue(diff.contains("    - {key={source.ip=203.0.113.45}"), diff);
        assertTrue(diff.contains("summary=25 failed SSH logins"), diff);
        assertTrue(diff.contains("    + {key={source.ip=203.0.113.45}"), diff);
        assertTrue(diff.contains("summary=20 failed SSH logins"), diff);
    }

    @Test
    void anUnexpectedAlertAndABadTestFileAreReported() throws Exception {
        Path f = dir.resolve("none.test.yaml");
        Files.writeString(f, "rule_files: [" + rules().resolve("security/ssh-brute-force.yaml") + "]\n"
                + "tests:\n"
                + "  - input_records:\n"
                + "      - repeat: 25\n"
                + "        record: {signal: log, attributes: {event.outcome: failure, source.ip: 1.2.3.4},"
                + " service: sshd}\n"
                + "    alert_rule_test:\n"
                + "      - {eval_time: 1h, rule: ssh-brute-force, exp_alerts: []}\n");
        RuleTestRunner.Result r = RuleTestRunner.run(f);
        assertFalse(r.ok());
        assertTrue(r.failures.get(0).contains("+ {key={source.ip=1.2.3.4}"), r.failures.toString());

        Files.writeString(f, "rule_files: [x.yaml]\ntest: []\n");
        r = RuleTestRunner.run(f);
        assertTrue(r.failures.get(0).contains("unknown field 'test'"), r.failures.toString());
    }

    @Test
    void seriesNotationExpandsLikePromtool() {
        assertEquals(List.of(1.0, 2.0, 3.0, 4.0), SeriesNotation.expand("1+1x3"));
        assertEquals(List.of(10.0, 8.0, 6.0), SeriesNotation.expand("10-2x2"));
        List<Double> gaps = new ArrayList<>();
        gaps.add(5.0);
        gaps.add(null);
        gaps.add(null);
        gaps.add(7.0);
        assertEquals(gaps, SeriesNotation.expand("5 _x1 7"));
        assertEquals(List.of(-1.5, -1.5), SeriesNotation.expand("-1.5x1"));
    }
}
