package io.vigil.detect.sequence;

import static io.vigil.detect.sequence.SequenceHarnessTest.T0;
import static io.vigil.detect.sequence.SequenceHarnessTest.login;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.security.TestRules;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.Params;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@link BurstThenStepFunction} replaces Flink CEP for the burst-then-step shape, so CEP is its specification: the same
 * random streams (several keys, bursts of any length, records out of order, late records, watermarks at random) go
 * through both, and every alert must be the same, field by field.
 */
class BurstThenStepAgreesWithCepTest {
    static String rule(int atLeast, String within, String lastStep) {
        return """
                id: brute
                name: Brute force
                kind: sequence
                severity: high
                match:
                  signal: log
                  event.category: authentication
                key_by: [source.ip]
                params:
                  within: %s
                  evidence: 3
                  steps:
                    - name: failures
                      match: {event.outcome: failure}
                      at_least: %d
                    - name: success
                      match: %s
                """.formatted(within, atLeast, lastStep);
    }

    /** What an alert says, minus the wall-clock processing time. */
    static List<String> described(List<Alert> alerts) {
        List<String> out = new ArrayList<>();
        for (Alert a : alerts) {
            out.add(a.id + " " + a.key + " [" + a.windowStart + "," + a.windowEnd + ") " + a.observed + "/" + a.expected
                    + " " + a.message + " " + a.annotations + " " + a.evidence);
        }
        out.sort(null);
        return out;
    }

    /** The alerts in {@code a} and not in {@code b}, each cut short: a failure message to read. */
    static List<String> brief(List<String> a, List<String> b) {
        return a.stream()
                .filter(x -> !b.contains(x))
                .map(x -> x.substring(0, Math.min(x.length(), 200)))
                .toList();
    }

    static List<String> run(KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Alert> h, List<Object> script)
            throws Exception {
        for (Object o : script) {
            if (o instanceof Telemetry t) {
                SequenceHarnessTest.send(h, t);
            } else {
                h.processWatermark(new Watermark((Long) o));
            }
        }
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        List<String> out = described(h.extractOutputValues());
        h.close();
        return out;
    }

    /**
     * A random script: logins from three addresses, mostly failures in bursts, some successes, a few records out of
     * order by up to 20 s and so a few behind the watermark, which trails the newest record by 10 s.
     */
    static List<Object> script(Random rnd, int records) {
        List<Object> script = new ArrayList<>();
        String[] ips = {"203.0.113.1", "203.0.113.2", "198.51.100.7"};
        long now = T0;
        long watermark = Long.MIN_VALUE;
        for (int i = 0; i < records; i++) {
            // Whole seconds: records share timestamps and land exactly on `within` boundaries, where off-by-ones hide.
            now += 1000L * (rnd.nextInt(100) < 80 ? rnd.nextInt(3) : rnd.nextInt(90));
            long ts = now;
            if (rnd.nextInt(100) < 8) {
                ts = now - 1000L * rnd.nextInt(20); // out of order, usually still ahead of the watermark
            }
            String ip = ips[rnd.nextInt(100) < 70 ? 0 : 1 + rnd.nextInt(2)];
            String outcome = rnd.nextInt(100) < 85 ? "failure" : "success";
            String user = rnd.nextBoolean() ? "admin" : "root";
            script.add(login(ts, ip, user, outcome));
            if (rnd.nextInt(10) == 0 && now - 10_000 > watermark) {
                watermark = now - 10_000;
                script.add(watermark);
            }
        }
        return script;
    }

    @Test
    void theSameAlertsAsCepOnRandomStreams() throws Exception {
        String[][] rules = {
            {"10", "5m", "{event.outcome: success}"},
            {"3", "30s", "{event.outcome: success}"},
            {"1", "1m", "{event.outcome: success}"},
            // a failed login as admin is both a failure and an admin login: the burst takes it (greedy)
            {"5", "2m", "{user.name: admin}"},
        };
        int compared = 0;
        for (String[] r : rules) {
            CompiledRule rule = TestRules.compile(rule(Integer.parseInt(r[0]), r[1], r[2]));
            Params p = new Params(rule.spec);
            assertTrue(
                    BurstThenStepFunction.applies(
                            SequenceKind.parse(rule.spec, p).steps()),
                    "the shape applies");
            RuleRecords.Filter filter = new RuleRecords.Filter(
                    rule.json, SequenceKind.parse(rule.spec, p).steps());
            for (int seed = 0; seed < 12; seed++) {
                List<Object> script = new ArrayList<>();
                for (Object o : script(new Random(seed), 300)) {
                    if (!(o instanceof Telemetry t) || filter.filter(t)) { // what reaches the operator in the job
                        script.add(o);
                    }
                }
                List<String> cep = run(SequenceHarnessTest.cepHarness(rule), script);
                List<String> keyed = run(SequenceHarnessTest.harness(rule), script);
                int at = seed;
                assertEquals(
                        cep,
                        keyed,
                        () -> "rule " + String.join(" ", r) + ", seed " + at + "; CEP alone: " + brief(cep, keyed)
                                + "; burst-then-step alone: " + brief(keyed, cep));
                compared += cep.size();
            }
        }
        assertTrue(compared > 100, "the scripts must produce matches to compare: " + compared);
    }

    @Test
    void aLongBurstIsOneAlertAndTheStateIsGoneOnceItExpires() throws Exception {
        CompiledRule rule = TestRules.compile(rule(10, "5m", "{event.outcome: success}"));
        var h = SequenceHarnessTest.harness(rule);
        // 5,000 failures in 100 s: CEP would hold a partial match per failure (quadratic); this is one queue.
        for (int i = 0; i < 5000; i++) {
            SequenceHarnessTest.send(h, login(T0 + i * 20L, "203.0.113.45", "root", "failure"));
        }
        SequenceHarnessTest.send(h, login(T0 + 100_000L, "203.0.113.45", "root", "success"));
        for (int i = 0; i < 20; i++) { // a new burst that never completes
            SequenceHarnessTest.send(h, login(T0 + 101_000L + i, "203.0.113.45", "root", "failure"));
        }
        h.processWatermark(new Watermark(T0 + 120_000L));
        List<Alert> alerts = h.extractOutputValues();
        assertEquals(1, alerts.size());
        assertEquals(5001.0, alerts.get(0).observed);
        assertEquals(
                "failures x5000, then success x1 within 1m40s",
                alerts.get(0).annotations.get("sequence"));
        assertFalse(h.numKeyedStateEntries() == 0, "the unfinished burst is still held");
        h.processWatermark(new Watermark(T0 + 101_020L + 300_000L)); // the last failure's within has passed
        assertEquals(0, h.numKeyedStateEntries(), "nothing left for the key");
        h.close();
    }
}
