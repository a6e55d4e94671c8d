package io.vigil.rules.testing;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Alert;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a rule test compares expected and produced alerts (no cluster needed). */
class AlertComparisonTest {
    static final long START = 1_000_000L;

    private static Alert alert(String status, long atMs, double observed) {
        Alert a = new Alert();
        a.ruleId = "r";
        a.status = status;
        a.severity = "high";
        a.keyFields.put("service.name", "cart");
        a.eventTime = START + atMs;
        a.windowEnd = START + atMs;
        a.observed = observed;
        return a;
    }

    private static RuleTestFile.AlertCheck check(
            String evalTime, boolean withResolved, RuleTestFile.ExpectedAlert... expected) {
        RuleTestFile.AlertCheck c = new RuleTestFile.AlertCheck();
        c.rule = "r";
        c.evalTime = evalTime;
        c.withResolved = withResolved;
        c.expAlerts = List.of(expected);
        return c;
    }

    private static RuleTestFile.ExpectedAlert expected(String status, Double observed) {
        RuleTestFile.ExpectedAlert e = new RuleTestFile.ExpectedAlert();
        e.key = Map.of("service.name", "cart");
        e.status = status;
        e.observed = observed;
        return e;
    }

    @Test
    void evalTimeBoundsTheAlertsComparedAndResolvedOnesCountOnlyWhenAsked() {
        List<Alert> got = List.of(alert(Alert.FIRING, 60_000, 30), alert(Alert.RESOLVED, 300_000, 2));
        assertNull(RuleTestRunner.compare(check("30s", false), got, START));
        assertNull(RuleTestRunner.compare(check("10m", false, expected(null, 30.0)), got, START));
        assertNull(RuleTestRunner.compare(
                check("10m", true, expected("firing", null), expected("resolved", null)), got, START));
        String diff = RuleTestRunner.compare(check("10m", true, expected("firing", null)), got, START);
        assertTrue(diff.contains("+ {key={service.name=cart}, status=resolved}"), diff);
    }

    @Test
    void numbersCompareAtSixSignificantDigits() {
        List<Alert> got = List.of(alert(Alert.FIRING, 60_000, 0.1 + 0.2));
        assertNull(RuleTestRunner.compare(check("1h", false, expected(null, 0.3)), got, START));
        String diff = RuleTestRunner.compare(check("1h", false, expected(null, 0.31)), got, START);
        assertTrue(diff.contains("- {key={service.name=cart}, observed=0.31}"), diff);
        assertTrue(diff.contains("+ {key={service.name=cart}, observed=0.3}"), diff);
    }
}
