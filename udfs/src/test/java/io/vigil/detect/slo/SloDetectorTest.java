package io.vigil.detect.slo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.DetectorHarness;
import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.junit.jupiter.api.Test;

/**
 * Harness tests of the slo kind in the shared detector operator: detection and reset times against the burn-rate
 * arithmetic (checked by a brute-force reference over the raw events), rollups, late records, silence, counters,
 * restore from a snapshot and the bound on state.
 */
class SloDetectorTest {
    static final long T0 = 1_793_577_600_000L; // 2026-11-02T00:00:00Z, the demo's start
    static final long SEC = 1000;
    static final long MIN = 60 * SEC;
    static final long HOUR = 60 * MIN;

    static final String AVAILABILITY = String.join(
            "\n",
            "id: checkout-availability",
            "name: Checkout availability",
            "kind: slo",
            "severity: critical",
            "match: {signal: span, service.name: checkout}",
            "key_by: [service.name]",
            "params:",
            "  objective: 99.9",
            "  period: 30d",
            "  bad: {status: error}",
            "");

    /** One span per second; {@code bad(i)} says which are errors. Watermark at each minute's end. */
    interface Pattern {
        boolean bad(long ts);
    }

    static final class Feed {
        final DetectorHarness rig;
        final List<long[]> events = new ArrayList<>(); // {ts, bad}

        Feed(DetectorHarness rig) {
            this.rig = rig;
        }

        void run(long from, long to, Pattern p) throws Exception {
            for (long ts = from; ts < to; ts += SEC) {
                boolean bad = p.bad(ts);
                rig.send(Telemetry.span(ts, "checkout", "GET /api/checkout", 80, bad ? "error" : "ok"));
                events.add(new long[] {ts, bad ? 1 : 0});
                if ((ts + SEC) % MIN == 0) {
                    rig.watermark(ts + SEC - 1);
                }
            }
        }

        /** Brute force: does the pair hold for the windows ending at {@code end}? */
        boolean holds(long end, double factor, long longW, long shortW, double objective) {
            return burn(end, longW, objective) >= factor && burn(end, shortW, objective) >= factor;
        }

        double burn(long end, long w, double objective) {
            long total = 0;
            long bad = 0;
            for (long[] e : events) {
                if (e[0] >= end - w && e[0] < end) {
                    total++;
                    bad += e[1];
                }
            }
            return total == 0 ? 0 : (double) bad / total / (1 - objective);
        }

        boolean pageHolds(long end) {
            return holds(end, 14.4, HOUR, 5 * MIN, 0.999) || holds(end, 6, 6 * HOUR, 30 * MIN, 0.999);
        }
    }

    static List<Alert> page(List<Alert> alerts) {
        List<Alert> out = new ArrayList<>();
        for (Alert a : alerts) {
            if ("page".equals(a.labels.get("slo.alert"))) {
                out.add(a);
            }
        }
        return out;
    }

    /** Every 1 in {@code n} seconds is an error from {@code from} until {@code to}. */
    static Pattern step(long from, long to, int n) {
        return ts -> ts >= from && ts < to && ((ts - from) / SEC) % n == 0;
    }

    private void stepFiresWhenTheArithmeticPredicts(int oneIn, double predictedMinutes) throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(AVAILABILITY);
        Feed f = new Feed(rig);
        long stepAt = T0 + 6 * HOUR; // six hours of history: every page window is full
        f.run(T0, stepAt, ts -> false);
        assertTrue(rig.alerts().isEmpty(), "no alert while every request succeeds");

        // Errors until 10 minutes after the predicted page, then recovery.
        long errorsEnd = stepAt + (long) Math.ceil(predictedMinutes) * MIN + 10 * MIN;
        f.run(stepAt, errorsEnd + HOUR, step(stepAt, errorsEnd, oneIn));

        List<Alert> page = page(rig.alerts());
        assertEquals(2, page.size(), "one firing and one resolved page alert: " + page);
        Alert fired = page.get(0);
        assertEquals(Alert.FIRING, fired.status);
        assertEquals("critical", fired.severity);
        long predicted = stepAt + (long) (predictedMinutes * MIN);
        assertTrue(
                Math.abs(fired.windowEnd - predicted) <= MIN,
                "page at " + (fired.windowEnd - stepAt) / (double) MIN + " min after the step, predicted "
                        + predictedMinutes);
        // The budget in words: what is left, or how far it is overspent; never a negative share left.
        double remaining = Double.parseDouble(fired.annotations.get("error_budget_remaining"));
        String budget = remaining >= 0
                ? Math.round(remaining * 100) + "% of the 30d budget left"
                : "30d budget exhausted (" + Math.round((1 - remaining) * 100) + "% spent)";
        assertTrue(fired.message.endsWith("; " + budget), fired.message);
        // The reference agrees minute by minute: first minute boundary where the Workbook's condition holds.
        long firstHolding = firstBoundary(stepAt, errorsEnd + HOUR, f::pageHolds, true);
        assertEquals(firstHolding, fired.windowEnd);

        Alert resolved = page.get(1);
        assertEquals(Alert.RESOLVED, resolved.status);
        assertEquals(fired.id, resolved.incidentId);
        assertEquals("<", resolved.comparison, "a resolved page shows a short window's burn, below the factor");
        assertTrue(resolved.observed < resolved.expected, resolved.observed + " vs " + resolved.expected);
        assertEquals(
                firstBoundary(errorsEnd, errorsEnd + HOUR, f::pageHolds, false),
                resolved.windowEnd,
                "resolves at the first minute the short windows recover");
        assertTrue(
                resolved.windowEnd > errorsEnd && resolved.windowEnd <= errorsEnd + 30 * MIN + MIN,
                "resets within the longest short window (30m) after the errors stop");
    }

    private static long firstBoundary(long from, long to, java.util.function.LongPredicate holds, boolean want) {
        for (long end = from + MIN; end <= to; end += MIN) {
            if (holds.test(end) == want) {
                return end;
            }
        }
        throw new AssertionError("never");
    }

    @Test
    void pageFiresWithinABucketOfThePredictionForTwoPercentErrors() throws Exception {
        // 2% errors = 20x burn: the 1h window reaches 14.4x after 14.4/20 of an hour = 43.2 min.
        stepFiresWhenTheArithmeticPredicts(50, 43.2);
    }

    @Test
    void pageFiresWithinABucketOfThePredictionForTenPercentErrors() throws Exception {
        // 10% = 100x: 14.4/100 h = 8.64 min.
        stepFiresWhenTheArithmeticPredicts(10, 8.64);
    }

    @Test
    void pageFiresWithinABucketOfThePredictionForAllRequestsFailing() throws Exception {
        // 100% = 1000x: 14.4/1000 h = 0.864 min; the 5m window is over 14.4x after 4.3 s.
        stepFiresWhenTheArithmeticPredicts(1, 0.864);
    }

    @Test
    void burnRatesAndBudgetArePublishedAsRollups() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(AVAILABILITY);
        Feed f = new Feed(rig);
        f.run(T0, T0 + 10 * MIN, step(T0 + 3 * MIN, T0 + 4 * MIN, 2)); // 30 errors of 600
        List<Rollup> r = rig.rollups();
        Rollup burn5m = last(r, "slo_burn_rate", "5m");
        Rollup budget = last(r, "slo_error_budget_remaining", "30d");
        assertNotNull(burn5m);
        assertEquals("checkout", burn5m.service);
        assertEquals("checkout-availability", burn5m.labels.get("slo"));
        assertEquals(T0 + 10 * MIN, burn5m.windowEnd);
        assertEquals(300, burn5m.count);
        assertEquals(0.0, burn5m.value, 1e-9, "the errors left the 5m window");
        Rollup burn1h = last(r, "slo_burn_rate", "1h");
        assertEquals(30.0 / 600 / 0.001, burn1h.value, 1e-6);
        assertEquals(1 - 30.0 / (0.001 * 600), budget.value, 1e-6, "overspent: 30 errors of a 0.6 budget");
        for (String w : List.of("5m", "30m", "1h", "6h", "3d")) {
            assertNotNull(last(r, "slo_burn_rate", w), "burn rate for " + w);
        }
    }

    static Rollup last(List<Rollup> rollups, String metric, String window) {
        Rollup found = null;
        for (Rollup r : rollups) {
            if (r.metric.equals(metric) && window.equals(r.labels.get("window"))) {
                found = r;
            }
        }
        return found;
    }

    @Test
    void anOpenAlertResolvesWhenTrafficStopsAndEventTimeMovesOn() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(AVAILABILITY);
        Feed f = new Feed(rig);
        f.run(T0, T0 + 30 * MIN, ts -> false);
        f.run(T0 + 30 * MIN, T0 + 35 * MIN, ts -> true);
        assertEquals(1, page(rig.firing()).size());
        // No more checkout records; other services move the watermark.
        for (long wm = T0 + 36 * MIN - 1; wm < T0 + 3 * HOUR; wm += MIN) {
            rig.watermark(wm);
        }
        assertEquals(1, page(rig.resolved()).size(), "the page resolves once the short windows hold no errors");
    }

    @Test
    void restoredStateKeepsTheIncidentAndResolvesIt() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(AVAILABILITY);
        Feed f = new Feed(rig);
        f.run(T0, T0 + 30 * MIN, ts -> false);
        f.run(T0 + 30 * MIN, T0 + 33 * MIN, ts -> true);
        Alert fired = page(rig.firing()).get(0);
        DetectorHarness restored = rig.restart();
        Feed g = new Feed(restored);
        g.run(T0 + 33 * MIN, T0 + 2 * HOUR, ts -> false);
        List<Alert> after = page(restored.alerts());
        assertEquals(1, after.size(), "no second firing after restore: " + after);
        assertEquals(Alert.RESOLVED, after.get(0).status);
        assertEquals(fired.id, after.get(0).incidentId);
        Rollup burn6h = last(restored.rollups(), "slo_burn_rate", "6h");
        assertEquals(180.0 / 7200 / 0.001, burn6h.value, 1e-6, "the restored buckets still hold the 180 errors");
    }

    @Test
    void lateRecordsStillCountInTheLongerWindows() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(AVAILABILITY);
        Feed f = new Feed(rig);
        f.run(T0, T0 + 20 * MIN, ts -> false);
        // 10 errors from minute 3, long behind the watermark (minute 20).
        for (int i = 0; i < 10; i++) {
            rig.send(Telemetry.span(T0 + 3 * MIN + i * SEC, "checkout", "GET /api/checkout", 80, "error"));
        }
        f.run(T0 + 20 * MIN, T0 + 21 * MIN, ts -> false);
        assertEquals(10.0 / 1270 / 0.001, last(rig.rollups(), "slo_burn_rate", "1h").value, 1e-6);
        assertEquals(0.0, last(rig.rollups(), "slo_burn_rate", "5m").value, 1e-9);
    }

    @Test
    void latencySloCountsSlowSpansAsBad() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(String.join(
                "\n",
                "id: checkout-latency",
                "name: Checkout latency",
                "kind: slo",
                "match: {signal: span, service.name: checkout}",
                "params:",
                "  objective: 99%",
                "  good: {duration_ms: {lte: 500}}",
                ""));
        for (long ts = T0; ts < T0 + 90 * MIN; ts += SEC) {
            boolean slow = ts >= T0 + HOUR; // every span slow from 1h on: burn 100x
            rig.send(Telemetry.span(ts, "checkout", "GET /api/checkout", slow ? 2000 : 100, "ok"));
            if ((ts + SEC) % MIN == 0) {
                rig.watermark(ts + SEC - 1);
            }
        }
        List<Alert> page = page(rig.firing());
        assertEquals(1, page.size());
        // 99%, one hour of history: the 6h pair's window holds 60 + t minutes, 6x needs t / (60 + t) >= 6%, so
        // t >= 3.83 min: at the 4th minute (before the 1h pair, which needs 14.4% of the hour = 8.64 min).
        assertEquals(T0 + HOUR + 4 * MIN, page.get(0).windowEnd);
        assertEquals("6h", page.get(0).labels.get("slo.long_window"));
        assertFalse(page.get(0).message.isEmpty());
    }

    @Test
    void counterPairsCountIncreasesAndSurviveResets() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(String.join(
                "\n",
                "id: api-availability",
                "name: API availability",
                "kind: slo",
                "match: {signal: metric, name: [http.requests, http.errors]}",
                "key_by: [service.name]",
                "params:",
                "  objective: 99.9",
                "  total_metric: http.requests",
                "  bad_metric: http.errors",
                ""));
        double total = 0;
        double errors = 0;
        for (int m = 0; m < 10; m++) {
            long ts = T0 + m * MIN;
            total += 600;
            errors += m >= 5 ? 60 : 0;
            if (m == 7) {
                total = 600; // the process restarted: the counter starts again
                errors = 60;
            }
            rig.send(Telemetry.metric(ts, "api", "http.requests", total));
            rig.send(Telemetry.metric(ts, "api", "http.errors", errors));
            rig.watermark(ts + MIN - 1);
        }
        // Increases: minutes 1-9 add 600 each = 5400 total; errors 60 in minutes 5..9 = 300.
        Rollup burn = last(rig.rollups(), "slo_burn_rate", "1h");
        assertEquals(300.0 / 5400 / 0.001, burn.value, 1e-6);
        assertEquals(1, page(rig.firing()).size());
    }

    @Test
    void stateStaysBoundedWhateverTheTraffic() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(String.join(
                "\n",
                "id: bounded",
                "name: Bounded",
                "kind: slo",
                "match: {signal: span}",
                "params:",
                "  objective: 99.9",
                "  period: 1d",
                "  bad: {status: error}",
                "  windows: [{alert: page, burn_rate: 14.4, long: 1h, short: 5m}]",
                ""));
        // Four days, bursts of 20 records every 10 s (a few errors): 690k records.
        for (long ts = T0; ts < T0 + 4 * 24 * HOUR; ts += 10 * SEC) {
            for (int i = 0; i < 20; i++) {
                rig.send(Telemetry.span(ts + i, "svc", "op", 10, i == 0 && ts % HOUR == 0 ? "error" : "ok"));
            }
            if ((ts + 10 * SEC) % MIN == 0) {
                rig.watermark(ts + 10 * SEC - 1);
            }
        }
        // Fine buckets: the 1h window (60 one-minute buckets) plus the minute ahead, in entries of half an hour;
        // coarse: the 1d period plus one, in entries of a day. An entry goes when its last bucket with data expires,
        // so up to one entry's worth of expired buckets waits beside the live ones.
        int fine = buckets(rig.mapState("bounded", SloDetector.FINE));
        int coarse = buckets(rig.mapState("bounded", SloDetector.COARSE));
        assertTrue(fine >= 60 && fine <= 61 + SloDetector.FINE_BLOCK, "fine buckets " + fine);
        assertTrue(coarse >= 24 && coarse <= 26 + SloDetector.COARSE_BLOCK, "coarse buckets " + coarse);
        int fineEntries = rig.mapEntries("bounded", SloDetector.FINE);
        int coarseEntries = rig.mapEntries("bounded", SloDetector.COARSE);
        assertTrue(fineEntries >= 2 && fineEntries <= 3, "fine entries " + fineEntries);
        assertTrue(coarseEntries >= 2 && coarseEntries <= 3, "coarse entries " + coarseEntries);
    }

    /** Buckets with data in an SLO's bucket map. */
    static int buckets(MapState<Long, double[]> state) throws Exception {
        int n = 0;
        for (double[] b : state.values()) {
            for (int at = 0; at < b.length; at += 2) {
                n += b[at] != 0 || b[at + 1] != 0 ? 1 : 0;
            }
        }
        return n;
    }

    /**
     * State saved by the earlier layout (one map entry per bucket, as the earlier detector wrote it) restores: a run
     * whose buckets are rewritten that way half way raises the same alerts and rollups as one that never stopped.
     * Half an hour of errors, so the page fires over buckets of both layouts and resolves after; records after the
     * rewrite land in the buckets rewritten (the same minute's entry of each layout then counts).
     */
    @Test
    void bucketsSavedInTheEarlierLayoutCountAsTheyDid() throws Exception {
        DetectorHarness straight = DetectorHarness.yaml(AVAILABILITY);
        DetectorHarness upgraded = DetectorHarness.yaml(AVAILABILITY);
        Pattern errors = step(T0 + 2 * HOUR, T0 + 2 * HOUR + 30 * MIN, 20);
        for (DetectorHarness h : List.of(straight, upgraded)) {
            // Up to half a minute past 2h10m, so the rewritten minute goes on after the rewrite.
            new Feed(h).run(T0, T0 + 2 * HOUR + 10 * MIN + 30 * SEC, errors);
        }
        String key = upgraded.rule().keyOf(Telemetry.span(T0, "checkout", "GET /api/checkout", 80, "ok"));
        int before = 0;
        for (MapStateDescriptor<Long, double[]> d : List.of(SloDetector.FINE, SloDetector.COARSE)) {
            long width = d == SloDetector.FINE ? MIN : HOUR;
            MapState<Long, double[]> state = upgraded.mapState(key, d);
            before += buckets(state);
            List<Long> starts = new ArrayList<>();
            List<double[]> blocks = new ArrayList<>();
            for (var e : state.entries()) {
                starts.add(e.getKey());
                blocks.add(e.getValue());
            }
            state.clear();
            for (int i = 0; i < starts.size(); i++) {
                double[] b = blocks.get(i);
                for (int at = 0; at < b.length; at += 2) {
                    if (b[at] != 0 || b[at + 1] != 0) {
                        state.put(starts.get(i) + (at / 2) * width, new double[] {b[at], b[at + 1]});
                    }
                }
            }
        }
        assertTrue(upgraded.mapEntries(key, SloDetector.FINE) > 100, "one entry a bucket");
        for (DetectorHarness h : List.of(straight, upgraded)) {
            new Feed(h).run(T0 + 2 * HOUR + 10 * MIN + 30 * SEC, T0 + 4 * HOUR, errors);
            h.watermark(T0 + 9 * HOUR); // the rewritten buckets are past the 6h window
        }
        assertTrue(before > 120, "buckets rewritten: " + before);
        assertEquals(2, page(straight.alerts()).size(), "the page fires and resolves");
        assertEquals(DetectorHarness.described(straight.alerts()), DetectorHarness.described(upgraded.alerts()));
        assertEquals(straight.rollups().toString(), upgraded.rollups().toString());
        assertTrue(
                upgraded.mapEntries(key, SloDetector.FINE) <= 3,
                "the entries of the earlier layout expired with their buckets");
        straight.close();
        upgraded.close();
    }

    @Test
    void recordsOutOfOrderWithinTheWatermarkDelayCountWhereTheyBelong() throws Exception {
        DetectorHarness inOrder = DetectorHarness.yaml(AVAILABILITY);
        DetectorHarness shuffled = DetectorHarness.yaml(AVAILABILITY);
        java.util.Random random = new java.util.Random(7);
        for (int m = 0; m < 20; m++) {
            List<Telemetry> minute = new ArrayList<>();
            for (int s = 0; s < 60; s++) {
                long ts = T0 + m * MIN + s * SEC;
                minute.add(Telemetry.span(ts, "checkout", "GET /api/checkout", 80, m == 10 && s < 30 ? "error" : "ok"));
            }
            for (Telemetry t : minute) {
                inOrder.send(t);
            }
            java.util.Collections.shuffle(minute, random);
            for (Telemetry t : minute) {
                shuffled.send(t);
            }
            inOrder.watermark(T0 + (m + 1) * MIN - 1);
            shuffled.watermark(T0 + (m + 1) * MIN - 1);
        }
        assertEquals(inOrder.rollups().toString(), shuffled.rollups().toString());
        assertEquals(1, page(shuffled.firing()).size());
        assertEquals(page(inOrder.firing()).get(0).id, page(shuffled.firing()).get(0).id);
    }
}
