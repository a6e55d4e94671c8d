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
        Path root = FIXTURES;
        while (root != null && !Files.isRegularFile(root.resolve("rules/sigma/_mapping.yaml"))) {
            root = root.getParent();
        }
        if (root == null) {
            throw new IllegalStateException("rules/sigma/_mapping.yaml not found above " + FIXTURES);
        }
        SigmaMapping mapping = SigmaMapping.load(List.of(root.resolve("rules/sigma/_mapping.yaml")));
        result = new SigmaImport(mapping).run(List.of(FIXTURES), out);
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
                        "process_rules.yml:50: correlation type 'temporal_ordered' is not translated (temporal ones "
                                + "would be Vigil sequences)"),
                skipped);
    }

    @Test
    void translatedRulesValidateAndTheirGeneratedTestsPassOnTheRealDetectors() throws Exception {
        assertEquals(5, result.rules().size(), result.rules().toString());
        assertEquals(5, result.tests().size(), result.tests().toString());
        RuleValidator.Report report = RuleValidator.validate(List.of(out));
        assertTrue(report.ok(), report.problems.toString());
        assertEquals(5, report.rules.size());

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
