package io.vigil.rules.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        // The frequency rule's test: its rule and expectations are stable, unlike the security pack's.
        String test = Files.readString(rules().resolve("tests/errors.test.yaml"))
                .replace("rule_files: [../errors]", "rule_files: [" + rules().resolve("errors") + "]")
                .replace("20 error logs from payments", "25 error logs from payments");
        Path f = dir.resolve("changed.test.yaml");
        Files.writeString(f, test);
        RuleTestRunner.Result r = RuleTestRunner.run(f);
        assertEquals(2, r.cases);
        assertEquals(1, r.passed);
        assertEquals(1, r.failures.size(), r.failures.toString());
        String diff = r.failures.get(0);
        assertTrue(diff.contains("    - {key={service.name=payments}"), diff);
        assertTrue(diff.contains("summary=25 error logs from payments"), diff);
        assertTrue(diff.contains("    + {key={service.name=payments}"), diff);
        assertTrue(diff.contains("summary=20 error logs from payments"), diff);
    }

    @Test
    void anUnexpectedAlertAndABadTestFileAreReported() throws Exception {
        Path f = dir.resolve("none.test.yaml");
        Files.writeString(
                f,
                "rule_files: [" + rules().resolve("errors/error-burst.yaml") + "]\n"
                        + "tests:\n"
                        + "  - input_records:\n"
                        + "      - repeat: 25\n"
                        + "        record: {signal: log, service: payments, severity: ERROR, body: timeout}\n"
                        + "    alert_rule_test:\n"
                        + "      - {eval_time: 1h, rule: service-error-burst, exp_alerts: []}\n");
        RuleTestRunner.Result r = RuleTestRunner.run(f);
        assertFalse(r.ok());
        assertTrue(r.failures.get(0).contains("+ {key={service.name=payments}"), r.failures.toString());

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
