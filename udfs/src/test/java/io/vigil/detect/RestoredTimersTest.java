package io.vigil.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.junit.jupiter.api.Test;

/**
 * Timers saved in one layout and restored into the other: a rule version's own timers (the heap's, or RocksDB's from
 * a build before shared timers) restored on RocksDB, where the rules of a key share one timer per time, and shared
 * timers restored on the heap. A rule that sets a timer after the restore at a time it already had one saved must
 * still run once then, as if nothing had been restored.
 *
 * <p>The case: an SLO rule judges each minute at its end and, while its windows hold errors, sets a timer for the
 * next minute's end (its step). An error in minute 0 and a record in minute 1 set timers at both minutes' ends before
 * the savepoint; after the restore, judging minute 0 sets minute 1's timer again. Run twice at minute 1's end, the
 * rule would publish that step's burn rates twice. Two such rules share a key.
 */
class RestoredTimersTest {
    static final long T0 = 1_793_577_600_000L; // a minute's start
    static final long SEC = 1000;
    static final long MIN = 60 * SEC;

    /** Two SLO rules of one key, so that shared timers are fewer than the rules' own. */
    static final String RULES = String.join(
            "\n",
            "- id: checkout-availability",
            "  name: Checkout availability",
            "  kind: slo",
            "  severity: critical",
            "  match: {signal: span, service.name: checkout}",
            "  key_by: [service.name]",
            "  params: {objective: 99.9, period: 30d, bad: {status: error}}",
            "- id: checkout-availability-strict",
            "  name: Checkout availability, strict",
            "  kind: slo",
            "  severity: critical",
            "  match: {signal: span, service.name: checkout}",
            "  key_by: [service.name]",
            "  params: {objective: 99.99, period: 30d, bad: {status: error}}",
            "");

    @Test
    void timersOfEachRuleRestoredWhereTheyAreSharedRunTheRuleOnce() throws Exception {
        List<String> straight = rollups(heap(), null);
        List<String> restored = rollups(rocksDb().timersPerRule(), rocksDb());
        assertEquals(straight, restored);
    }

    @Test
    void sharedTimersRestoredOnTheHeapRunTheRuleOnce() throws Exception {
        List<String> straight = rollups(heap(), null);
        List<String> restored = rollups(rocksDb(), heap());
        assertEquals(straight, restored);
    }

    @Test
    void timersMovedAFewPerWalkAreMovedAllTheSame() throws Exception {
        // Two walks and more for the three timers of each layout's restore; as many rollups as a run without one.
        List<String> straight = rollups(heap(), null);
        assertEquals(straight, rollups(rocksDb().timersPerRule(), rocksDb().timersMovedPerWalk(2)));
        assertEquals(straight, rollups(rocksDb(), heap().timersMovedPerWalk(1)));
        assertEquals(3, timersAfterRestore(heap(), rocksDb().timersMovedPerWalk(1)));
        assertEquals(6, timersAfterRestore(rocksDb(), heap().timersMovedPerWalk(2)));
    }

    @Test
    void aRestoreLeavesTimersInTheLayoutOfItsBackendOnly() throws Exception {
        // After the two records each rule has three timers (the two minutes' ends and a clean-up), on the heap its
        // own, on RocksDB shared with the other rule of its key.
        assertEquals(6, timersAfterRestore(heap(), null));
        assertEquals(3, timersAfterRestore(rocksDb(), null));
        assertEquals(3, timersAfterRestore(rocksDb().timersPerRule(), rocksDb()));
        assertEquals(3, timersAfterRestore(heap(), rocksDb()));
        assertEquals(6, timersAfterRestore(rocksDb(), heap()));
    }

    /**
     * The rollups at minute 1's end and before, as lines: sent to {@code before}, then, if {@code after} is given,
     * saved and restored into it before event time passes minute 0.
     */
    private static List<String> rollups(DetectorHarness before, DetectorHarness after) throws Exception {
        DetectorHarness h = twoRecords(before, after);
        h.watermark(T0 + MIN);
        h.watermark(T0 + 2 * MIN);
        List<String> lines = new ArrayList<>();
        for (Rollup r : h.rollups()) {
            lines.add(String.join(
                    " ",
                    Long.toString(r.windowEnd),
                    r.labels.get("slo"),
                    r.metric,
                    r.labels.get("window"),
                    Double.toString(r.value)));
        }
        h.close();
        assertTrue(
                lines.stream().anyMatch(l -> l.startsWith((T0 + 2 * MIN) + " checkout-availability slo_burn_rate 5m ")),
                lines.toString());
        return lines;
    }

    private static int timersAfterRestore(DetectorHarness before, DetectorHarness after) throws Exception {
        DetectorHarness h = twoRecords(before, after);
        int timers = h.timers();
        h.close();
        return timers;
    }

    /** An error in minute 0 and a success in minute 1, then a restart into {@code after} if given. */
    private static DetectorHarness twoRecords(DetectorHarness before, DetectorHarness after) throws Exception {
        before.open();
        before.send(Telemetry.span(T0 + SEC, "checkout", "GET /api/checkout", 80, "error"));
        before.send(Telemetry.span(T0 + MIN + SEC, "checkout", "GET /api/checkout", 80, "ok"));
        if (after == null) {
            return before;
        }
        OperatorSubtaskState snapshot = before.savepoint(1L); // restores on either backend
        before.close();
        after.initializeState(snapshot);
        after.open();
        return after;
    }

    private static DetectorHarness heap() throws Exception {
        return DetectorHarness.create(DetectorHarness.load(RULES));
    }

    private static DetectorHarness rocksDb() throws Exception {
        DetectorHarness h = DetectorHarness.create(DetectorHarness.load(RULES));
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }
}
