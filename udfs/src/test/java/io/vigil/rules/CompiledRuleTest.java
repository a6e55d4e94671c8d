package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vigil.model.Telemetry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompiledRuleTest {
    private static final char SEP = CompiledRule.KEY_SEPARATOR;

    private static CompiledRule rule(String... keyBy) {
        RuleSpec s = new RuleSpec();
        s.id = "ssh-brute-force";
        s.name = "SSH brute force";
        s.kind = "frequency";
        s.match.put("signal", "log");
        s.keyBy = List.of(keyBy);
        s.params.put("count", 20);
        s.params.put("window", "1m");
        return RuleCompiler.compile(s);
    }

    private static Telemetry login() {
        return Telemetry.log(1L, "sshd", "WARN", "Failed password")
                .attr("source.ip", "203.0.113.45")
                .attr("user.name", "root")
                .res("host.name", "bastion-1");
    }

    @Test
    void theKeyIsTheRuleIdThenEachKeyValue() {
        CompiledRule r = rule("source.ip", "host.name");
        String key = r.keyOf(login());
        assertEquals("ssh-brute-force" + SEP + "203.0.113.45" + SEP + "bastion-1", key);
        assertEquals(List.of("source.ip", "host.name"), r.keyBy());
        assertEquals("ssh-brute-force", r.id());
    }

    @Test
    void keyFieldsComeBackInKeyByOrder() {
        CompiledRule r = rule("user.name", "source.ip", "host.name");
        Map<String, String> f = r.keyFields(r.keyOf(login()));
        assertEquals(List.of("user.name", "source.ip", "host.name"), List.copyOf(f.keySet()));
        assertEquals(Map.of("user.name", "root", "source.ip", "203.0.113.45", "host.name", "bastion-1"), f);
    }

    @Test
    void aMissingFieldKeysAsEmptyAndSurvivesTheRoundTrip() {
        CompiledRule r = rule("source.ip", "source.geo.country_iso_code", "user.name");
        String key = r.keyOf(login());
        assertEquals("ssh-brute-force" + SEP + "203.0.113.45" + SEP + SEP + "root", key);
        assertEquals(
                Map.of("source.ip", "203.0.113.45", "source.geo.country_iso_code", "", "user.name", "root"),
                r.keyFields(key));
    }

    @Test
    void aRuleWithoutKeyByHasOneKey() {
        CompiledRule r = rule();
        assertEquals("ssh-brute-force", r.keyOf(login()));
        assertEquals(Map.of(), r.keyFields("ssh-brute-force"));
    }

    @Test
    void ruleIdOfAnyRoutingKey() {
        assertEquals("ssh-brute-force", CompiledRule.ruleIdOf(rule("source.ip").keyOf(login())));
        assertEquals("ssh-brute-force", CompiledRule.ruleIdOf("ssh-brute-force"));
        assertEquals("a.b-c_d", CompiledRule.ruleIdOf("a.b-c_d" + SEP + SEP));
    }

    @Test
    void aValueHoldingTheSeparatorCannotShiftTheOtherKeyFields() {
        // An attacker picks the user name of a failed login; the alert must still name the attacker's own address.
        CompiledRule r = rule("user.name", "source.ip");
        Telemetry crafted = login().attr("user.name", "root" + SEP + "10.0.0.1");
        Map<String, String> f = r.keyFields(r.keyOf(crafted));
        assertEquals("root" + SEP + "10.0.0.1", f.get("user.name"));
        assertEquals("203.0.113.45", f.get("source.ip"));
        Telemetry a = login().attr("user.name", "a" + SEP + "b").attr("source.ip", "c");
        Telemetry b = login().attr("user.name", "a").attr("source.ip", "b" + SEP + "c");
        assertNotEquals(r.keyOf(a), r.keyOf(b), "different values, different keys");
        Telemetry esc = login().attr("user.name", "x\u001e1\u001e0\u001e").attr("source.ip", "\u001e");
        assertEquals(Map.of("user.name", "x\u001e1\u001e0\u001e", "source.ip", "\u001e"), r.keyFields(r.keyOf(esc)));
        assertEquals("ssh-brute-force", CompiledRule.ruleIdOf(r.keyOf(crafted)));
    }

    @Test
    void ordinaryValuesKeepTheirKeysAsTheyWere() {
        assertEquals(
                "ssh-brute-force" + SEP + "root" + SEP + "203.0.113.45",
                rule("user.name", "source.ip").keyOf(login()));
    }

    @Test
    void keyValuesMayContainAnyPrintableText() {
        CompiledRule r = rule("user.name", "source.ip");
        Telemetry t = login().attr("user.name", "dom\\user|x:y/z ü");
        assertEquals("dom\\user|x:y/z ü", r.keyFields(r.keyOf(t)).get("user.name"));
        assertEquals("203.0.113.45", r.keyFields(r.keyOf(t)).get("source.ip"));
    }
}
