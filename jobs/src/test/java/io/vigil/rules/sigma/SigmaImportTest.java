package io.vigil.rules.sigma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.rules.RuleValidator;
import io.vigil.rules.testing.RuleTestRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil rules import-sigma} on small Sigma rules written for this test ({@code src/test/resources/sigma}):
 * what translates validates and passes its generated tests through the real detectors; what does not is listed with
 * file:line and the reason.
 */
class SigmaImportTest {
    static final Path FIXTURES = Path.of("src/test/resources/sigma").toAbsolutePath();

    @TempDir
    static Path out;

    static SigmaImport.Result result;

    @BeforeAll
    static void translate() throws Exception {
        result = new SigmaImport(mapping()).run(List.of(FIXTURES), out);
    }

    /** The starter mapping, {@code rules/sigma/_mapping.yaml} of the repository. */
    static SigmaMapping mapping() throws Exception {
        Path root = FIXTURES;
        while (root != null && !Files.isRegularFile(root.resolve("rules/sigma/_mapping.yaml"))) {
            root = root.getParent();
        }
        if (root == null) {
            throw new IllegalStateException("rules/sigma/_mapping.yaml not found above " + FIXTURES);
        }
        return SigmaMapping.load(List.of(root.resolve("rules/sigma/_mapping.yaml")));
    }

    @Test
    void everyRuleNotTranslatedIsListedWithFileLineAndReason() {
        List<String> skipped = new ArrayList<>();
        result.skipped().forEach(s -> skipped.add(s.toString().replace(FIXTURES + "/", "")));
        assertEquals(
                List.of(
                        "process_rules.yml:43: modifier 'base64offset' is not translated",
                        "process_rules.yml:58: logsource {product=windows, category=process_creation} has no mapping "
                                + "(add one with --mapping)",
                        "temporal_rules.yml:70: temporal (any order) over 4 rules would be 24 sequence rules, one per"
                                + " order; at most 3 rules translate",
                        "temporal_rules.yml:90: condition {gte=2} asks for other than all 3 rules; a sequence needs"
                                + " every step (give no condition, or gte: 3)",
                        "temporal_rules.yml:97: correlation names correlation 'login_then_useradd': chained"
                                + " correlations are not translated (a Vigil rule reads records, not another rule's"
                                + " alerts)",
                        "temporal_rules.yml:113: alias 'account' names different fields [TargetUser, user.name] in"
                                + " the rules; a Vigil rule groups all its records by the same key_by fields"),
                skipped);
    }

    @Test
    void translatedRulesValidateAndTheirGeneratedTestsPassOnTheRealDetectors() throws Exception {
        assertEquals(16, result.rules().size(), result.rules().toString());
        assertEquals(16, result.tests().size(), result.tests().toString());
        RuleValidator.Report report = RuleValidator.validate(List.of(out));
        assertTrue(report.ok(), report.problems.toString());
        assertEquals(16, report.rules.size());

        try (RuleTestRunner runner = RuleTestRunner.start()) {
            for (Path test : result.tests()) {
                RuleTestRunner.Result r = runner.test(test);
                assertTrue(r.ok(), test + ": " + r.failures);
                assertTrue(r.cases >= 1, test.toString());
            }
        }
    }

    @Test
    void conditionsModifiersAndCorrelationsBecomeMatchWhereAndKinds() throws Exception {
        String outside = Files.readString(out.resolve("sigma-ssh-root-failed-outside.yaml"));
        assertTrue(outside.contains("service.name: sshd"), outside);
        assertTrue(outside.contains("!('source.ip' in attributes && attributes['source.ip'].matches('^10"), outside);
        assertTrue(outside.contains("(20|21|22|23)"), outside);

        String curl = Files.readString(out.resolve("sigma-curl-pipe-shell.yaml"));
        assertTrue(curl.contains("attributes['process.executable'].endsWith('/curl')"), curl);
        assertTrue(curl.contains("attributes['process.command_line'].contains('| sh')"), curl);
        assertTrue(curl.contains("event.category: process"), curl);

        String burst = Files.readString(out.resolve("sigma-auth-rules-five-root-failures-from-one-address.yaml"));
        assertTrue(
                burst.contains("kind: frequency") && burst.contains("count: 5") && burst.contains("window: 10m"),
                burst);
        assertTrue(burst.contains("key_by:\n- source.ip"), burst);

        String users = Files.readString(out.resolve("sigma-process-rules-many-users-tried-from-one-address.yaml"));
        assertTrue(
                users.contains("kind: cardinality") && users.contains("field: user.name") && users.contains("max: 2"),
                users);
    }

    @Test
    void temporalOrderedBecomesOneSequenceWithAStepPerRule() throws Exception {
        String seq = Files.readString(out.resolve("sigma-login-then-useradd.yaml"));
        assertTrue(seq.contains("kind: sequence") && seq.contains("within: 10m"), seq);
        assertTrue(seq.contains("key_by:\n- user.name"), seq);
        assertTrue(seq.indexOf("name: ssh_login_ok") < seq.indexOf("name: useradd_run"), "steps in the rules' order");
        assertTrue(seq.contains("service.name: sshd") && seq.contains("event.category: process"), "per-step logsource");
        assertTrue(seq.contains("where: \"'process.executable' in attributes"), seq);

        // The order matters: the same two records the other way round do not fire it.
        String generated = Files.readString(out.resolve("tests/sigma-login-then-useradd.test.yaml"));
        assertTrue(generated.contains("do not fire"), "the generated test has its negative case: " + generated);
        Path reversed = out.resolve("tests/reversed-login-then-useradd.test.yaml");
        Files.writeString(reversed, """
                rule_files: [../sigma-login-then-useradd.yaml]
                tests:
                  - name: an account created before the login does not fire
                    eval_until: 10m
                    input_records:
                      - at: 1m
                        record: {signal: log, attributes: {event.category: process, process.executable: /usr/sbin/useradd, user.name: eve}}
                      - at: 2m
                        record: {signal: log, service: sshd, attributes: {event.action: ssh_login, event.outcome: success, user.name: eve}}
                    alert_rule_test: [{eval_time: 10m, rule: sigma-login-then-useradd, exp_alerts: []}]
                  - name: the login first fires
                    eval_until: 10m
                    input_records:
                      - at: 1m
                        record: {signal: log, service: sshd, attributes: {event.action: ssh_login, event.outcome: success, user.name: eve}}
                      - at: 2m
                        record: {signal: log, attributes: {event.category: process, process.executable: /usr/sbin/useradd, user.name: eve}}
                    alert_rule_test: [{eval_time: 10m, rule: sigma-login-then-useradd, exp_alerts: [{severity: high}]}]
                """);
        try (RuleTestRunner runner = RuleTestRunner.start()) {
            RuleTestRunner.Result r = runner.test(reversed);
            assertTrue(r.ok(), r.failures.toString());
            assertEquals(2, r.cases);
        }
    }

    @Test
    void temporalBecomesOneSequencePerOrder() throws Exception {
        String first = Files.readString(out.resolve("sigma-temporal-rules-new-account-and-history-wiped-order-1.yaml"));
        String second =
                Files.readString(out.resolve("sigma-temporal-rules-new-account-and-history-wiped-order-2.yaml"));
        assertTrue(first.indexOf("name: useradd_run") < first.indexOf("name: history_cleared"), first);
        assertTrue(second.indexOf("name: history_cleared") < second.indexOf("name: useradd_run"), second);
        assertTrue(first.contains("within: 5m") && first.contains("kind: sequence"), first);
        assertTrue(
                result.rules().stream()
                        .noneMatch(p -> p.getFileName().toString().contains("wiped-order-3")),
                "two rules, two orders");
    }

    @Test
    void aFieldsSynthesisedValueKeepsItsEndswithPartLastAndItsStartswithPartFirst() throws Exception {
        // ends with ' /' and matches two regexes: the regexes' examples go before ' /', not after it
        String ls = Files.readString(out.resolve("tests/sigma-ls-root-inodes.test.yaml"));
        assertTrue(ls.contains("process.command_line: \"(: --d| --directory )(: --i| --inode ) /\""), ls);
        // contains '.sh' and starts with '/tmp/': the start goes first even though its selection comes second
        String tmp = Files.readString(out.resolve("tests/sigma-tmp-script-run.test.yaml"));
        assertTrue(tmp.contains("process.command_line: /tmp/.sh"), tmp);
        // that these records fire their rules on the real detectors is checked with every generated test above
    }

    @Test
    void twoImportsWriteTheSameBytesWithKeysInSourceOrder(@TempDir Path again) throws Exception {
        SigmaImport.Result second = new SigmaImport(mapping()).run(List.of(FIXTURES), again);
        assertEquals(
                result.rules().size() + result.tests().size(),
                second.rules().size() + second.tests().size());
        for (Path p : second.rules()) {
            assertEquals(Files.readString(out.resolve(p.getFileName())), Files.readString(p), p.toString());
        }
        for (Path p : second.tests()) {
            assertEquals(
                    Files.readString(out.resolve("tests").resolve(p.getFileName())), Files.readString(p), p.toString());
        }
        // Within one JVM a Map.of would iterate the same way twice, so also pin the order itself: the order the
        // generator writes (not Map.of's, which changes from one JVM run to the next).
        String rule = Files.readString(out.resolve("sigma-ls-root-inodes.yaml"));
        assertTrue(rule.contains("params:\n  count: 1\n  window: 1m\n"), rule);
        String test = Files.readString(out.resolve("tests/sigma-ls-root-inodes.test.yaml"));
        assertTrue(
                test.contains(
                        "  - eval_time: 10m\n    rule: sigma-ls-root-inodes\n    exp_alerts:\n    - severity: low"),
                test);
        String users = Files.readString(out.resolve("sigma-process-rules-many-users-tried-from-one-address.yaml"));
        assertTrue(users.contains("params:\n  field: user.name\n  max: 2\n  window: 1h\n"), users);
    }

    @Test
    void conditionsParseWithSigmaPrecedence() {
        assertEquals(
                new SigmaCondition.Or(List.of(
                        new SigmaCondition.Ref("a"),
                        new SigmaCondition.And(List.of(
                                new SigmaCondition.Ref("b"), new SigmaCondition.Not(new SigmaCondition.Ref("c")))))),
                SigmaCondition.parse("a or b and not c"));
        assertEquals(
                new SigmaCondition.And(List.of(
                        new SigmaCondition.Or(List.of(new SigmaCondition.Ref("a"), new SigmaCondition.Ref("b"))),
                        new SigmaCondition.Of(false, "sel_*"))),
                SigmaCondition.parse("(a or b) and 1 of sel_*"));
    }
}
