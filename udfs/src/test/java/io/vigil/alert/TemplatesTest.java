package io.vigil.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.Alert;
import io.vigil.rules.RuleSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class TemplatesTest {
    private static Alert alert() {
        Alert a = new Alert();
        a.ruleId = "checkout-latency";
        a.ruleName = "High latency";
        a.severity = "high";
        a.keyFields.put("service.name", "checkout");
        a.keyFields.put("http.route", "/api/checkout");
        a.service = "checkout";
        a.observed = 1234.5678;
        a.expected = 500;
        a.comparison = ">";
        a.windowStart = 0;
        a.windowEnd = 300_000;
        a.labels.put("team", "shop");
        return a;
    }

    @Test
    void keyFieldsAndValues() {
        assertEquals(
                "p95 of checkout /api/checkout is 1234.568 ms (> 500) over 5m",
                Templates.render(
                        "p95 of {{ service.name }} {{http.route}} is {{ observed }} ms ({{comparison}}"
                                + " {{ expected }}) over {{ window }}",
                        alert()));
    }

    @Test
    void ruleFieldsLabelsAndTheService() {
        Alert a = alert();
        a.keyFields.remove("service.name"); // not a key field: service.name comes from the alert's service
        assertEquals(
                "checkout-latency High latency high shop checkout checkout",
                Templates.render(
                        "{{ rule.id }} {{ rule.name }} {{ severity }} {{ team }} {{ service.name }}" + " {{ service }}",
                        a));
    }

    @Test
    void unknownNamesShowInsteadOfVanishing() {
        assertEquals(
                "<servce.name?> and <user.name?>", Templates.render("{{ servce.name }} and {{ user.name }}", alert()));
    }

    @Test
    void textWithoutTemplatesAndOddBracesIsKept() {
        assertEquals("a {b} {{ }} $1 \\ done", Templates.render("a {b} {{ }} $1 \\ done", alert()));
    }

    @Test
    void valuesWithRegexReplacementCharactersAreInsertedLiterally() {
        Alert a = alert();
        a.keyFields.put("http.route", "/price/$1\\x");
        assertEquals("/price/$1\\x", Templates.render("{{ http.route }}", a));
    }

    @Test
    void numbersAsPeopleReadThem() {
        assertEquals("2", Templates.number(2.0));
        assertEquals("-3", Templates.number(-3));
        assertEquals("0.25", Templates.number(0.25));
        assertEquals("1234.568", Templates.number(1234.5678));
        assertEquals("0.001", Templates.number(0.0005));
        assertEquals("0.1", Templates.number(0.1000001));
        assertEquals("n/a", Templates.number(Double.NaN));
        assertEquals("1000000", Templates.number(1e6));
    }

    @Test
    void renderFillsAnnotationsAndTakesTheMessageFromTheSummary() {
        RuleSpec r = new RuleSpec();
        r.annotations.put("summary", "{{ service.name }} is slow: {{ observed }} ms");
        r.annotations.put("description", "bound {{ expected }}");
        r.runbook = "https://runbooks.example.com/latency";
        Alert a = alert();
        Templates.render(r, a);
        assertEquals("checkout is slow: 1234.568 ms", a.message);
        assertEquals("bound 500", a.annotations.get("description"));
        assertEquals("https://runbooks.example.com/latency", a.annotations.get("runbook"));
    }

    @Test
    void withoutASummaryTheMessageSaysWhatWasObserved() {
        Alert a = alert();
        Templates.render(new RuleSpec(), a);
        assertEquals(
                "High latency for service.name=checkout, http.route=/api/checkout: observed 1234.568 > 500", a.message);
        Alert noKey = alert();
        noKey.keyFields.clear();
        noKey.comparison = null;
        Templates.render(new RuleSpec(), noKey);
        assertEquals("High latency: observed 1234.568", noKey.message);
    }

    @Test
    void namesUsedByATemplate() {
        assertEquals(
                List.of("service.name", "observed", "rule.id"),
                Templates.names("{{ service.name }} {{observed}} x {{ rule.id}}"));
    }
}
