package io.vigil.detect.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.DetectorHarness;
import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleException;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/**
 * The anomaly kind inside the shared detector operator, driven by hand with watermarks: warm-up, seasonality, level
 * shift, expiry of stopped series, restore from a snapshot, rollup volume, out-of-order input and the demo rule.
 */
class AnomalyDetectorTest {
    private static final long STEP = 300_000L;
    private static final long DAY = 86_400_000L;
    private static final long T0 = 1_400_000_000_000L - 1_400_000_000_000L % DAY;

    static RuleSpec rule(Map<String, Object> params) {
        RuleSpec r = new RuleSpec();
        r.id = "lat-anomaly";
        r.name = "Latency anomaly";
        r.kind = "anomaly";
        r.match = new LinkedHashMap<>(Map.of("signal", "metric", "name", "latency_ms"));
        r.keyBy = new ArrayList<>(List.of("service.name"));
        r.params = new LinkedHashMap<>(params);
        return r;
    }

    /** A detector operator running one rule, with records routed by the rule's key. */
    private static final class Run {
        final RuleSpec spec;
        final CompiledRule compiled;
        final DetectorHarness h;

        Run(RuleSpec spec, OperatorSubtaskState restoreFrom) throws Exception {
            this.spec = spec;
            this.compiled = RuleCompiler.compile(spec);
            h = restoreFrom == null ? DetectorHarness.running(spec) : DetectorHarness.restored(restoreFrom, spec);
        }

        Run(RuleSpec spec) throws Exception {
            this(spec, null);
        }

        void point(long ts, String service, String metric, double v) throws Exception {
            h.record(spec, Telemetry.metric(ts, service, metric, v));
        }

        void watermark(long ts) throws Exception {
            h.watermark(ts);
        }

        /** One point per step from index {@code from}, each followed by a watermark at its time. */
        void feed(String metric, int from, double[] values) throws Exception {
            for (int i = 0; i < values.length; i++) {
                long ts = T0 + (from + i) * STEP;
                point(ts, "checkout", metric, values[i]);
                watermark(ts);
            }
        }

        List<Alert> alerts() {
            return h.alerts();
        }

        List<Alert> firing() {
            return alerts().stream().filter(a -> Alert.FIRING.equals(a.status)).toList();
        }

        List<Rollup> rollups(String metric) {
            List<Rollup> out = new ArrayList<>();
            for (Rollup r : h.rollups()) {
                if (r.metric.equals(metric)) {
                    out.add(r);
                }
            }
            return out;
        }
    }

    private static Map<String, Object> everyPoint(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rollup_every", "point");
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static double[] noise(int n, double level, long seed) {
        Random rnd = new Random(seed);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = level + rnd.nextGaussian();
        }
        return d;
    }

    @Test
    void scoresEachPointAndAlertsOncePerIncident() throws Exception {
        Run run = new Run(rule(everyPoint("resolve_after", 12)));
        double[] xs = noise(1200, 20, 1);
        for (int i = 1000; i < 1010; i++) {
            xs[i] += 40;
        }
        run.feed("latency_ms", 0, xs);
        assertEquals(1200, run.rollups("anomaly_score").size(), "one score per point");
        assertEquals(1200, run.rollups("anomaly_upper").size(), "one band per point");
        List<Alert> firing = run.firing().stream()
                .filter(x -> x.windowStart >= T0 + 1000 * STEP)
                .toList();
        assertEquals(1, firing.size(), "one incident for the 10-point spike: " + firing);
        Alert a = firing.get(0);
        assertEquals(T0 + 1000 * STEP, a.windowStart);
        assertEquals("latency_ms", a.labels.get("metric"));
        assertEquals("checkout", a.service);
        assertNotNull(a.labels.get("model"));
        assertTrue(a.observed > a.expected, a.toString());
        List<Alert> resolved = run.alerts().stream()
                .filter(x -> Alert.RESOLVED.equals(x.status))
                .toList();
        Alert r = resolved.get(resolved.size() - 1);
        assertEquals(a.id, r.incidentId, "the spike's incident is resolved");
        assertTrue(r.windowStart >= T0 + 1021 * STEP, "not before 12 quiet points: " + r);
        run.h.close();
    }

    @Test
    void noAlertBeforeTheBaselineHasSeenEnough() throws Exception {
        Run run = new Run(rule(everyPoint("warmup", 150)));
        double[] wild = new double[150];
        for (int i = 0; i < wild.length; i++) {
            wild[i] = i % 10 == 0 ? 1e9 : i;
        }
        run.feed("latency_ms", 0, wild);
        assertEquals(List.of(), run.alerts(), "no alert while warming up");
        List<Rollup> scores = run.rollups("anomaly_score");
        assertEquals(150, scores.size());
        for (Rollup r : scores) {
            assertEquals(0.0, r.value);
            assertEquals("warmup", r.labels.get("model"));
        }
        // Warm-up over: the same wild value now alerts.
        run.feed("latency_ms", 150, new double[] {1e10});
        assertEquals(1, run.firing().size(), "alerts once warm");
        run.h.close();
    }

    @Test
    void aBreakInTheDailyRhythmAlertsFromTheSeasonalModel() throws Exception {
        Run run = new Run(rule(everyPoint()));
        Random rnd = new Random(4);
        double[] xs = new double[288 * 10];
        int breakStart = 288 * 8 + 40;
        for (int i = 0; i < xs.length; i++) {
            boolean broken = i >= breakStart && i < breakStart + 36;
            xs[i] = (broken ? 50 : 50 + 20 * Math.sin(2 * Math.PI * i / 288.0)) + rnd.nextGaussian() * 0.5;
        }
        run.feed("latency_ms", 0, xs);
        List<Alert> late = run.firing().stream()
                .filter(a -> a.windowStart >= T0 + 288 * 2 * STEP)
                .toList();
        assertFalse(late.isEmpty(), "the break alerts");
        Alert first = late.get(0);
        assertTrue(
                first.windowStart >= T0 + breakStart * STEP && first.windowStart < T0 + (breakStart + 36) * STEP,
                "first alert after day 2 lies in the break: " + first);
        assertEquals("seasonal", first.labels.get("model"));
        // The expected value follows the daily rhythm, not a flat mean: near the peak of the cycle it is well above 50.
        Rollup peak = run.rollups("anomaly_expected").get(288 * 5 + 72);
        assertTrue(peak.value > 65, "expected at the daily peak: " + peak);
        run.h.close();
    }

    @Test
    void aLevelShiftAlertsWithinAFewTensOfPoints() throws Exception {
        Run run = new Run(rule(everyPoint()));
        double[] xs = noise(3500, 10, 5);
        for (int i = 3000; i < xs.length; i++) {
            xs[i] += 2.8;
        }
        run.feed("latency_ms", 0, xs);
        List<Alert> after = run.firing().stream()
                .filter(a -> a.windowStart >= T0 + 3000 * STEP)
                .toList();
        assertFalse(after.isEmpty(), "the shift alerts");
        assertTrue(after.get(0).windowStart < T0 + 3040 * STEP, "within 40 points: " + after.get(0));
        run.h.close();
    }

    @Test
    void aSeriesThatStopsIsForgottenAfterTheExpiry() throws Exception {
        Run run = new Run(rule(everyPoint("expire_after", "1d")));
        run.feed("latency_ms", 0, noise(300, 10, 6));
        run.feed("other_ms", 0, noise(10, 10, 6));
        long last = T0 + 299 * STEP;
        // Before the expiry the series is remembered: its next point is scored, not warming up.
        run.watermark(last + DAY - STEP);
        long ts1 = last + DAY - STEP / 2;
        run.point(ts1, "checkout", "latency_ms", 10);
        run.watermark(ts1);
        List<Rollup> s = run.rollups("anomaly_score");
        assertFalse("warmup".equals(s.get(s.size() - 1).labels.get("model")), "still known: " + s.get(s.size() - 1));
        assertEquals(1, run.h.numEventTimeTimers(), "one expiry timer per key, whatever the number of series");
        // Silence for longer than the expiry: the expiry timer clears both series, and the operator then drops its
        // rule-version entry for the key, so nothing at all is left.
        run.watermark(ts1 + DAY + AnomalyDetector.EXPIRY_GRID_MS);
        assertEquals(0, run.h.numEventTimeTimers(), "no timer left");
        assertEquals(
                0,
                ((org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<?>)
                                run.h.getOperator().getKeyedStateBackend())
                        .numKeyValueStateEntries(),
                "nothing is left for the key");
        long ts2 = ts1 + DAY + 2 * AnomalyDetector.EXPIRY_GRID_MS;
        run.point(ts2, "checkout", "latency_ms", 10);
        run.watermark(ts2);
        s = run.rollups("anomaly_score");
        assertEquals("warmup", s.get(s.size() - 1).labels.get("model"), "the series starts over");
        run.h.close();
    }

    @Test
    void restoringFromASnapshotContinuesExactlyAsWithoutTheRestart() throws Exception {
        double[] xs = noise(1200, 10, 7);
        xs[1100] = 30;
        Run uninterrupted = new Run(rule(everyPoint()));
        uninterrupted.feed("latency_ms", 0, xs);
        List<Rollup> expected = uninterrupted.rollups("anomaly_score");

        Run first = new Run(rule(everyPoint()));
        first.feed("latency_ms", 0, java.util.Arrays.copyOfRange(xs, 0, 800));
        // Points waiting for the watermark are part of the snapshot too.
        first.point(T0 + 800 * STEP, "checkout", "latency_ms", xs[800]);
        OperatorSubtaskState snapshot = first.h.snapshot(1L, 1L);
        List<Rollup> before = first.rollups("anomaly_score");
        first.h.close();

        Run restored = new Run(rule(everyPoint()), snapshot);
        restored.watermark(T0 + 800 * STEP);
        restored.feed("latency_ms", 801, java.util.Arrays.copyOfRange(xs, 801, xs.length));
        List<Rollup> after = new ArrayList<>(before);
        after.addAll(restored.rollups("anomaly_score"));
        assertEquals(expected.size(), after.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).value, after.get(i).value, 0.0, "point " + i);
            assertEquals(expected.get(i).labels, after.get(i).labels, "point " + i);
        }
        assertEquals(1, restored.firing().size(), "the spike after the restore alerts");
        assertEquals(T0 + 1100 * STEP, restored.firing().get(0).windowStart);
        restored.h.close();
        uninterrupted.h.close();
    }

    @Test
    void pointsOutOfOrderAreScoredInEventTimeOrderAndLatePointsAreDropped() throws Exception {
        double[] xs = noise(600, 10, 1);
        xs[500] = 40;
        Run inOrder = new Run(rule(everyPoint()));
        inOrder.feed("latency_ms", 0, xs);
        Run shuffled = new Run(rule(everyPoint()));
        Random rnd = new Random(2);
        for (int block = 0; block < xs.length; block += 20) {
            List<Integer> idx = new ArrayList<>();
            for (int i = block; i < Math.min(block + 20, xs.length); i++) {
                idx.add(i);
            }
            Collections.shuffle(idx, rnd);
            for (int i : idx) {
                shuffled.point(T0 + i * STEP, "checkout", "latency_ms", xs[i]);
            }
            shuffled.watermark(T0 + (block + 19) * STEP);
            shuffled.point(T0 + block * STEP, "checkout", "latency_ms", 1e9); // late: behind the watermark
        }
        List<Rollup> a = inOrder.rollups("anomaly_score");
        List<Rollup> b = shuffled.rollups("anomaly_score");
        assertEquals(600, b.size(), "late points are not scored");
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).windowStart, b.get(i).windowStart);
            assertEquals(a.get(i).value, b.get(i).value, 0.0, "point " + i);
        }
        assertEquals(inOrder.firing().size(), shuffled.firing().size());
        inOrder.h.close();
        shuffled.h.close();
    }

    @Test
    void rollupsAreBoundedToFourPerSeriesPerInterval() throws Exception {
        Run run = new Run(rule(Map.of("rollup_every", "1m")));
        long step = 10_000L;
        for (int i = 0; i < 360; i++) { // one hour of 10-s points, two series
            long ts = T0 + i * step;
            run.point(ts, "checkout", "latency_ms", 10 + (i % 7));
            run.point(ts, "checkout", "queue_ms", 5 + (i % 3));
            run.watermark(ts);
        }
        List<Rollup> all = new ArrayList<>();
        all.addAll(run.h.rollups());
        assertEquals(2 * 4 * 60, all.size(), "4 rollups per series per minute");
        List<Rollup> scores = run.rollups("anomaly_score").stream()
                .filter(r -> r.labels.get("series").equals("latency_ms"))
                .toList();
        long covered = scores.stream().mapToLong(r -> r.count).sum();
        // Every point counts in exactly one rollup; the last minute's points wait for the next minute's first point.
        assertEquals(355, covered, "points counted up to the last minute's first point");
        Rollup r = scores.get(10);
        assertEquals("checkout", r.service);
        assertEquals("lat-anomaly", r.labels.get("rule"));
        assertEquals(6, r.count);
        assertEquals(r.windowEnd - 1 - 50_000L, r.windowStart, "window spans the gathered points");
        run.h.close();
    }

    @Test
    void badParametersAreRejectedWithTheirName() {
        RuleException e = assertThrows(
                RuleException.class,
                () -> RuleCompiler.compile(rule(Map.of("flag_zz", 3, "warmup", -1, "rollup_every", "sometimes"))));
        String m = e.getMessage();
        assertTrue(m.contains("flag_zz") && m.contains("flag_z"), m);
        assertTrue(m.contains("warmup"), m);
        assertTrue(m.contains("sometimes"), m);
    }

    @Test
    void aBadParameterInARuleFileIsReportedAtItsLine(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(
                f,
                String.join(
                        "\n",
                        "id: bad-anomaly",
                        "name: Bad",
                        "kind: anomaly",
                        "match: {signal: metric, name: x}",
                        "params:",
                        "  warmup: 10",
                        "  flag_zz: 3",
                        ""));
        RuleException e = assertThrows(RuleException.class, () -> RuleCompiler.compileAll(RuleLoader.load(List.of(f))));
        assertTrue(e.getMessage().contains("bad.yaml:7:"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown anomaly option 'flag_zz'"), e.getMessage());
    }

    /**
     * The demo rule on a series shaped like the demo's cart queue.depth (10-s gauge, mild daily cycle, Gaussian noise,
     * five times its level from 5h00 to 5h15): it warms up, stays quiet through the normal cycle and alerts in the
     * incident only, for many noise seeds.
     */
    @Test
    void theDemoRuleAlertsOnTheQueueBreakoutOnlyForManySeeds() throws Exception {
        List<RuleSpec> specs = RuleLoader.load(List.of(Path.of("../rules/anomaly/cart-queue-depth-anomaly.yaml")));
        assertTrue(Files.exists(Path.of("../rules/anomaly/cart-queue-depth-anomaly.yaml")));
        long start = java.time.Instant.parse("2026-11-02T00:00:00Z").toEpochMilli();
        long incident = start + 5 * 3_600_000L;
        for (int seed = 1; seed <= 8; seed++) {
            Run run = new Run(specs.get(0));
            Random rnd = new Random(seed);
            for (int i = 0; i < 6 * 360; i++) {
                long ts = start + i * 10_000L + 5_000L;
                double hour = (ts % DAY) / 3_600_000.0;
                double load = 0.6 + 0.4 * Math.sin(2 * Math.PI * (hour - 9) / 24);
                double depth = 50 + 30 * load + 4 * rnd.nextGaussian();
                if (ts >= incident && ts < incident + 900_000L) {
                    depth *= 5 * (1 + 0.1 * rnd.nextGaussian());
                }
                run.point(ts, "cart", "queue.depth", Math.max(0, Math.round(depth * 1000) / 1000.0));
                run.watermark(ts);
            }
            List<Alert> firing = run.firing();
            assertFalse(firing.isEmpty(), "seed " + seed + ": the breakout alerts");
            for (Alert a : firing) {
                assertTrue(
                        a.windowStart >= incident && a.windowStart < incident + 900_000L,
                        "seed " + seed + ": alert outside 5h00-5h15: " + a);
            }
            assertEquals("cart", firing.get(0).service);
            assertTrue(firing.get(0).windowStart < incident + 60_000L, "within a minute: " + firing.get(0));
            assertEquals(6 * 60 * 4, run.rollups("anomaly_score").size() * 4, "4 rollups per minute");
            run.h.close();
        }
    }
}
