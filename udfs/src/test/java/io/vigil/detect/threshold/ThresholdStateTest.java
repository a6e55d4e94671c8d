package io.vigil.detect.threshold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.DetectorHarness;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.junit.jupiter.api.Test;

/**
 * The threshold kind's split state: the same alerts on the heap and in RocksDB (where each state access is a copy, so a
 * value changed without being written back would diverge), and panes saved in the earlier single-value layout carried
 * into the split one.
 */
class ThresholdStateTest {
    /** 2026-01-01T00:00:00Z. */
    private static final long T0 = 1_767_225_600_000L;

    private static final long MIN = 60_000;

    private static RuleSpec p95(String service) {
        RuleSpec s = new RuleSpec();
        s.id = "latency-p95";
        s.name = "p95";
        s.kind = "threshold";
        s.severity = "high";
        s.match = new LinkedHashMap<>(Map.of("signal", "span"));
        s.keyBy = List.of("service.name");
        s.params = new LinkedHashMap<>(Map.of(
                "field", "duration_ms",
                "aggregate", "p95",
                "window", "5m",
                "slide", "1m",
                "op", ">",
                "bound", 300,
                "min_count", 20));
        return s;
    }

    /** Twenty minutes of spans, several hundred per minute (past the digest's fold size), with a slow stretch. */
    private static List<Telemetry> spans() {
        SplittableRandom random = new SplittableRandom(7);
        List<Telemetry> out = new ArrayList<>();
        for (long t = T0; t < T0 + 20 * MIN; t += 150 + random.nextInt(50)) {
            boolean slow = t >= T0 + 8 * MIN && t < T0 + 12 * MIN;
            double ms = (slow ? 250 : 60) + random.nextDouble() * (slow ? 400 : 120);
            out.add(Telemetry.span(t, random.nextBoolean() ? "checkout" : "cart", "GET /", ms, "ok"));
        }
        return out;
    }

    private static List<String> run(DetectorHarness h, RuleSpec rule) throws Exception {
        for (Telemetry t : spans()) {
            h.record(rule, t);
            h.watermark(t.timestamp - 1);
        }
        h.watermark(T0 + 30 * MIN);
        List<String> alerts = new ArrayList<>();
        for (Alert a : h.alerts()) {
            alerts.add(a.status + " " + a.id + " " + a.windowStart + " " + a.observed + " " + a.evidence);
        }
        h.close();
        // Timers of different keys due at the same instant fire in an order of the backend's own.
        alerts.sort(null);
        return alerts;
    }

    @Test
    void rocksDbGivesTheHeapsAlertsValuesAndEvidence() throws Exception {
        RuleSpec rule = p95("checkout");
        DetectorHarness heap = DetectorHarness.running(rule);
        List<String> onHeap = run(heap, rule);

        DetectorHarness rocks = DetectorHarness.create(List.of(rule));
        rocks.setStateBackend(new EmbeddedRocksDBStateBackend());
        rocks.open();
        List<String> inRocks = run(rocks, rule);

        assertTrue(onHeap.stream().anyMatch(a -> a.startsWith(Alert.FIRING)), "the slow stretch fires: " + onHeap);
        assertTrue(onHeap.stream().anyMatch(a -> a.startsWith(Alert.RESOLVED)), "and resolves: " + onHeap);
        assertEquals(onHeap, inRocks);
    }

    @Test
    void panesOfTheSingleValueLayoutAreCountedAfterAnUpgrade() throws Exception {
        RuleSpec rule = p95("checkout");
        DetectorHarness h = DetectorHarness.running(rule);
        CompiledRule compiled = h.rule();
        Telemetry first = Telemetry.span(T0 + 1_000, "checkout", "GET /", 900, "ok");

        // A pane as a savepoint of the earlier layout holds it: 30 slow spans in [T0, T0 + 1m), two of them pending.
        Pane legacy = new Pane();
        for (int i = 0; i < 30; i++) {
            legacy.count++;
            legacy.sum += 800;
            legacy.min = 800;
            legacy.max = 800;
        }
        com.tdunning.math.stats.MergingDigest d = new com.tdunning.math.stats.MergingDigest(Pane.DIGEST_COMPRESSION);
        for (int i = 0; i < 28; i++) {
            d.add(800);
        }
        legacy.digest = Pane.toBytes(d);
        legacy.pending.add(800.0);
        legacy.pending.add(800.0);
        legacy.samples.add(TelemetryJson.write(Telemetry.span(T0 + 2_000, "checkout", "GET /", 800, "ok")));
        legacy.sampleValues.add(800.0);
        KeyedStateBackend<Object> backend = ((AbstractStreamOperator<?>) h.getOperator()).getKeyedStateBackend();
        backend.setCurrentKey(compiled.groupKeyOf(first));
        MapState<Long, Pane> panes = backend.getPartitionedState(
                compiled.fingerprint,
                LongSerializer.INSTANCE,
                new MapStateDescriptor<>("threshold.panes", Types.LONG, TypeInformation.of(Pane.class)));
        panes.put(T0, legacy);

        // One record after the upgrade in the same pane; alone it is below min_count (20).
        h.record(rule, first);
        h.watermark(T0 + MIN - 1);
        List<Alert> alerts = h.alerts();
        assertEquals(1, alerts.size(), "the legacy pane's 30 spans count: " + alerts);
        assertEquals(800.0, alerts.get(0).observed, 100.0);
        assertEquals(2, alerts.get(0).evidence.size(), "evidence from both layouts: " + alerts.get(0).evidence);
        assertTrue(panes.isEmpty(), "the legacy pane was moved");
        h.close();
    }

    /** A minute of checkout spans, one a second, with random durations from the seed. */
    private static List<Telemetry> minuteOfSpans(long seed) {
        return minuteOfSpans(seed, 60);
    }

    /** A minute of {@code n} checkout spans, evenly spaced, with random durations from the seed. */
    private static List<Telemetry> minuteOfSpans(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Telemetry> pane = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pane.add(Telemetry.span(T0 + MIN * i / n, "checkout", "GET /", 50 + random.nextDouble() * 500, "ok"));
        }
        return pane;
    }

    /** The alerts of the spans given as records to a detector that never saw an earlier layout: one judged window. */
    private static List<Alert> judgedWithoutUpgrade(RuleSpec rule, List<Telemetry> pane) throws Exception {
        DetectorHarness plain = DetectorHarness.running(rule);
        for (Telemetry t : pane) {
            plain.record(rule, t);
        }
        plain.watermark(T0 + MIN - 1);
        List<Alert> expected = plain.alerts();
        plain.close();
        assertEquals(1, expected.size(), "the window is judged: " + expected);
        return expected;
    }

    /** The rule's state {@code d} for the key of {@code record}, as its detector sees it. */
    private static <S extends org.apache.flink.api.common.state.State, V> S state(
            DetectorHarness h, Telemetry record, org.apache.flink.api.common.state.StateDescriptor<S, V> d)
            throws Exception {
        CompiledRule compiled = h.rule();
        KeyedStateBackend<Object> backend = ((AbstractStreamOperator<?>) h.getOperator()).getKeyedStateBackend();
        backend.setCurrentKey(compiled.groupKeyOf(record));
        return backend.getPartitionedState(compiled.fingerprint, LongSerializer.INSTANCE, d);
    }

    /** Judges the pane's window: the same values in the same order give the same percentile, to the bit. */
    private static void assertSamePercentile(DetectorHarness h, List<Alert> expected) throws Exception {
        h.watermark(T0 + MIN - 1);
        List<Alert> alerts = h.alerts();
        assertEquals(1, alerts.size(), "the window is judged: " + alerts);
        assertEquals(expected.get(0).observed, alerts.get(0).observed, 0.0);
    }

    @Test
    void pendingValuesOfTheListLayoutAreFoldedAfterAnUpgrade() throws Exception {
        RuleSpec rule = p95("checkout");
        rule.params.put("bound", 0); // every judged window fires, so its p95 is seen
        rule.params.put("evidence", 0);
        List<Telemetry> pane = minuteOfSpans(11);

        List<Alert> expected = judgedWithoutUpgrade(rule, pane);

        // With an upgrade after 40 spans: the first one as a record (it creates the pane and its timers), then the
        // state as the list layout left it after 40, then the other 20 as records.
        DetectorHarness h = DetectorHarness.running(rule);
        h.record(rule, pane.get(0));
        Telemetry key = pane.get(0);
        MapState<Long, Double> slots = state(h, key, ThresholdDetector.PENDING);
        MapState<Long, double[]> aggregates = state(h, key, ThresholdDetector.AGGREGATES);
        org.apache.flink.api.common.state.ListState<double[]> listed = state(h, key, ThresholdDetector.LISTED_PENDING);
        MapState<Long, double[]> chunks = state(h, key, ThresholdDetector.PENDING_CHUNKS);
        slots.clear();
        chunks.clear(); // neither layout after the list existed yet
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < 40; i++) {
            double v = pane.get(i).durationMs;
            listed.add(new double[] {T0, v});
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        aggregates.put(T0, new double[] {40, sum, min, max, 40});
        for (Telemetry t : pane.subList(40, 60)) {
            h.record(rule, t);
        }
        assertSamePercentile(h, expected);
        assertTrue(listed.get() == null || !listed.get().iterator().hasNext(), "the list was moved");
        h.close();
    }

    @Test
    void pendingValuesOfTheSlotLayoutAreFoldedAfterAnUpgrade() throws Exception {
        RuleSpec rule = p95("checkout");
        rule.params.put("bound", 0); // every judged window fires, so its p95 is seen
        rule.params.put("evidence", 0);
        // 300 spans: two folds while records arrive (at 128 and 256 values), the rest at the judgement.
        List<Telemetry> pane = minuteOfSpans(17, 300);

        List<Alert> expected = judgedWithoutUpgrade(rule, pane);

        // An upgrade after 37 spans (not a whole number of chunks): their values moved from the chunks into the slots,
        // one entry per value, as the layout before the chunks kept them; then the other 263 as records.
        DetectorHarness h = DetectorHarness.running(rule);
        for (Telemetry t : pane.subList(0, 37)) {
            h.record(rule, t);
        }
        MapState<Long, Double> slots = state(h, pane.get(0), ThresholdDetector.PENDING);
        MapState<Long, double[]> chunks = state(h, pane.get(0), ThresholdDetector.PENDING_CHUNKS);
        for (int i = 0; i < 37; i++) {
            slots.put(ThresholdDetector.slot(T0, i), pane.get(i).durationMs);
        }
        chunks.clear();
        for (Telemetry t : pane.subList(37, 300)) {
            h.record(rule, t);
        }
        assertSamePercentile(h, expected);
        assertTrue(slots.isEmpty(), "the slots were read and removed");
        assertTrue(chunks.isEmpty(), "the judgement folded every chunk");
        h.close();
    }

    @Test
    void evidenceKeptAsJsonBeforeAnUpgradeIsStillShown() throws Exception {
        RuleSpec rule = p95("checkout");
        rule.params.put("bound", 0); // every judged window fires, with its evidence
        List<Telemetry> pane = minuteOfSpans(13);

        List<Alert> expected = judgedWithoutUpgrade(rule, pane);
        assertEquals(5, expected.get(0).evidence.size());

        // After 40 spans, the pane's evidence as the earlier layout kept it: JSON, in the same order.
        DetectorHarness h = DetectorHarness.running(rule);
        for (Telemetry t : pane.subList(0, 40)) {
            h.record(rule, t);
        }
        MapState<Long, List<Telemetry>> records = state(h, pane.get(0), ThresholdDetector.SAMPLE_RECORDS);
        MapState<Long, List<String>> json = state(h, pane.get(0), ThresholdDetector.SAMPLES);
        List<String> asJson = new ArrayList<>();
        for (Telemetry t : records.get(T0)) {
            asJson.add(TelemetryJson.write(t));
        }
        json.put(T0, asJson);
        records.remove(T0);
        for (Telemetry t : pane.subList(40, 60)) {
            h.record(rule, t);
        }
        h.watermark(T0 + MIN - 1);
        List<Alert> alerts = h.alerts();
        assertEquals(1, alerts.size(), "the window is judged: " + alerts);
        assertEquals(expected.get(0).evidence, alerts.get(0).evidence);
        assertEquals(expected.get(0).observed, alerts.get(0).observed, 0.0);
        h.close();
    }
}
