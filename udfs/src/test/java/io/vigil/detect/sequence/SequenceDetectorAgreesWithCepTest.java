package io.vigil.detect.sequence;

import static io.vigil.detect.sequence.SequenceHarnessTest.T0;
import static io.vigil.detect.sequence.SequenceHarnessTest.login;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.DetectorHarness;
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
 * {@link SequenceDetector} replaces Flink CEP for the relaxed shapes, so CEP is its specification: the same random
 * streams (several keys, bursts of any length, records out of order, late records, watermarks at random) go through
 * both, the detector inside the real detector operator, and every alert must be the same, field by field. The rules
 * are the starter pack's brute-force shape and generated ones: two or three steps, counts of every kind
 * ({@code times}, {@code at_least}, {@code at_most}), conditions that overlap so one record can suit several steps.
 */
class SequenceDetectorAgreesWithCepTest {
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

    /** Which alerts there are: id, key and window. */
    static List<String> ids(List<Alert> alerts) {
        List<String> out = new ArrayList<>();
        for (Alert a : alerts) {
            out.add(a.id + " " + a.key + " [" + a.windowStart + "," + a.windowEnd + ")");
        }
        out.sort(null);
        return out;
    }

    /** The alerts in {@code a} and not in {@code b}, each cut short: a failure message to read. */
    static List<String> brief(List<String> a, List<String> b) {
        return a.stream()
                .filter(x -> !b.contains(x))
                .limit(2)
                .map(x -> x.substring(0, Math.min(x.length(), 300)))
                .toList();
    }

    static List<String> run(DetectorHarness h, List<Object> script, boolean fully) throws Exception {
        for (Object o : script) {
            if (o instanceof Telemetry t) {
                h.send(t);
            } else {
                h.watermark((Long) o);
            }
        }
        h.watermark(Long.MAX_VALUE);
        List<String> out = fully ? DetectorHarness.described(h.alerts()) : ids(h.alerts());
        h.close();
        return out;
    }

    static List<String> run(
            KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Alert> h, List<Object> script, boolean fully)
            throws Exception {
        for (Object o : script) {
            if (o instanceof Telemetry t) {
                SequenceHarnessTest.send(h, t);
            } else {
                h.processWatermark(new Watermark((Long) o));
            }
        }
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        List<String> out = fully ? DetectorHarness.described(h.extractOutputValues()) : ids(h.extractOutputValues());
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
            compared += compare(rule(Integer.parseInt(r[0]), r[1], r[2]), 12, String.join(" ", r), true);
        }
        assertTrue(compared > 100, "the scripts must produce matches to compare: " + compared);
    }

    /** Conditions a generated step may have: they overlap (a failed login as root suits three of them). */
    private static final String[] CONDITIONS = {
        "{event.outcome: failure}", "{event.outcome: success}", "{user.name: root}", "{user.name: admin}",
    };

    /** Counts a generated step may have; the ranges only on the last step (before it, a range needs CEP). */
    private static final String[] COUNTS = {
        "", "times: 2", "times: 3", "at_least: 2", "at_least: 4", "at_most: 2", "at_least: 2\n      at_most: 3",
    };

    private static final int RANGES = 2;

    @Test
    void theSameAlertsAsCepForGeneratedShapes() throws Exception {
        Random shapes = new Random(42);
        int compared = 0;
        for (int n = 0; n < 30; n++) {
            StringBuilder steps = new StringBuilder();
            int count = 2 + shapes.nextInt(2);
            for (int i = 0; i < count; i++) {
                steps.append("    - name: s").append(i).append("\n");
                steps.append("      match: ")
                        .append(CONDITIONS[shapes.nextInt(CONDITIONS.length)])
                        .append("\n");
                String c = COUNTS[shapes.nextInt(COUNTS.length - (i + 1 < count ? RANGES : 0))];
                if (!c.isEmpty()) {
                    steps.append("      ").append(c).append("\n");
                }
            }
            String within = new String[] {"20s", "1m", "3m"}[shapes.nextInt(3)];
            String yaml = """
                    id: shape
                    name: Generated shape
                    kind: sequence
                    severity: high
                    match:
                      signal: log
                      event.category: authentication
                    key_by: [source.ip]
                    params:
                      within: %s
                      evidence: 2
                      steps:
                    %s""".formatted(within, steps);
            compared += compare(yaml, 2, yaml, false);
        }
        assertTrue(compared > 100, "the scripts must produce matches to compare: " + compared);
    }

    /**
     * Runs {@code seeds} random scripts through CEP and the detector; returns how many alerts were compared. With
     * {@code fully} false only which alerts (ids: rule, key, first and last matched record) are compared, not what
     * they hold: where a loop's condition overlaps a later step's, two branches of one partial match can complete on
     * the same record, one having moved on earlier than the other, and CEP emits either (its queue orders matches by
     * start only); the detector reports the one that moved on first.
     */
    private static int compare(String yaml, int seeds, String what, boolean fully) throws Exception {
        CompiledRule rule = TestRules.compile(yaml);
        Params p = new Params(rule.spec);
        SequenceKind.Definition d = SequenceKind.parse(rule.spec, p);
        assertTrue(SequenceKind.keyed(d.steps()), "the detector runs the shape");
        RuleRecords.Filter filter = new RuleRecords.Filter(rule.json, d.steps());
        int compared = 0;
        for (int seed = 0; seed < seeds; seed++) {
            List<Object> script = new ArrayList<>();
            for (Object o : script(new Random(seed), 300)) {
                if (!(o instanceof Telemetry t) || filter.filter(t)) { // what reaches CEP in the job
                    script.add(o);
                }
            }
            List<String> cep = run(SequenceHarnessTest.cepHarness(rule), script, fully);
            List<String> keyed = run(SequenceHarnessTest.keyed(yaml), script, fully);
            int at = seed;
            assertEquals(
                    cep,
                    keyed,
                    () -> what + "\nseed " + at + "; CEP alone: " + brief(cep, keyed) + "; detector alone: "
                            + brief(keyed, cep));
            compared += cep.size();
        }
        return compared;
    }

    @Test
    void aLongBurstIsOneAlertAndTheStateIsGoneOnceItExpires() throws Exception {
        DetectorHarness h = SequenceHarnessTest.keyed(rule(10, "5m", "{event.outcome: success}"));
        // 5,000 failures in 100 s: CEP would hold a growing shared buffer; here partial matches are capped.
        for (int i = 0; i < 5000; i++) {
            h.send(login(T0 + i * 20L, "203.0.113.45", "root", "failure"));
        }
        h.send(login(T0 + 100_000L, "203.0.113.45", "root", "success"));
        for (int i = 0; i < 20; i++) { // a new burst that never completes
            h.send(login(T0 + 101_000L + i, "203.0.113.45", "root", "failure"));
        }
        h.watermark(T0 + 120_000L);
        List<Alert> alerts = h.alerts();
        assertEquals(1, alerts.size());
        assertEquals(5001.0, alerts.get(0).observed);
        assertEquals(
                "failures x5000, then success x1 within 1m40s",
                alerts.get(0).annotations.get("sequence"));
        assertTrue(h.mapEntries(alerts.get(0).key, SequenceDetector.RECORDS) > 0, "the unfinished burst is still held");
        h.watermark(T0 + 101_020L + 300_000L); // the last failure's within has passed
        assertEquals(0, h.keyedStateEntries(), "nothing left for the key");
        assertEquals(0, h.timers());
        h.close();
    }

    @Test
    void partialMatchesAreCapped() throws Exception {
        DetectorHarness h = SequenceHarnessTest.keyed(rule(3, "5m", "{event.outcome: success}"));
        // Twice the cap of failures, each starting a partial match; the state stays bounded by the cap.
        int n = 2 * SequenceDetector.MAX_PARTIALS;
        for (int i = 0; i < n; i++) {
            h.send(login(T0 + i * 10L, "203.0.113.45", "root", "failure"));
        }
        h.watermark(T0 + n * 10L);
        String key = h.rule().keyOf(login(T0, "203.0.113.45", "root", "failure"));
        // evidence 3: a partial match keeps at most its first two records and its last
        assertTrue(
                h.mapEntries(key, SequenceDetector.RECORDS) <= 2 * SequenceDetector.MAX_PARTIALS + 1,
                "evidence records of at most the capped partial matches");
        h.send(login(T0 + n * 10L + 1, "203.0.113.45", "root", "success"));
        h.watermark(T0 + n * 10L + 2);
        assertEquals(1, h.alerts().size(), "the earliest partial match still completes");
        assertEquals(n + 1.0, h.alerts().get(0).observed);
        assertEquals(0, h.keyedStateEntries(), "a match clears the key");
        h.close();
    }
}
