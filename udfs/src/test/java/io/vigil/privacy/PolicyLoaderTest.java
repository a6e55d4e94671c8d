package io.vigil.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vigil.rules.RuleException;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleProblem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy file is read as rule files are: the same problems, at the same file:line:col, in the same words. */
class PolicyLoaderTest {
    @TempDir
    Path dir;

    @Test
    void aFieldGivenTwiceIsReportedAsInARuleFile() throws Exception {
        String text = String.join("\n", "dead_letters: keep", "hash: {length: 16}", "dead_letters: drop");
        Path file = Files.writeString(dir.resolve("_privacy.yaml"), text);
        RuleException e = assertThrows(RuleException.class, () -> PolicyLoader.load(file));
        assertEquals(List.of(file + ":3:1: duplicate field 'dead_letters' (first at line 1)"), messages(e));
        assertEquals(ruleLoaderProblems(file), messages(e));
    }

    @Test
    void aFileThatIsNotUtf8IsReportedAtItsFirstBadByte() throws Exception {
        byte[] latin1 = "hash: {length: 16}\n# r\u00e9sum\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        Path file = Files.write(dir.resolve("_privacy.yaml"), latin1);
        RuleException e = assertThrows(RuleException.class, () -> PolicyLoader.load(file));
        assertEquals(List.of(file + ":2:4: the file is not UTF-8 text (save it as UTF-8)"), messages(e));
        assertEquals(ruleLoaderProblems(file), messages(e));
    }

    @Test
    void aSecondYamlDocumentIsRefusedWhereItStarts() {
        RuleException e = assertThrows(
                RuleException.class, () -> PolicyLoader.parse("dead_letters: keep\n---\nhash: {length: 8}\n", "p"));
        assertEquals(List.of("p:3:1: a policy file holds one YAML document"), messages(e));
    }

    private static List<String> messages(RuleException e) {
        return e.problems().stream().map(RuleProblem::toString).toList();
    }

    private static List<String> ruleLoaderProblems(Path file) throws Exception {
        List<RuleProblem> problems = new ArrayList<>();
        RuleLoader.read(file, new ArrayList<>(), problems);
        return problems.stream().map(RuleProblem::toString).toList();
    }
}
