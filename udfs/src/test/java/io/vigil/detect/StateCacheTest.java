package io.vigil.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.generator.TelemetryGenerator;
import io.vigil.ingest.CanonicalJsonDecoder;
import io.vigil.ingest.IngestLimits;
import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The detectors' state cache ({@link StateCache}) over RocksDB changes no alert: every starter rule on the demo's six
 * hours of telemetry raises the heap's alerts (where nothing is cached) when every change is written back before the
 * next record, when changes stay cached between checkpoints, across a snapshot and restore taken while changes were
 * cached, and when rules change, or are deleted and added back, while their state is cached (their state is dropped
 * as on the heap).
 */
class StateCacheTest {
    static List<Telemetry> records;
    /** The alerts of the records on the heap, where nothing is cached, with no restart and no rule update. */
    static List<String> onHeap;

    @BeforeAll
    static void demoHours() throws Exception {
        TelemetryGenerator generator = TelemetryGenerator.defaults();
        CanonicalJsonDecoder decoder = new CanonicalJsonDecoder(IngestLimits.defaults());
        records = new ArrayList<>();
        for (long tick = 0; tick < generator.ticks(); tick++) {
            for (byte[] payload : generator.tick(tick)) {
                decoder.decode(payload, "demo", in -> {
                    if (!in.isDead()) {
                        records.add(in.telemetry);
                    }
                });
            }
        }
        onHeap = run(DetectorHarness.create(rules()), -1, List.of());
    }

    @Test
    void writingBackAtEveryRecordGivesTheHeapsAlerts() throws Exception {
        Set<String> kinds = new LinkedHashSet<>();
        for (String a : onHeap) {
            if (!a.startsWith("rollup ")) {
                kinds.add(a.split(" ")[1]);
            }
        }
        assertTrue(kinds.size() >= 5, "alerts of several rule kinds: " + kinds);
        assertTrue(onHeap.stream().anyMatch(l -> l.startsWith("rollup ")), "the rules' rollups are compared too");
        assertSame(onHeap, run(rocksDb(1), -1, List.of()));
    }

    @Test
    void cachingBetweenCheckpointsGivesTheHeapsAlerts() throws Exception {
        assertSame(onHeap, run(rocksDb(DetectorOperator.STATE_CACHE_CAPACITY), -1, List.of()));
    }

    @Test
    void theCacheKeptAcrossCheckpointsGivesTheHeapsAlerts() throws Exception {
        // Each checkpoint writes the changes back and the cache goes on with what it holds; the rule updates at two
        // thirds then empty it, as deleting a rule must.
        List<RuleUpdate> updates = deletedAndAddedBack();
        List<String> heap = run(DetectorHarness.create(rules()), -1, updates, 0);
        assertSame(heap, run(rocksDb(DetectorOperator.STATE_CACHE_CAPACITY), -1, updates, 997));
    }

    @Test
    void aSnapshotTakenWithChangesCachedRestoresThem() throws Exception {
        assertSame(onHeap, run(rocksDb(DetectorOperator.STATE_CACHE_CAPACITY), records.size() / 2, List.of()));
    }

    @Test
    void aRuleChangedWhileItsStateIsCachedStartsClean() throws Exception {
        RuleSpec changed = rules().stream()
                .filter(r -> r.id.equals("service-latency-p95"))
                .findFirst()
                .orElseThrow();
        changed.params.put("bound", 400);
        List<RuleUpdate> update = List.of(RuleUpdate.of(changed));
        List<String> heap = run(DetectorHarness.create(rules()), -1, update);
        assertSame(heap, run(rocksDb(DetectorOperator.STATE_CACHE_CAPACITY), -1, update));
    }

    @Test
    void rulesDeletedAndAddedBackWhileTheirStateIsCachedStartClean() throws Exception {
        // Added back unchanged, a rule's state has the same namespace as before: what the cache held must be gone too.
        List<RuleUpdate> updates = deletedAndAddedBack();
        List<String> heap = run(DetectorHarness.create(rules()), -1, updates);
        assertTrue(!heap.equals(onHeap), "starting the rules clean changes the alerts");
        assertSame(heap, run(rocksDb(DetectorOperator.STATE_CACHE_CAPACITY), -1, updates));
    }

    @Test
    void theRulesOfAKeyShareTheirTimers() throws Exception {
        // The first thousand records, each key's timers as set by then: one per key and time, not per rule.
        int perRule = timersAfter(rocksDb(DetectorOperator.STATE_CACHE_CAPACITY).timersPerRule(), 1_000);
        int heap = timersAfter(DetectorHarness.create(rules()), 1_000);
        int shared = timersAfter(rocksDb(DetectorOperator.STATE_CACHE_CAPACITY), 1_000);
        assertEquals(heap, perRule, "one timer per rule version, as on the heap");
        assertTrue(shared < perRule * 3 / 4, "shared: " + shared + " timers against " + perRule);
        assertSame(onHeap, run(rocksDb(DetectorOperator.STATE_CACHE_CAPACITY).timersPerRule(), -1, List.of()));
    }

    @Test
    void timersSetOnePerRuleBeforeARestartFireAfterIt() throws Exception {
        // Saved by a build that gave each rule version timers of its own; restored by one that shares them.
        assertSame(
                onHeap,
                run(rocksDb(DetectorOperator.STATE_CACHE_CAPACITY).timersPerRule(), records.size() / 2, List.of()));
    }

    private static int timersAfter(DetectorHarness h, int n) throws Exception {
        h.open();
        long newest = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            h.send(records.get(i));
            newest = Math.max(newest, records.get(i).timestamp);
            if (i % 16 == 0) {
                h.watermark(newest - 10_000);
            }
        }
        int timers = h.timers();
        h.close();
        return timers;
    }

    /** Every starter rule deleted, then added back unchanged. */
    private static List<RuleUpdate> deletedAndAddedBack() throws Exception {
        List<RuleUpdate> updates = new ArrayList<>();
        for (RuleSpec r : rules()) {
            updates.add(RuleUpdate.deletion(r.id));
        }
        for (RuleSpec r : rules()) {
            updates.add(RuleUpdate.of(r));
        }
        return updates;
    }

    /** The starter rules, loaded for each harness: compiling a list rule moves its file's entries into the spec. */
    private static List<RuleSpec> rules() throws Exception {
        return RuleLoader.load(List.of(Path.of("..", "rules")));
    }

    private static DetectorHarness rocksDb(int capacity) throws Exception {
        DetectorHarness h = DetectorHarness.create(rules()).stateCacheCapacity(capacity);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    /**
     * Sends the records with a watermark 10 s behind the newest, restarting the harness from a snapshot after record
     * {@code restartAt} (none if negative) and applying {@code updates} at two thirds; returns the alerts and rollups
     * as sorted lines.
     */
    private static List<String> run(DetectorHarness h, int restartAt, List<RuleUpdate> updates) throws Exception {
        return run(h, restartAt, updates, 0);
    }

    /** As above, with a checkpoint (a snapshot the run goes on from) every {@code checkpointEvery} records, if not 0. */
    private static List<String> run(DetectorHarness h, int restartAt, List<RuleUpdate> updates, int checkpointEvery)
            throws Exception {
        h.open();
        List<String> out = new ArrayList<>();
        long newest = Long.MIN_VALUE;
        for (int i = 0; i < records.size(); i++) {
            Telemetry t = records.get(i);
            h.send(t);
            newest = Math.max(newest, t.timestamp);
            if (i % 16 == 0) {
                h.watermark(newest - 10_000);
            }
            if (checkpointEvery > 0 && i % checkpointEvery == checkpointEvery - 1) {
                h.snapshot(i);
            }
            if (i == restartAt) {
                OperatorSubtaskState snapshot = h.snapshot(1L);
                collect(h, out);
                h.close();
                DetectorHarness restored =
                        DetectorHarness.create(rules()).stateCacheCapacity(DetectorOperator.STATE_CACHE_CAPACITY);
                restored.setStateBackend(new EmbeddedRocksDBStateBackend());
                restored.initializeState(snapshot);
                restored.open();
                restored.watermark(h.currentWatermark());
                h = restored;
            }
            if (i == records.size() * 2 / 3) {
                for (RuleUpdate u : updates) {
                    h.update(u);
                }
            }
        }
        h.watermark(newest + Duration.ofHours(1).toMillis());
        collect(h, out);
        h.close();
        out.sort(null);
        return out;
    }

    private static void collect(DetectorHarness h, List<String> out) {
        for (Rollup r : h.rollups()) {
            out.add(String.join(
                    " ",
                    "rollup",
                    r.metric,
                    r.service,
                    String.valueOf(r.labels),
                    Long.toString(r.windowStart),
                    Long.toString(r.windowEnd),
                    Double.toString(r.value),
                    Long.toString(r.count)));
        }
        for (Alert a : h.drain()) {
            out.add(String.join(
                    " ",
                    a.id,
                    a.kind,
                    a.status,
                    a.key,
                    Long.toString(a.windowStart),
                    Long.toString(a.windowEnd),
                    Double.toString(a.observed),
                    Double.toString(a.expected),
                    String.valueOf(a.message)));
        }
    }

    /** Equal alert lines, reported as what each side alone raised. */
    private static void assertSame(List<String> expected, List<String> actual) {
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(actual);
        List<String> extra = new ArrayList<>(actual);
        extra.removeAll(expected);
        assertEquals(expected, actual, () -> "only on the heap: " + missing + "\nonly with the cache: " + extra);
        assertTrue(expected.size() > 10, "the run raises alerts: " + expected.size());
    }
}
