package io.vigil.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleException;
import io.vigil.rules.RuleProblem;
import io.vigil.rules.RuleSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Wrong parameters of the slo, spike, flatline, change and percentage_match kinds are rejected with a message that
 * says what would be right, at the line and column of the offending value.
 */
class KindParamsTest {
    private static final String HEAD = "id: r\nname: R\nkind: %s\nmatch: {signal: span}\nparams:\n";

    /** Compiles a rule whose params block is {@code params} (indented lines); returns its problems. */
    static List<RuleProblem> problems(String kind, String params) {
        List<RuleSpec> specs = DetectorHarness.load(String.format(HEAD, kind) + params);
        RuleException e = assertThrows(RuleException.class, () -> RuleCompiler.compileAll(specs));
        return e.problems();
    }

    static RuleProblem only(List<RuleProblem> problems, String text) {
        for (RuleProblem p : problems) {
            if (p.toString().contains(text)) {
                return p;
            }
        }
        throw new AssertionError("no problem containing '" + text + "' in " + problems);
    }

    static void compiles(String kind, String params) {
        assertNotNull(RuleCompiler.compileAll(DetectorHarness.load(String.format(HEAD, kind) + params)));
    }

    @Test
    void sloParams() {
        compiles("slo", "  objective: 99.9\n  bad: {status: error}\n");
        compiles(
                "slo",
                "  objective: '99.5%'\n  good: {duration_ms: {lte: 300}}\n  period: 7d\n"
                        + "  windows: [{alert: page, burn_rate: 10, long: 1h, short: 5m}]\n");
        assertEquals(
                5,
                only(problems("slo", "  bad: {status: error}\n"), "missing parameter 'objective'").line,
                "a missing parameter is reported at params:");
        RuleProblem p = only(problems("slo", "  objective: 100\n  bad: {status: error}\n"), "below 100%");
        assertEquals(6, p.line);
        assertEquals(3, p.column);
        only(problems("slo", "  objective: 99.9\n"), "an SLO needs good or bad");
        only(
                problems("slo", "  objective: 99.9\n  good: {status: ok}\n  bad: {status: error}\n"),
                "either good or bad");
        RuleProblem op = only(
                problems("slo", "  objective: 99.9\n  bad: {status: {equals: error}}\n"),
                "params.bad: unknown operator 'equals'");
        assertEquals(7, op.line);
        assertTrue(op.hint == null || op.hint.contains("eq"), op.toString());
        RuleProblem w = only(
                problems(
                        "slo",
                        "  objective: 99.9\n  bad: {status: error}\n  windows:\n"
                                + "    - {alert: page, burn_rate: 14.4, long: 5m, short: 1h}\n"),
                "must be shorter than the long");
        assertEquals(9, w.line);
        only(
                problems(
                        "slo",
                        "  objective: 99.9\n  bad: {status: error}\n  windows:\n"
                                + "    - {alert: page, burn: 14.4, long: 1h, short: 5m}\n"),
                "unknown window field 'burn'");
        only(
                problems("slo", "  objective: 99.9\n  bad: {status: error}\n  period: 1d\n"),
                "long window 3d is longer than the SLO period 1d");
        only(problems("slo", "  objective: 99.9\n  total_metric: requests\n"), "exactly one of good_metric");
        RuleProblem signal = only(
                problems("slo", "  objective: 99.9\n  total_metric: a\n  bad_metric: b\n"),
                "a metric SLO reads metric points, but the rule matches signal span");
        assertEquals(4, signal.line);
        only(
                problems("slo", "  objective: 99.9\n  bad: {status: error}\n  objectve: 99\n"),
                "did you mean 'objective'?");
    }

    @Test
    void spikeParams() {
        compiles("spike", "  window: 5m\n  ratio: 3\n");
        only(problems("spike", "  window: 5m\n"), "needs ratio");
        only(problems("spike", "  window: 5m\n  ratio: 0.5\n"), "ratio must be above 1");
        only(
                problems("spike", "  window: 5m\n  ratio: 2\n  direction: sideways\n"),
                "direction must be one of up, down, both, not 'sideways'");
        only(problems("spike", "  ratio: 2\n"), "missing parameter 'window'");
    }

    @Test
    void flatlineParams() {
        compiles("flatline", "  window: 10m\n");
        only(problems("flatline", "  window: 10m\n  field: value\n"), "field applies to mode constant only");
        only(problems("flatline", "  window: 10m\n  resolution: 3m\n"), "must divide the window 10m");
        only(problems("flatline", "  window: 10m\n  mode: constant\n"), "mode constant needs a numeric field");
        only(problems("flatline", "  window: 10m\n  expire: 1m\n"), "must not be shorter than the window");
    }

    @Test
    void changeParams() {
        compiles("change", "  field: service.version\n");
        only(problems("change", "  timeframe: 1h\n"), "missing parameter 'field'");
        only(problems("change", "  field: value\n  min_delta: -1\n"), "min_delta must be above 0");
        only(problems("change", "  field: x\n  ignore_null: maybe\n"), "ignore_null must be one of true, false");
    }

    @Test
    void percentageMatchParams() {
        compiles("percentage_match", "  matching: {status: error}\n  window: 5m\n  bound: 5\n");
        only(problems("percentage_match", "  window: 5m\n  bound: 5\n"), "missing parameter 'matching'");
        only(
                problems("percentage_match", "  matching: {status: error}\n  window: 5m\n  bound: 500\n"),
                "bound is a percentage between 0 and 100");
        only(
                problems("percentage_match", "  matching: {status: error}\n  window: 5m\n  slide: 2m\n  bound: 5\n"),
                "slide 2m must divide the window 5m");
        RuleProblem p = only(
                problems("percentage_match", "  matching: {signal: trace}\n  window: 5m\n  bound: 5\n"),
                "signal must be one of metric, log, span, event");
        assertEquals(6, p.line);
    }
}
