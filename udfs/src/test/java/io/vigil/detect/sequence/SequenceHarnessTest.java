package io.vigil.detect.sequence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.security.TestRules;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.Params;
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
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The sequence kind's operators driven by hand: records, watermarks, late data, keys, and a snapshot/restore in the
 * middle of a sequence. Each test runs the operator {@link SequenceKind#attach} would run for its rule: the brute-force
 * shape runs {@link BurstThenStepFunction}, the strict one CEP; {@link BurstThenStepAgreesWithCepTest} holds the two
 * to the same alerts.
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

    /** The operator {@link SequenceKind#attach} runs for the rule: the burst-then-step function or CEP. */
    static KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Alert> harness(CompiledRule rule)
            throws Exception {
        return harness(rule, null, false);
    }

    /** The rule's Flink CEP operator, whatever its shape: the reference the burst-then-step function must agree with. */
    static KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Alert> cepHarness(CompiledRule rule)
            throws Exception {
        return harness(rule, null, true);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Alert> harness(
            CompiledRule rule, OperatorSubtaskState restore, boolean cep) throws Exception {
        Params p = new Params(rule.spec);
        SequenceKind.Definition d = SequenceKind.parse(rule.spec, p);
        assertTrue(p.problems().isEmpty(), p.problems().toString());
        OneInputStreamOperator<Telemetry, Alert> op;
        if (!cep && BurstThenStepFunction.applies(d.steps())) {
            op = new KeyedProcessOperator<>(
                    new BurstThenStepFunction(rule.id(), rule.json, d.steps(), d.within(), d.evidence()));
        } else {
            Pattern<Telemetry, ?> pattern = SequenceKind.pattern(rule.id(), d);
            op = new CepOperator<>(
                    TypeInformation.of(Telemetry.class).createSerializer(new SerializerConfigImpl()),
                    false,
                    NFACompiler.compileFactory(pattern, false),
                    null,
                    pattern.getAfterMatchSkipStrategy(),
                    new SequenceMatchFunction(rule.json, d.steps(), d.evidence()),
                    null);
        }
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                op, new RuleRecords.Key(rule.id(), rule.keyBy()), Types.STRING);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    static void send(KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Alert> h, Telemetry t) throws Exception {
        h.processElement(new StreamRecord<>(t, t.timestamp));
    }

    @Test
    void failuresThenSuccessFromOneAddressMakeOneAlertWithEvidence() throws Exception {
        CompiledRule rule = TestRules.compile(BRUTE_FORCE);
        var h = harness(rule);
        for (int i = 0; i < 150; i++) {
            send(h, login(T0 + i * 1000L, "203.0.113.45", i % 2 == 0 ? "root" : "admin", "failure"));
        }
        send(h, login(T0 + 150_000L, "203.0.113.45", "admin", "success"));
        h.processWatermark(new Watermark(T0 + 200_000L));
        List<Alert> alerts = h.extractOutputValues();
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
        var again = harness(rule);
        for (int i = 0; i < 150; i++) {
            send(again, login(T0 + i * 1000L, "203.0.113.45", i % 2 == 0 ? "root" : "admin", "failure"));
        }
        send(again, login(T0 + 150_000L, "203.0.113.45", "admin", "success"));
        again.processWatermark(new Watermark(T0 + 200_000L));
        assertEquals(a.id, again.extractOutputValues().get(0).id);
        again.close();
    }

    @Test
    void tooFewFailuresOrASuccessTooLateMakeNoAlert() throws Exception {
        var h = harness(TestRules.compile(BRUTE_FORCE));
        for (int i = 0; i < 9; i++) {
            send(h, login(T0 + i * 1000L, "10.0.0.7", "alice", "failure"));
        }
        send(h, login(T0 + 10_000L, "10.0.0.7", "alice", "success"));
        // 10 failures, but the success comes 5m after the first of them.
        for (int i = 0; i < 10; i++) {
            send(h, login(T0 + 60_000L + i * 1000L, "10.0.0.8", "bob", "failure"));
        }
        send(h, login(T0 + 60_000L + 300_000L, "10.0.0.8", "bob", "success"));
        h.processWatermark(new Watermark(T0 + 3_600_000L));
        assertEquals(List.of(), h.extractOutputValues());
        h.close();
    }

    @Test
    void keysDoNotMix() throws Exception {
        var h = harness(TestRules.compile(BRUTE_FORCE));
        for (int i = 0; i < 20; i++) {
            send(h, login(T0 + i * 1000L, "198.51.100.1", "root", "failure"));
        }
        send(h, login(T0 + 30_000L, "10.0.0.9", "root", "success"));
        h.processWatermark(new Watermark(T0 + 600_000L));
        assertEquals(List.of(), h.extractOutputValues(), "the success came from another address");
        h.close();
    }

    @Test
    void outOfOrderRecordsAheadOfTheWatermarkAreSortedByEventTime() throws Exception {
        var h = harness(TestRules.compile(BRUTE_FORCE));
        List<Telemetry> records = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            records.add(login(T0 + i * 1000L, "203.0.113.9", "root", "failure"));
        }
        records.add(login(T0 + 12_000L, "203.0.113.9", "root", "success"));
        Collections.shuffle(records, new Random(7)); // the success may arrive before failures
        for (Telemetry t : records) {
            send(h, t);
        }
        h.processWatermark(new Watermark(T0 + 20_000L));
        assertEquals(1, h.extractOutputValues().size());
        assertEquals(13.0, h.extractOutputValues().get(0).observed);
        h.close();
    }

    @Test
    void recordsBehindTheWatermarkAreDroppedAndCounted() throws Exception {
        var h = harness(TestRules.compile(BRUTE_FORCE));
        h.processWatermark(new Watermark(T0 + 100_000L));
        for (int i = 0; i < 12; i++) {
            send(h, login(T0 + i * 1000L, "203.0.113.9", "root", "failure"));
        }
        send(h, login(T0 + 12_000L, "203.0.113.9", "root", "success"));
        h.processWatermark(new Watermark(T0 + 200_000L));
        assertEquals(List.of(), h.extractOutputValues(), "late records cannot complete a sequence");
        h.close();
    }

    @Test
    void aSequenceInProgressSurvivesSnapshotAndRestore() throws Exception {
        CompiledRule rule = TestRules.compile(BRUTE_FORCE);
        var h = harness(rule);
        for (int i = 0; i < 12; i++) {
            send(h, login(T0 + i * 1000L, "203.0.113.45", "root", "failure"));
        }
        h.processWatermark(new Watermark(T0 + 12_000L));
        OperatorSubtaskState snapshot = h.snapshot(1L, T0 + 12_000L);
        h.close();

        var restored = harnessRestored(rule, snapshot);
        send(restored, login(T0 + 20_000L, "203.0.113.45", "root", "success"));
        restored.processWatermark(new Watermark(T0 + 30_000L));
        List<Alert> alerts = restored.extractOutputValues();
        assertEquals(1, alerts.size());
        assertEquals(13.0, alerts.get(0).observed, "the failures from before the restore count");
        restored.close();
    }

    @Test
    void partialMatchesExpireWithTheWatermark() throws Exception {
        var h = harness(TestRules.compile(BRUTE_FORCE));
        for (int i = 0; i < 12; i++) {
            send(h, login(T0 + i * 1000L, "203.0.113.45", "root", "failure"));
        }
        h.processWatermark(new Watermark(T0 + 12_000L));
        h.processWatermark(new Watermark(T0 + 400_000L)); // past within: every partial match is pruned
        send(h, login(T0 + 401_000L, "203.0.113.45", "root", "success"));
        h.processWatermark(new Watermark(T0 + 500_000L));
        assertEquals(List.of(), h.extractOutputValues());
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
        var h = harness(rule);
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

    static KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Alert> harnessRestored(
            CompiledRule rule, OperatorSubtaskState snapshot) throws Exception {
        return harness(rule, snapshot, false);
    }
}
