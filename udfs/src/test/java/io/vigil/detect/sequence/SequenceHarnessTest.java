package io.vigil.detect.sequence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.DetectorHarness;
import io.vigil.detect.security.TestRules;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.Params;
import io.vigil.rules.RuleKinds;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The sequence kind driven by hand: records, watermarks, late data, keys, a snapshot/restore in the middle of a
 * sequence, absence steps, bounded state. Each test runs its rule where the job runs it: the relaxed shapes as
 * {@link SequenceDetector} in the real detector operator ({@link DetectorHarness}), the strict one on Flink CEP;
 * {@link SequenceDetectorAgreesWithCepTest} holds the two engines to the same alerts.
 */
class SequenceHarnessTest {
    static final String BRUTE_FORCE = """
            id: ssh-brute-force
            name: SSH brute force
            kind: sequence
            severity: high
            match:
              signal: log
              event.category: authentication
            key_by: [source.ip]
            params:
              within: 5m
              evidence: 3
              steps:
                - name: failures
                  match: {event.outcome: failure}
                  at_least: 10
                - name: success
                  match: {event.outcome: success}
            """;
    static final long T0 = 1_793_577_600_000L; // 2026-11-02T00:00:00Z

    static Telemetry login(long ts, String ip, String user, String outcome) {
        return Telemetry.log(ts, "sshd", "INFO", outcome + " login for " + user + " from " + ip)
                .attr("event.category", "authentication")
                .attr("event.action", "ssh_login")
                .attr("event.outcome", outcome)
                .attr("source.ip", ip)
                .attr("user.name", user);
    }

    /** The rule in the real detector operator, as the job runs a rule of a relaxed shape. */
    static DetectorHarness keyed(String yaml) throws Exception {
        DetectorHarness h = DetectorHarness.yaml(yaml);
        assertNotNull(h.rule().detector, "a relaxed sequence runs in the detector operator");
        return h;
    }

    /** The rule's Flink CEP operator, whatever its shape: the job's engine for strict shapes, the reference for all. */
    static KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Alert> cepHarness(CompiledRule rule)
            throws Exception {
        Params p = new Params(rule.spec);
        SequenceKind.Definition d = SequenceKind.parse(rule.spec, p);
        assertTrue(p.problems().isEmpty(), p.problems().toString());
        Pattern<Telemetry, ?> pattern = SequenceKind.pattern(rule.id(), d);
        OneInputStreamOperator<Telemetry, Alert> op = new CepOperator<>(
                TypeInformation.of(Telemetry.class).createSerializer(new SerializerConfigImpl()),
                false,
                NFACompiler.compileFactory(pattern, false),
                null,
                pattern.getAfterMatchSkipStrategy(),
                new SequenceMatchFunction(rule.json, d.steps(), d.evidence()),
                null);
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                op, new RuleRecords.Key(rule.id(), rule.keyBy()), Types.STRING);
        h.open();
        return h;
    }

    static void send(KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Alert> h, Telemetry t) throws Exception {
        h.processElement(new StreamRecord<>(t, t.timestamp));
    }

    @Test
    void failuresThenSuccessFromOneAddressMakeOneAlertWithEvidence() throws Exception {
        DetectorHarness h = keyed(BRUTE_FORCE);
        for (int i = 0; i < 150; i++) {
            h.send(login(T0 + i * 1000L, "203.0.113.45", i % 2 == 0 ? "root" : "admin", "failure"));
        }
        h.send(login(T0 + 150_000L, "203.0.113.45", "admin", "success"));
        h.watermark(T0 + 200_000L);
        List<Alert> alerts = h.alerts();
        assertEquals(1, alerts.size(), "one burst, one alert (skip past last event)");
        Alert a = alerts.get(0);
        assertEquals("ssh-brute-force", a.ruleId);
        assertEquals("sequence", a.kind);
        assertEquals("203.0.113.45", a.keyFields.get("source.ip"));
        assertEquals(T0, a.windowStart);
        assertEquals(T0 + 150_001L, a.windowEnd);
        assertEquals(151.0, a.observed);
        assertEquals(11.0, a.expected);
        assertEquals("failures x150, then success x1 within 2m30s", a.annotations.get("sequence"));
        assertEquals(
                "SSH brute force for source.ip=203.0.113.45: observed 151 >= 11 (failures x150, then success x1"
                        + " within 2m30s)",
                a.message);
        assertEquals(4, a.evidence.size(), "3 of the failures (2 first, the last) and the success");
        assertTrue(
                a.evidence.get(2).contains("\"timestamp\":" + (T0 + 149_000L))
                        || a.evidence.get(2).contains(String.valueOf(T0 + 149_000L)),
                a.evidence.get(2));
        assertTrue(a.evidence.get(3).contains("success"));
        h.close();

        // The same input gives the same alert id (replays and restarts do not duplicate).
        DetectorHarness again = keyed(BRUTE_FORCE);
        for (int i = 0; i < 150; i++) {
            again.send(login(T0 + i * 1000L, "203.0.113.45", i % 2 == 0 ? "root" : "admin", "failure"));
        }
        again.send(login(T0 + 150_000L, "203.0.113.45", "admin", "success"));
        again.watermark(T0 + 200_000L);
        assertEquals(a.id, again.alerts().get(0).id);
        again.close();
    }

    @Test
    void tooFewFailuresOrASuccessTooLateMakeNoAlert() throws Exception {
        DetectorHarness h = keyed(BRUTE_FORCE);
        for (int i = 0; i < 9; i++) {
            h.send(login(T0 + i * 1000L, "10.0.0.7", "alice", "failure"));
        }
        h.send(login(T0 + 10_000L, "10.0.0.7", "alice", "success"));
        // 10 failures, but the success comes 5m after the first of them.
        for (int i = 0; i < 10; i++) {
            h.send(login(T0 + 60_000L + i * 1000L, "10.0.0.8", "bob", "failure"));
        }
        h.send(login(T0 + 60_000L + 300_000L, "10.0.0.8", "bob", "success"));
        h.watermark(T0 + 3_600_000L);
        assertEquals(List.of(), h.alerts());
        h.close();
    }

    @Test
    void keysDoNotMix() throws Exception {
        DetectorHarness h = keyed(BRUTE_FORCE);
        for (int i = 0; i < 20; i++) {
            h.send(login(T0 + i * 1000L, "198.51.100.1", "root", "failure"));
        }
        h.send(login(T0 + 30_000L, "10.0.0.9", "root", "success"));
        h.watermark(T0 + 600_000L);
        assertEquals(List.of(), h.alerts(), "the success came from another address");
        h.close();
    }

    @Test
    void aStepsWhereConditionNarrowsWhatItTakes() throws Exception {
        DetectorHarness h = keyed(BRUTE_FORCE.replace(
                "match: {event.outcome: success}",
                "match: {event.outcome: success}\n      where: \"attributes['user.name'] == 'root'\""));
        for (int i = 0; i < 10; i++) {
            h.send(login(T0 + i * 1000L, "198.51.100.1", "admin", "failure"));
            h.send(login(T0 + i * 1000L, "198.51.100.2", "admin", "failure"));
        }
        h.send(login(T0 + 20_000L, "198.51.100.1", "admin", "success"));
        h.send(login(T0 + 20_000L, "198.51.100.2", "root", "success"));
        h.watermark(T0 + 600_000L);
        List<Alert> alerts = h.alerts();
        assertEquals(1, alerts.size(), "only the success as root completes the sequence");
        assertEquals("198.51.100.2", alerts.get(0).keyFields.get("source.ip"));
        h.close();
    }

    @Test
    void outOfOrderRecordsAheadOfTheWatermarkAreSortedByEventTime() throws Exception {
        DetectorHarness h = keyed(BRUTE_FORCE);
        List<Telemetry> records = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            records.add(login(T0 + i * 1000L, "203.0.113.9", "root", "failure"));
        }
        records.add(login(T0 + 12_000L, "203.0.113.9", "root", "success"));
        Collections.shuffle(records, new Random(7)); // the success may arrive before failures
        for (Telemetry t : records) {
            h.send(t);
        }
        h.watermark(T0 + 20_000L);
        assertEquals(1, h.alerts().size());
        assertEquals(13.0, h.alerts().get(0).observed);
        h.close();
    }

    @Test
    void recordsBehindTheWatermarkAreDroppedAndCounted() throws Exception {
        DetectorHarness h = keyed(BRUTE_FORCE);
        h.watermark(T0 + 100_000L);
        for (int i = 0; i < 12; i++) {
            h.send(login(T0 + i * 1000L, "203.0.113.9", "root", "failure"));
        }
        h.send(login(T0 + 12_000L, "203.0.113.9", "root", "success"));
        h.watermark(T0 + 200_000L);
        assertEquals(List.of(), h.alerts(), "late records cannot complete a sequence");
        assertEquals(13, h.lateRecords());
        h.close();
    }

    @Test
    void aSequenceInProgressSurvivesSnapshotAndRestore() throws Exception {
        DetectorHarness h = keyed(BRUTE_FORCE);
        for (int i = 0; i < 12; i++) {
            h.send(login(T0 + i * 1000L, "203.0.113.45", "root", "failure"));
        }
        h.watermark(T0 + 12_000L);
        OperatorSubtaskState snapshot = h.snapshot(1L);
        DetectorHarness restored = h.restore(snapshot);
        h.close();

        restored.send(login(T0 + 20_000L, "203.0.113.45", "root", "success"));
        restored.watermark(T0 + 30_000L);
        List<Alert> alerts = restored.alerts();
        assertEquals(1, alerts.size());
        assertEquals(13.0, alerts.get(0).observed, "the failures from before the restore count");
        restored.close();
    }

    /**
     * Partial matches are changed in place in one array that keeps dropped ones' space until it is reclaimed: twenty
     * minutes of failures, a second apart, through a five-minute window add and expire one partial match per record,
     * reclaiming and growing the array many times over; the success then completes the oldest one still in the
     * window, with its own first failures as evidence.
     */
    @Test
    void aWindowSlidingOverManyFailuresKeepsTheRightPartialMatches() throws Exception {
        DetectorHarness h = keyed(BRUTE_FORCE);
        for (int i = 0; i < 1200; i++) {
            h.send(login(T0 + i * 1000L, "203.0.113.45", "user" + i, "failure"));
            if (i % 10 == 9) {
                h.watermark(T0 + i * 1000L);
            }
        }
        String key = h.rule().keyOf(login(T0, "203.0.113.45", "root", "failure"));
        // evidence 3: the partial match of each failure in the window keeps it (with the next one and the last)
        assertEquals(300, h.mapEntries(key, SequenceDetector.RECORDS), "the failures in the window, no other");
        h.send(login(T0 + 1_199_500L, "203.0.113.45", "admin", "success"));
        h.watermark(T0 + 1_200_000L);
        List<Alert> alerts = h.alerts();
        assertEquals(1, alerts.size());
        Alert a = alerts.get(0);
        assertEquals(T0 + 900_000L, a.windowStart, "the oldest partial match within 5m of the success");
        assertEquals(301.0, a.observed);
        assertEquals(4, a.evidence.size());
        assertTrue(a.evidence.get(0).contains("user900"), a.evidence.get(0));
        assertTrue(a.evidence.get(1).contains("user901"), a.evidence.get(1));
        assertTrue(a.evidence.get(2).contains("user1199"), a.evidence.get(2));
        assertEquals(0, h.keyedStateEntries(), "a match clears the key");
        h.close();
    }

    /**
     * State saved before partial matches were kept in place held them in another layout of the same {@code long[]}
     * (per partial match its start, step count, last record and step, then per step up to its own: its count, evidence
     * length and evidence). A job restored from such a savepoint reads it, and the sequence goes on as if nothing
     * happened: the same alert as a run that never stopped.
     */
    @Test
    void partialMatchesSavedInTheEarlierLayoutGoOn() throws Exception {
        DetectorHarness straight = keyed(BRUTE_FORCE);
        DetectorHarness upgraded = keyed(BRUTE_FORCE);
        for (DetectorHarness h : List.of(straight, upgraded)) {
            h.send(login(T0, "203.0.113.45", "root", "failure"));
            h.send(login(T0 + 1000L, "203.0.113.45", "admin", "failure"));
            h.watermark(T0 + 1000L);
        }
        String key = upgraded.rule().keyOf(login(T0, "203.0.113.45", "root", "failure"));
        // What the earlier code wrote for these two failures: next sequence number 2, two partial matches; one from
        // record 0 at T0 (two steps, last record 1, in step 0 with 2 taken, evidence 0 and 1), one from record 1.
        long[] earlier = {2, 2, 0, T0, 2, 1, T0 + 1000L, 0, 2, 2, 0, 1, 1, T0 + 1000L, 2, 1, T0 + 1000L, 0, 1, 1, 1};
        upgraded.valueState(key, SequenceDetector.PARTIALS).update(earlier);
        for (DetectorHarness h : List.of(straight, upgraded)) {
            for (int i = 2; i < 12; i++) {
                h.send(login(T0 + i * 1000L, "203.0.113.45", "root", "failure"));
            }
            h.send(login(T0 + 20_000L, "203.0.113.45", "root", "success"));
            h.watermark(T0 + 30_000L);
        }
        assertEquals(1, straight.alerts().size());
        assertEquals(DetectorHarness.described(straight.alerts()), DetectorHarness.described(upgraded.alerts()));
        assertEquals(13.0, upgraded.alerts().get(0).observed, "the failures saved before count");
        straight.close();
        upgraded.close();
    }

    @Test
    void partialMatchesExpireWithTheWatermark() throws Exception {
        DetectorHarness h = keyed(BRUTE_FORCE);
        for (int i = 0; i < 12; i++) {
            h.send(login(T0 + i * 1000L, "203.0.113.45", "root", "failure"));
        }
        h.watermark(T0 + 12_000L);
        h.watermark(T0 + 400_000L); // past within: every partial match is pruned
        h.send(login(T0 + 401_000L, "203.0.113.45", "root", "success"));
        h.watermark(T0 + 500_000L);
        assertEquals(List.of(), h.alerts());
        assertEquals(0, h.keyedStateEntries(), "expired partial matches leave nothing behind");
        h.close();
    }

    static final String NO_MFA = """
            id: login-without-mfa
            name: Login without MFA
            kind: sequence
            severity: high
            match: {signal: log, event.category: authentication}
            key_by: [user.name]
            params:
              within: 2m
              steps:
                - name: password
                  match: {event.action: ssh_login, event.outcome: success}
                - name: mfa
                  match: {event.action: mfa_approved}
                  absent: true
            """;

    static Telemetry auth(long ts, String user, String action, String outcome) {
        return Telemetry.log(ts, "sshd", "INFO", action + " " + user)
                .attr("event.category", "authentication")
                .attr("event.action", action)
                .attr("event.outcome", outcome)
                .attr("user.name", user);
    }

    @Test
    void anAbsenceStepFiresWhenNothingFollowsWithinTheTime() throws Exception {
        DetectorHarness h = keyed(NO_MFA);
        h.send(auth(T0, "alice", "ssh_login", "success"));
        h.send(auth(T0 + 30_000L, "alice", "mfa_approved", "success")); // in time: no alert
        h.send(auth(T0, "bob", "ssh_login", "success"));
        h.send(auth(T0 + 120_000L, "bob", "mfa_approved", "success")); // at within: too late
        h.send(auth(T0 + 5_000L, "carol", "ssh_login", "success")); // never approved
        h.watermark(T0 + 119_999L);
        assertEquals(List.of(), h.alerts(), "nobody's time has run out yet");
        h.watermark(T0 + 200_000L);
        List<Alert> alerts = h.alerts();
        assertEquals(
                List.of("bob", "carol"),
                alerts.stream().map(a -> a.keyFields.get("user.name")).sorted().toList());
        Alert carol = alerts.stream()
                .filter(a -> a.keyFields.get("user.name").equals("carol"))
                .findFirst()
                .orElseThrow();
        assertEquals(T0 + 5_000L, carol.windowStart);
        assertEquals(T0 + 125_000L, carol.windowEnd, "the window ends where the absence was established");
        assertEquals("password x1, then no mfa within 2m", carol.annotations.get("sequence"));
        assertEquals(1, carol.evidence.size());
        assertEquals(0, h.keyedStateEntries(), "nothing is left once every login is judged");
        h.close();
    }

    @Test
    void threeStepsWithCountsInOrder() throws Exception {
        DetectorHarness h = keyed("""
                id: recon-brute-login
                name: Probe, failures, then a login
                kind: sequence
                severity: high
                match: {signal: log}
                key_by: [source.ip]
                params:
                  within: 10m
                  steps:
                    - name: probe
                      match: {event.action: ssh_invalid_user}
                      times: 2
                    - name: failures
                      match: {event.outcome: failure}
                      at_least: 3
                    - name: login
                      match: {event.outcome: success}
                """);
        long t = T0;
        for (String ip : List.of("192.0.2.1", "192.0.2.2")) {
            h.send(login(t++, ip, "x", "failure").attr("event.action", "ssh_invalid_user"));
            h.send(login(t++, ip, "y", "failure").attr("event.action", "ssh_invalid_user"));
            h.send(login(t++, ip, "root", "failure"));
            h.send(login(t++, ip, "root", "failure"));
            if (ip.equals("192.0.2.1")) {
                h.send(login(t++, ip, "root", "failure"));
            }
            h.send(login(t++, ip, "root", "success")); // 192.0.2.2 had only 2 failures after the probes
        }
        h.watermark(T0 + 60_000L);
        List<Alert> alerts = h.alerts();
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals("192.0.2.1", alerts.get(0).keyFields.get("source.ip"));
        // the probes are failures too: the probe step takes them (times 2), the failures step the next three
        assertEquals(
                "probe x2, then failures x3, then login x1 within 5ms",
                alerts.get(0).annotations.get("sequence"));
        h.close();
    }

    @Test
    void aSequenceRulePushedWhileRunningTakesEffectAndAChangeStartsClean() throws Exception {
        DetectorHarness h = DetectorHarness.running(); // no rules at start
        for (int i = 0; i < 12; i++) {
            assertFalse(h.send(login(T0 + i * 1000L, "203.0.113.45", "root", "failure")), "no rule takes it yet");
        }
        RuleSpec rule = DetectorHarness.load(BRUTE_FORCE).get(0);
        h.update(RuleUpdate.of(rule)); // pushed while the job runs
        assertTrue(RuleKinds.get("sequence").hotReloadable(rule));
        for (int i = 0; i < 12; i++) {
            h.record(rule, login(T0 + 20_000L + i * 1000L, "203.0.113.45", "root", "failure"));
        }
        h.record(rule, login(T0 + 40_000L, "203.0.113.45", "root", "success"));
        h.watermark(T0 + 41_000L);
        assertEquals(1, h.alerts().size(), "the pushed rule fires");
        assertEquals(13.0, h.alerts().get(0).observed, "only the records after the push count");

        // A changed rule starts from clean state: a burst half seen before the change does not count.
        for (int i = 0; i < 8; i++) {
            h.record(rule, login(T0 + 50_000L + i * 1000L, "203.0.113.45", "root", "failure"));
        }
        h.watermark(T0 + 59_000L);
        rule.params.put("within", "6m");
        h.update(RuleUpdate.of(rule));
        assertEquals(0, h.keyedStateEntries(), "the old version's state is cleared");
        for (int i = 0; i < 5; i++) {
            h.record(rule, login(T0 + 60_000L + i * 1000L, "203.0.113.45", "root", "failure"));
        }
        h.record(rule, login(T0 + 70_000L, "203.0.113.45", "root", "success"));
        h.watermark(T0 + 80_000L);
        assertEquals(1, h.alerts().size(), "8 + 5 failures across the change are not 10 of one version");

        h.update(RuleUpdate.deletion(rule.id));
        for (int i = 0; i < 12; i++) {
            h.record(rule, login(T0 + 90_000L + i * 1000L, "203.0.113.45", "root", "failure"));
        }
        h.record(rule, login(T0 + 110_000L, "203.0.113.45", "root", "success"));
        h.watermark(T0 + 120_000L);
        assertEquals(1, h.alerts().size(), "a deleted rule stops");
        h.close();
    }

    @Test
    void strictStepsAndExactCounts() throws Exception {
        CompiledRule rule = TestRules.compile("""
                id: deploy-after-errors
                name: Errors then a restart
                kind: sequence
                key_by: [service.name]
                params:
                  within: 10m
                  steps:
                    - name: errors
                      match: {signal: log, severity: ERROR}
                      times: 3
                      consecutive: true
                    - name: restart
                      match: {signal: event, name: process.restart}
                      follows: strict
                """);
        assertFalse(rule.kind.hotReloadable(rule.spec), "strict steps need CEP");
        var h = cepHarness(rule);
        send(h, Telemetry.log(T0, "cart", "ERROR", "e1"));
        send(h, Telemetry.log(T0 + 1000, "cart", "ERROR", "e2"));
        send(h, Telemetry.log(T0 + 2000, "cart", "ERROR", "e3"));
        send(h, Telemetry.event(T0 + 3000, "cart", "process.restart"));
        // payments: an INFO log between the errors and the restart breaks the strict sequence
        send(h, Telemetry.log(T0, "payments", "ERROR", "e1"));
        send(h, Telemetry.log(T0 + 1000, "payments", "ERROR", "e2"));
        send(h, Telemetry.log(T0 + 2000, "payments", "ERROR", "e3"));
        send(h, Telemetry.log(T0 + 2500, "payments", "INFO", "hello"));
        send(h, Telemetry.event(T0 + 3000, "payments", "process.restart"));
        h.processWatermark(new Watermark(T0 + 60_000L));
        List<Alert> alerts = h.extractOutputValues();
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals("cart", alerts.get(0).keyFields.get("service.name"));
        assertEquals("cart", alerts.get(0).service);
        h.close();
    }
}
