package io.vigil.detect.sequence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.security.TestRules;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.Test;

/** The sequence kind's parameter checks (file:line:col with hints) and its optional steps. */
class SequenceParamsTest {
    static final String RULE = """
            id: seq
            name: Sequence
            kind: sequence
            key_by: [source.ip]
            params:
              within: 5m
              steps:
                - name: failures
                  match: {event.outcome: failure}
                  at_least: 3
                - name: success
                  match: {event.outcome: success}
            """;

    @Test
    void aRelaxedRuleRunsInTheDetectorOperatorAndAStrictOneInTheGraph() {
        assertEquals(List.of(), TestRules.problems(RULE));
        CompiledRule r = TestRules.compile(RULE);
        assertNotNull(r.detector, "a relaxed sequence is a keyed state machine");
        assertTrue(r.kind.hotReloadable(r.spec));
        CompiledRule strict = TestRules.compile(RULE + "      follows: strict\n");
        assertNull(strict.detector, "strict contiguity needs Flink CEP, compiled into the job graph");
        assertFalse(strict.kind.hotReloadable(strict.spec));
        CompiledRule optional = TestRules.compile(RULE + "      optional: true\n");
        assertFalse(optional.kind.hotReloadable(optional.spec));
    }

    @Test
    void theRouterSeesEveryStepsPinnedFields() {
        CompiledRule r = TestRules.compile(RULE.replace("key_by", "match: {service.name: sshd}\nkey_by"));
        assertEquals(
                java.util.Map.of(
                        "service.name",
                        java.util.Set.of("sshd"),
                        "event.outcome",
                        java.util.Set.of("failure", "success")),
                r.pinned);
        Telemetry failure = Telemetry.log(0, "sshd", "INFO", "x").attr("event.outcome", "failure");
        Telemetry other = Telemetry.log(0, "sshd", "INFO", "x").attr("event.outcome", "unknown");
        assertTrue(r.filter.test(failure));
        assertFalse(r.filter.test(other), "no step takes it, so it is not routed to the rule");
        CompiledRule signals =
                TestRules.compile(RULE.replace("{event.outcome: failure}", "{signal: log, event.outcome: failure}")
                        .replace("{event.outcome: success}", "{signal: log, event.outcome: success}"));
        assertEquals(java.util.Set.of(io.vigil.model.Signal.LOG), signals.signals, "every step pins the log signal");
    }

    @Test
    void anAbsentStepIsTheLastAndTakesNoCounts() {
        String absent = RULE + "    - name: mfa\n      match: {event.action: mfa_approved}\n      absent: true\n";
        assertEquals(List.of(), TestRules.problems(absent));
        assertTrue(TestRules.compile(absent).kind.hotReloadable(TestRules.compile(absent).spec));
        assertEquals(
                List.of("16:7: an absent step takes no at_least (an absent step matches when no such record follows"
                        + " within `within`)"),
                TestRules.problems(absent + "      at_least: 2\n"));
        assertEquals(
                List.of("10:7: only the last step, after at least one other, can be absent (\"A not followed by B"
                        + " within T\": steps [A, {B, absent: true}])"),
                TestRules.problems(RULE.replace("at_least: 3", "absent: true")));
    }

    @Test
    void aStepsWhereConditionIsCheckedAtItsLine() {
        String withWhere = RULE.replace(
                "match: {event.outcome: success}",
                "match: {event.outcome: success}\n      where: \"attributes['user.name'] == 'root'\"");
        assertEquals(List.of(), TestRules.problems(withWhere));
        List<String> problems = TestRules.problems(withWhere.replace("attributes['user.name']", "atributes"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("13:") && problems.get(0).contains("atributes"), problems.get(0));
        assertEquals(
                List.of("13:7: where must be a CEL expression (a string)"),
                TestRules.problems(RULE.replace(
                        "match: {event.outcome: success}", "match: {event.outcome: success}\n      where: [1]")));
    }

    @Test
    void stepProblemsPointAtTheStep() {
        assertEquals(
                List.of("5:1: missing parameter 'steps' (e.g. steps: [{name: failures, match: {event.outcome:"
                        + " failure}, at_least: 20}, ...])"),
                TestRules.problems(RULE.substring(0, RULE.indexOf("  steps:"))));
        assertEquals(
                List.of("11:7: give either times or at_least/at_most, not both"),
                TestRules.problems(RULE.replace("at_least: 3", "at_least: 3\n      times: 2")));
        assertEquals(
                List.of("10:7: at_least must be a whole number from 1 to 100000, not '0'"),
                TestRules.problems(RULE.replace("at_least: 3", "at_least: 0")));
        assertEquals(
                List.of("11:7: at_most (2) must not be less than at_least (3)"),
                TestRules.problems(RULE.replace("at_least: 3", "at_least: 3\n      at_most: 2")));
        assertEquals(
                List.of("10:7: unknown step field 'at_leat' (did you mean 'at_least'?)"),
                TestRules.problems(RULE.replace("at_least: 3", "at_leat: 3")));
        assertEquals(
                List.of("12:7: step 'success' needs a match block (e.g. match: {event.outcome: failure})"),
                TestRules.problems(RULE.replace("match: {event.outcome: success}", "match: {}")));
        assertEquals(
                List.of("9:31: unknown operator 'eqq' (did you mean 'eq'?)"),
                TestRules.problems(RULE.replace("{event.outcome: failure}", "{event.outcome: {eqq: 1}}")));
        assertEquals(
                List.of("11:7: duplicate step name 'failures' (step names must be unique)"),
                TestRules.problems(RULE.replace("name: success", "name: failures")));
        assertEquals(
                List.of("13:7: follows must be one of strict, relaxed, any, not 'later'"),
                TestRules.problems(RULE + "      follows: later\n"));
        assertEquals(
                List.of("13:7: consecutive applies to a step that takes several records (add at_least or"
                        + " times, or use follows: strict for the step's relation to the previous one)"),
                TestRules.problems(RULE + "      consecutive: true\n"));
    }

    @Test
    void withinIsRequiredAndShort() {
        assertEquals(
                List.of("5:1: missing parameter 'within' (a duration such as 5m)"),
                TestRules.problems(RULE.replace("  within: 5m\n", "")));
        assertEquals(
                List.of("6:3: within must be at most 1d, not 2d (a sequence keeps its partial matches for this"
                        + " long; use new_term or frequency for longer spans)"),
                TestRules.problems(RULE.replace("within: 5m", "within: 2d")));
    }

    @Test
    void aLoopBeforeAnOptionalStepIsAValidPattern() {
        assertEquals(
                List.of(),
                TestRules.problems(RULE.replace(
                        "    - name: success",
                        "    - name: invalid\n      match: {event.action: ssh_invalid_user}\n      optional: true\n"
                                + "    - name: success")));
    }

    @Test
    void allOptionalStepsAreRejected() {
        assertEquals(
                List.of("7:3: at least one step must not be optional"),
                TestRules.problems(
                        RULE.replace("at_least: 3", "at_least: 3\n      optional: true") + "      optional: true\n"));
    }

    @Test
    void anOptionalMiddleStepMayBeSkipped() throws Exception {
        CompiledRule rule = TestRules.compile("""
                id: recon-then-login
                name: Probe, maybe invalid users, then a login
                kind: sequence
                key_by: [source.ip]
                params:
                  within: 10m
                  steps:
                    - name: probe
                      match: {event.action: ssh_break_in_attempt}
                    - name: invalid
                      match: {event.action: ssh_invalid_user}
                      at_least: 1
                      optional: true
                    - name: login
                      match: {event.action: ssh_login, event.outcome: success}
                """);
        var h = SequenceHarnessTest.cepHarness(rule);
        long t0 = SequenceHarnessTest.T0;
        send(h, t0, "192.0.2.1", "ssh_break_in_attempt", null);
        send(h, t0 + 1000, "192.0.2.1", "ssh_login", "success"); // no invalid-user step: still a match
        send(h, t0, "192.0.2.2", "ssh_break_in_attempt", null);
        send(h, t0 + 1000, "192.0.2.2", "ssh_invalid_user", "failure");
        send(h, t0 + 2000, "192.0.2.2", "ssh_invalid_user", "failure");
        send(h, t0 + 3000, "192.0.2.2", "ssh_login", "success");
        h.processWatermark(new Watermark(t0 + 60_000));
        List<Alert> alerts = h.extractOutputValues();
        assertEquals(2, alerts.size());
        assertEquals(
                List.of(2.0, 4.0), alerts.stream().map(a -> a.observed).sorted().toList());
        assertEquals(2.0, alerts.get(0).expected, "the optional step needs nothing");
        h.close();
    }

    private static void send(
            org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Alert> h,
            long ts,
            String ip,
            String action,
            String outcome)
            throws Exception {
        Telemetry t = Telemetry.log(ts, "sshd", "INFO", action)
                .attr("event.action", action)
                .attr("source.ip", ip);
        if (outcome != null) {
            t.attr("event.outcome", outcome);
        }
        SequenceHarnessTest.send(h, t);
    }
}
