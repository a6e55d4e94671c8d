package io.vigil.detect.anomaly;

import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operator harness tests of the keyed anomaly function: state and timers driven by hand with watermarks, including a
 * snapshot and restore.
 */
class AnomalySeriesFunctionTest {
    private static final long STEP = 300_000L;
    private static final long T0 = 1_400_000_000_000L - 1_400_000_000_000L % 86_400_000L;
    private static final long DAY = 86_400_000L;

    private static KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Rollup> harness(long expireAfter)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Rollup> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new AnomalySeriesFunction(new AnomalyConfig(), expireAfter)), t -> t.name,
                Types.STRING);
        h.open();
        return h;
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Rollup> h, String series,
            int from, double[] values) throws Exception {
        for (int i = 0; i < values.length; i++) {
            long ts = T0 + (from + i) * STEP;
            h.processElement(new StreamRecord<>(Telemetry.metric(ts, "svc", series, values[i]), ts));
            h.processWatermark(new Watermark(ts));
        }
    }

    /** The anomaly_score rollups emitted so far, in order. */
    private static List<Rollup> scores(KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Rollup> h) {
        List<Rollup> out = new ArrayList<>();
        for (Rollup r : h.extractOutputValues()) {
            if (r.metric.equals("anomaly_score")) {
                out.add(r);
            }
        }
        return out;
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
    void warmUpEmitsZeroScoresWithBandsForEveryPoint() throws Exception {
        var h = harness(7 * DAY);
        double[] wild = new double[150];
        for (int i = 0; i < wild.length; i++) {
            wild[i] = i % 10 == 0 ? 1e9 : i;
        }
        feed(h, "cpu", 0, wild);
        List<Rollup> s = scores(h);
        assertEquals(150, s.size(), "each point is scored once the watermark reaches it");
        for (Rollup r : s) {
            assertEquals(0.0, r.value);
            assertEquals("warmup", r.labels.get("model"));
            assertEquals("cpu", r.labels.get("series"));
        }
        assertEquals(4 * 150, h.extractOutputValues().size(), "score, expected, lower and upper per point");
        h.close();
    }

    @Test
    void pointsArrivingOutOfOrderAreScoredInEventTimeOrder() throws Exception {
        double[] values = noise(600, 10, 1);
        values[500] = 40;
        var inOrder = harness(7 * DAY);
        feed(inOrder, "a", 0, values);
        inOrder.processWatermark(new Watermark(Long.MAX_VALUE));

        var shuffled = harness(7 * DAY);
        Random rnd = new Random(2);
        for (int block = 0; block < values.length; block += 20) {
            List<Integer> idx = new ArrayList<>();
            for (int i = block; i < Math.min(block + 20, values.length); i++) {
                idx.add(i);
            }
            Collections.shuffle(idx, rnd);
            for (int i : idx) {
                long ts = T0 + i * STEP;
                shuffled.processElement(new StreamRecord<>(Telemetry.metric(ts, "svc", "a", values[i]), ts));
            }
            shuffled.processWatermark(new Watermark(T0 + (block + 19) * STEP));
        }
        shuffled.processWatermark(new Watermark(Long.MAX_VALUE));
        List<Rollup> a = scores(inOrder);
        List<Rollup> b = scores(shuffled);
        assertEquals(600, a.size());
        assertEquals(600, b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).windowStart, b.get(i).windowStart);
            assertEquals(a.get(i).value, b.get(i).value, 0.0, "point " + i);
        }
        assertEquals("true", a.get(500).labels.get("alert"));
        inOrder.close();
        shuffled.close();
    }

    @Test
    void aBreakInTheDailyRhythmAlertsFromTheSeasonalModel() throws Exception {
        var h = harness(7 * DAY);
        Random rnd = new Random(4);
        double[] xs = new double[288 * 10];
        int breakStart = 288 * 8 + 40;
        for (int i = 0; i < xs.length; i++) {
            boolean broken = i >= breakStart && i < breakStart + 36;
            xs[i] = (broken ? 50 : 50 + 20 * Math.sin(2 * Math.PI * i / 288.0)) + rnd.nextGaussian() * 0.5;
        }
        feed(h, "rps", 0, xs);
        List<Rollup> s = scores(h);
        Rollup first = null;
        for (int i = 288 * 2; i < breakStart + 36 && i < s.size(); i++) {
            if ("true".equals(s.get(i).labels.get("alert"))) {
                first = s.get(i);
                break;
            }
        }
        assertTrue(first != null && first.windowStart >= T0 + breakStart * STEP, "first alert in the break: " + first);
        assertEquals("seasonal", first.labels.get("model"));
        h.close();
    }

    @Test
    void aLevelShiftAlertsWithinAFewTensOfPoints() throws Exception {
        var h = harness(7 * DAY);
        double[] xs = noise(3500, 10, 5);
        for (int i = 3000; i < xs.length; i++) {
            xs[i] += 2.8;
        }
        feed(h, "latency", 0, xs);
        List<Rollup> s = scores(h);
        int first = -1;
        for (int i = 3000; i < s.size(); i++) {
            if ("true".equals(s.get(i).labels.get("alert"))) {
                first = i;
                break;
            }
        }
        assertTrue(first >= 3000 && first < 3040, "level shift alert at " + first);
        h.close();
    }

    @Test
    void aSeriesThatStopsIsForgottenAfterTheExpiry() throws Exception {
        long expire = DAY;
        var h = harness(expire);
        feed(h, "gone", 0, noise(300, 10, 6));
        long last = T0 + 299 * STEP;
        // Before the expiry the series is remembered: its next point is scored, not warming up.
        h.processWatermark(new Watermark(last + expire - STEP));
        long ts1 = last + expire - STEP / 2;
        h.processElement(new StreamRecord<>(Telemetry.metric(ts1, "svc", "gone", 10), ts1));
        h.processWatermark(new Watermark(ts1));
        List<Rollup> s = scores(h);
        assertTrue(!"warmup".equals(s.get(s.size() - 1).labels.get("model")), "still known: " + s.get(s.size() - 1));
        assertTrue(h.numKeyedStateEntries() > 0, "state held while the series is alive");
        // Silence for longer than the expiry: the expiry timer clears the state; the series starts over.
        h.processWatermark(new Watermark(ts1 + expire + AnomalySeriesFunction.EXPIRY_GRID_MS));
        assertEquals(0, h.numKeyedStateEntries(), "no state left for the stopped series");
        long ts2 = ts1 + expire + 2 * AnomalySeriesFunction.EXPIRY_GRID_MS;
        h.processElement(new StreamRecord<>(Telemetry.metric(ts2, "svc", "gone", 10), ts2));
        h.processWatermark(new Watermark(ts2));
        s = scores(h);
        assertEquals("warmup", s.get(s.size() - 1).labels.get("model"));
        h.close();
    }

    @Test
    void restoringFromASnapshotContinuesExactlyAsWithoutTheRestart() throws Exception {
        double[] xs = noise(1200, 10, 7);
        xs[1100] = 30;
        var uninterrupted = harness(7 * DAY);
        feed(uninterrupted, "s", 0, xs);
        List<Rollup> expected = scores(uninterrupted);

        var first = harness(7 * DAY);
        feed(first, "s", 0, java.util.Arrays.copyOfRange(xs, 0, 800));
        OperatorSubtaskState snapshot = first.snapshot(1L, 1L);
        List<Rollup> before = scores(first);
        first.close();

        KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Rollup> restored =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                        new AnomalySeriesFunction(new AnomalyConfig(), 7 * DAY)), t -> t.name, Types.STRING);
        restored.initializeState(snapshot);
        restored.open();
        feed(restored, "s", 800, java.util.Arrays.copyOfRange(xs, 800, xs.length));
        List<Rollup> after = new ArrayList<>(before);
        after.addAll(scores(restored));
        assertEquals(expected.size(), after.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).value, after.get(i).value, 0.0, "point " + i);
            assertEquals(expected.get(i).labels, after.get(i).labels, "point " + i);
        }
        assertEquals("true", after.get(1100).labels.get("alert"));
        restored.close();
        uninterrupted.close();
    }
}
