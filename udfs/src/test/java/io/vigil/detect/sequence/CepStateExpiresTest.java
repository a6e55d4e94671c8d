package io.vigil.detect.sequence;

import static io.vigil.detect.sequence.SequenceHarnessTest.T0;
import static io.vigil.detect.sequence.SequenceHarnessTest.login;
import static io.vigil.detect.sequence.SequenceHarnessTest.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.security.TestRules;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.Durations;
import io.vigil.rules.Params;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The shapes that still run on Flink CEP hold per-key state (the NFA's partial matches, the shared buffer of their
 * records, the queue of records waiting for the watermark) and CEP offers no state TTL. Their state must still end:
 * each partial match registers a timer at its start plus {@code within}, and when it fires, flink-cep (since
 * FLINK-32701, event time only) prunes the expired matches and clears the key's NFA state once nothing but the start
 * state is left. These tests pin that for every CEP shape the sequence kind produces, so a flink-cep upgrade that
 * loses it fails here: a key that stops sending keeps no state and no timer once the watermark passes its last
 * record plus {@code within}.
 */
class CepStateExpiresTest {
    /** One rule per shape that needs CEP ({@link SequenceKind#keyed} false), each with a 1m window. */
    static final List<String> CEP_SHAPES = List.of(
            // strict contiguity and a consecutive loop
            """
            - {name: failures, match: {event.outcome: failure}, at_least: 3, consecutive: true}
            - {name: success, match: {event.outcome: success}, follows: strict}
            """,
            // every combination of records (followedByAny)
            """
            - {name: failures, match: {event.outcome: failure}, times: 2}
            - {name: success, match: {event.outcome: success}, follows: any}
            """,
            // an optional step between two others
            """
            - {name: root, match: {user.name: root}}
            - {name: failures, match: {event.outcome: failure}, at_least: 2, optional: true}
            - {name: success, match: {event.outcome: success}}
            """,
            // a bounded range before the last step
            """
            - {name: failures, match: {event.outcome: failure}, at_least: 2, at_most: 4}
            - {name: success, match: {event.outcome: success}}
            """);

    static CompiledRule rule(String steps) {
        StringBuilder indented = new StringBuilder();
        for (String line : steps.strip().split("\n")) {
            indented.append("    ").append(line).append('\n');
        }
        CompiledRule rule = TestRules.compile("""
                id: cep-shape
                name: CEP shape
                kind: sequence
                severity: high
                match: {signal: log, event.category: authentication}
                key_by: [source.ip]
                params:
                  within: 1m
                  steps:
                %s""".formatted(indented));
        assertFalse(
                SequenceKind.keyed(
                        SequenceKind.parse(rule.spec, new Params(rule.spec)).steps()),
                steps);
        return rule;
    }

    @Test
    void aKeysStateIsGoneOnceTheWindowPassesWithNoFurtherRecords() throws Exception {
        for (String steps : CEP_SHAPES) {
            var h = SequenceHarnessTest.cepHarness(rule(steps));
            // 203.0.113.1 starts a sequence and never finishes it; 203.0.113.2 finishes one and starts another;
            // 203.0.113.3 sends only a success, which starts nothing.
            send(h, login(T0, "203.0.113.1", "root", "failure"));
            send(h, login(T0 + 1_000, "203.0.113.1", "root", "failure"));
            for (int i = 0; i < 4; i++) {
                send(h, login(T0 + i * 1_000L, "203.0.113.2", "root", "failure"));
            }
            send(h, login(T0 + 4_000, "203.0.113.2", "root", "success"));
            send(h, login(T0 + 5_000, "203.0.113.2", "root", "failure"));
            send(h, login(T0 + 5_000, "203.0.113.3", "admin", "success"));
            h.processWatermark(new Watermark(T0 + 30_000));
            assertTrue(h.numKeyedStateEntries() > 0, steps + "unfinished partial matches are held within the window");
            assertTrue(h.numEventTimeTimers() > 0, steps + "their expiry is scheduled");

            long lastRecord = T0 + 5_000;
            long within = Durations.parse("1m").toMillis();
            h.processWatermark(new Watermark(lastRecord + within - 1));
            assertTrue(h.numKeyedStateEntries() > 0, steps + "the last partial match lives until its window ends");
            h.processWatermark(new Watermark(lastRecord + within));
            assertEquals(0, h.numKeyedStateEntries(), steps + "no state left for any key");
            assertEquals(0, h.numEventTimeTimers(), steps + "no timer left");
            h.close();
        }
    }

    @Test
    void randomStreamsLeaveNoStateOnceEveryKeyIsQuiet() throws Exception {
        Random rnd = new Random(7);
        for (String steps : CEP_SHAPES) {
            CompiledRule rule = rule(steps);
            RuleRecords.Filter filter =
                    new RuleRecords.Filter(rule.json, definition(rule).steps());
            for (int seed = 0; seed < 3; seed++) {
                var h = SequenceHarnessTest.cepHarness(rule);
                long newest = run(h, SequenceDetectorAgreesWithCepTest.script(new Random(rnd.nextLong()), 300), filter);
                h.processWatermark(new Watermark(newest + 60_000));
                assertEquals(0, h.numKeyedStateEntries(), steps + "seed " + seed);
                assertEquals(0, h.numEventTimeTimers(), steps + "seed " + seed);
                h.close();
            }
        }
    }

    private static SequenceKind.Definition definition(CompiledRule rule) {
        return SequenceKind.parse(rule.spec, new Params(rule.spec));
    }

    /** Feeds a script (records and watermarks) as the job would; returns the newest record's timestamp. */
    private static long run(
            KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Alert> h,
            List<Object> script,
            RuleRecords.Filter filter)
            throws Exception {
        long newest = Long.MIN_VALUE;
        for (Object o : script) {
            if (o instanceof Telemetry t) {
                if (filter.filter(t)) {
                    send(h, t);
                    newest = Math.max(newest, t.timestamp);
                }
            } else {
                h.processWatermark(new Watermark((Long) o));
            }
        }
        return newest;
    }
}
