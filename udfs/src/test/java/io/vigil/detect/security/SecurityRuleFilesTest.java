package io.vigil.detect.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleException;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every starter rule under rules/security (and the CEP rule under rules/errors) loads and compiles cleanly. */
class SecurityRuleFilesTest {
    static final Path SECURITY = Path.of("..", "rules", "security");
    static final Path ERRORS_SEQUENCE = Path.of("..", "rules", "errors", "error-burst-then-deploy.yaml");

    @Test
    void everySecurityRuleFileLoadsAndCompiles() throws Exception {
        List<RuleSpec> specs;
        List<CompiledRule> rules;
        try {
            specs = RuleLoader.load(List.of(SECURITY, ERRORS_SEQUENCE));
            rules = RuleCompiler.compileAll(specs);
        } catch (RuleException e) {
            fail("starter rules have problems:\n"
                    + e.problems().stream().map(Object::toString).collect(Collectors.joining("\n")));
            return;
        }
        Map<String, String> kinds = rules.stream().collect(Collectors.toMap(CompiledRule::id, r -> r.spec.kind));
        assertEquals(
                Map.ofEntries(
                        Map.entry("ssh-brute-force", "sequence"),
                        Map.entry("error-burst-then-deploy", "sequence"),
                        Map.entry("ssh-new-country", "new_term"),
                        Map.entry("ssh-new-key", "new_term"),
                        Map.entry("password-spraying", "cardinality"),
                        Map.entry("port-scan", "cardinality"),
                        Map.entry("ssh-invalid-user-enumeration", "cardinality"),
                        Map.entry("denied-source-login", "list"),
                        Map.entry("sudo-root-unexpected-user", "list"),
                        Map.entry("ssh-failed-login-burst", "frequency"),
                        Map.entry("ssh-failed-login-user", "frequency"),
                        Map.entry("ssh-max-auth-tries", "frequency"),
                        Map.entry("ssh-root-login", "frequency"),
                        Map.entry("sudo-auth-failure", "frequency"),
                        Map.entry("sudo-denied", "frequency"),
                        Map.entry("account-created", "frequency"),
                        Map.entry("account-changed", "frequency"),
                        Map.entry("privileged-group-member", "frequency")),
                kinds);
        for (CompiledRule r : rules) {
            assertTrue(
                    r.spec.description != null && r.spec.description.length() > 40,
                    r.id() + " says what it catches and why its thresholds are what they are");
            assertTrue(r.realertMillis > 0, r.id() + " has a realert period");
            assertFalse(r.json.contains("\"file\""), "list files are inlined: " + r.id());
        }
    }
}
