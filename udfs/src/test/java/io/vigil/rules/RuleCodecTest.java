package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleCodecTest {
    static RuleSpec full() {
        RuleSpec s = new RuleSpec();
        s.id = "checkout-latency";
        s.name = "Checkout latency";
        s.description = "p95 of checkout spans";
        s.kind = "threshold";
        s.severity = "critical";
        s.match.put("signal", "span");
        s.match.put("service.name", List.of("checkout", "cart"));
        s.match.put("duration_ms", Map.of("gt", 250));
        s.keyBy = List.of("service.name", "http.route");
        s.realert = "30m";
        s.labels.put("team", "shop");
        s.annotations.put("summary", "{{ service.name }} is slow: {{ observed }}");
        s.owner = "sre";
        s.runbook = "https://runbooks.example.com/x";
        s.params.put("aggregate", "p95");
        s.params.put("window", "5m");
        s.params.put("bound", 800.5);
        s.params.put("min_count", 20);
        return s;
    }

    @Test
    void roundTripKeepsEveryField() {
        RuleSpec s = full();
        String json = RuleCodec.toJson(s);
        RuleSpec back = RuleCodec.fromJson(json);
        assertEquals(json, RuleCodec.toJson(back));
        assertEquals(s.id, back.id);
        assertEquals(s.name, back.name);
        assertEquals(s.description, back.description);
        assertEquals(s.kind, back.kind);
        assertEquals(s.severity, back.severity);
        assertEquals(s.keyBy, back.keyBy);
        assertEquals(s.realert, back.realert);
        assertEquals(s.labels, back.labels);
        assertEquals(s.annotations, back.annotations);
        assertEquals(s.owner, back.owner);
        assertEquals(s.runbook, back.runbook);
        assertEquals(List.of("checkout", "cart"), back.match.get("service.name"));
        assertEquals(800.5, ((Number) back.params.get("bound")).doubleValue());
        assertEquals(20, ((Number) back.params.get("min_count")).intValue());
        assertTrue(json.contains("\"key_by\""), json);
    }

    @Test
    void aDisabledRuleStaysDisabledAfterTheRoundTrip() {
        RuleSpec s = full();
        s.enabled = false;
        assertFalse(RuleCodec.fromJson(RuleCodec.toJson(s)).enabled);
        assertTrue(RuleCodec.fromJson(RuleCodec.toJson(full())).enabled);
    }

    @Test
    void theJsonDoesNotDependOnTheOrderMapsWereFilledIn() {
        RuleSpec a = full();
        RuleSpec b = full();
        Map<String, Object> reversed = new LinkedHashMap<>();
        List<String> keys = List.copyOf(a.params.keySet());
        for (int i = keys.size() - 1; i >= 0; i--) {
            reversed.put(keys.get(i), a.params.get(keys.get(i)));
        }
        b.params = reversed;
        assertEquals(RuleCodec.toJson(a), RuleCodec.toJson(b));
    }

    @Test
    void whereTheRuleWasReadFromIsNotPartOfItsIdentity() {
        RuleSpec a = full();
        RuleSpec b = full();
        b.source = "rules/other.yaml:12";
        b.locations = Map.of("id", new int[] {12, 1});
        assertEquals(RuleCodec.toJson(a), RuleCodec.toJson(b));
        RuleSpec back = RuleCodec.fromJson(RuleCodec.toJson(b));
        assertNull(back.source);
        assertTrue(back.locations().isEmpty());
    }

    @Test
    void anyChangeChangesTheJson() {
        RuleSpec b = full();
        b.params.put("bound", 801);
        assertFalse(RuleCodec.toJson(full()).equals(RuleCodec.toJson(b)));
    }

    @Test
    void badJsonIsRejectedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RuleCodec.fromJson("{\"id\":"));
        assertTrue(e.getMessage().startsWith("not a rule: "), e.getMessage());
        IllegalArgumentException u =
                assertThrows(IllegalArgumentException.class, () -> RuleCodec.fromJson("{\"id\":\"x\",\"treshold\":1}"));
        assertTrue(u.getMessage().contains("treshold"), u.getMessage());
    }

    @Test
    void ruleUpdatesCarryTheCodecJson() {
        RuleUpdate u = RuleUpdate.of(full());
        assertEquals("checkout-latency", u.ruleId);
        assertEquals(RuleCodec.toJson(full()), u.specJson);
        assertFalse(u.isDeletion());
        RuleUpdate d = RuleUpdate.deletion("x");
        assertTrue(d.isDeletion());
        assertEquals("x", d.ruleId);
    }
}
