package io.vigil.detect.list;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.DetectorHarness;
import io.vigil.detect.security.TestRules;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deny and allow lists: exact values, IPv4/IPv6 CIDR ranges, list files next to the rule. */
class ListKindTest {
    static final long T0 = 1_793_577_600_000L;
    static final String DENY = """
            id: denied-source
            name: Login attempt from a denied address
            kind: list
            match: {signal: log, event.category: authentication}
            key_by: [source.ip]
            params:
              field: source.ip
              values: [203.0.113.0/24, 198.51.100.23, "2001:db8::/32", evil]
            """;

    static Telemetry from(String ip) {
        return Telemetry.log(T0, "sshd", "INFO", "x")
                .attr("event.category", "authentication")
                .attr("source.ip", ip);
    }

    @Test
    void cidrAndExactEntriesMatch() {
        ListDetector d = (ListDetector) TestRules.compile(DENY).detector;
        assertTrue(d.listed("203.0.113.45"));
        assertTrue(d.listed("203.0.113.0"));
        assertFalse(d.listed("203.0.114.1"));
        assertTrue(d.listed("198.51.100.23"));
        assertFalse(d.listed("198.51.100.24"));
        assertTrue(d.listed("2001:db8:0:1::5"));
        assertFalse(d.listed("2001:db9::1"));
        assertTrue(d.listed("evil"));
        assertFalse(d.listed("evil.example.com"), "host names are never resolved");
        assertFalse(d.listed("300.1.1.1"));
    }

    @Test
    void denyListAlertsOnListedValuesOnly() throws Exception {
        try (var h = DetectorHarness.of(DENY)) {
            h.send(from("10.0.0.1"));
            h.send(from("203.0.113.45"));
            h.send(from("203.0.113.45")); // same id: the realert stage de-duplicates; here both are emitted
            assertEquals(2, h.alerts().size());
            assertEquals("203.0.113.45", h.alerts().get(0).annotations.get("value"));
            assertEquals(
                    "Login attempt from a denied address: source.ip 203.0.113.45 is on the deny list",
                    h.alerts().get(0).message);
            h.watermark(T0 + 120_000L);
            assertEquals(0, h.keyedStateEntries(), "keys seen once keep nothing once the watermark passes");
            assertEquals(0, h.timers());
        }
    }

    @Test
    void allowListAlertsOnEverythingElse() throws Exception {
        try (var h = DetectorHarness.of(DENY.replace("field: source.ip", "field: source.ip\n  mode: allow")
                .replace("[203.0.113.0/24, 198.51.100.23, \"2001:db8::/32\", evil]", "[10.0.0.0/8]"))) {
            h.send(from("10.1.2.3"));
            h.send(from("192.0.2.77"));
            assertEquals(1, h.alerts().size());
            assertEquals("not_in", h.alerts().get(0).comparison);
        }
    }

    @Test
    void aListFileNextToTheRuleIsInlinedIntoTheRule(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("lists"));
        Files.writeString(dir.resolve("lists/bad.txt"), "# known bad\n203.0.113.0/24   # scanner net\n\nbad-user\n");
        Path rule = dir.resolve("deny.yaml");
        Files.writeString(
                rule,
                DENY.replace(
                        "  values: [203.0.113.0/24, 198.51.100.23, \"2001:db8::/32\", evil]\n",
                        "  file: lists/bad.txt\n"));
        List<RuleSpec> specs = RuleLoader.load(List.of(rule));
        CompiledRule r = RuleCompiler.compile(specs.get(0));
        assertTrue(((ListDetector) r.detector).listed("203.0.113.9"));
        assertTrue(r.json.contains("\"values\":[\"203.0.113.0/24\",\"bad-user\"]"), r.json);
        assertFalse(r.json.contains("bad.txt"), "task managers get the entries, not a path: " + r.json);
    }

    @Test
    void parameterProblemsAreClear(@TempDir Path dir) throws Exception {
        assertEquals(
                List.of("8:3: bad prefix length in '203.0.113.0/33'; expected /0 to /32"),
                TestRules.problems(DENY.replace("203.0.113.0/24", "203.0.113.0/33")));
        assertEquals(
                List.of("8:3: mode must be one of deny, allow, not 'block'"),
                TestRules.problems(DENY.replace("  field: source.ip\n", "  field: source.ip\n  mode: block\n")));
        Path rule = dir.resolve("r.yaml");
        Files.writeString(
                rule,
                DENY.replace(
                        "  values: [203.0.113.0/24, 198.51.100.23, \"2001:db8::/32\", evil]\n",
                        "  file: missing.txt\n"));
        List<String> problems = TestRules.problems(Files.readString(rule));
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("8:3: cannot read list file "), problems.get(0));
    }
}
