package io.vigil.rollup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Harness tests of the 1-minute and 5-minute rollup operators: state, timers, watermarks and late data by hand. */
class MinuteRollupOperatorTest {
    private static final long T0 = 1_793_577_600_000L; // 2026-11-02T00:00:00Z, minute aligned
    private static final long MIN = 60_000L;

    /** The minute rollup, opened (RollupBatcherTest feeds it too). */
    static KeyedOneInputStreamOperatorTestHarness<String, RollupEvent, ServiceWindow> minutes(long lateness)
            throws Exception {
        return minutes(lateness, null);
    }

    /** The operator, from {@code restored} state when it is not null. */
    private static KeyedOneInputStreamOperatorTestHarness<String, RollupEvent, ServiceWindow> minutes(
            long lateness, OperatorSubtaskState restored) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new MinuteRollupOperator(MIN, lateness), (RollupEvent e) -> e.service, Types.STRING);
        if (restored != null) h.initializeState(restored);
        h.open();
        return h;
    }

    private static void add(KeyedOneInputStreamOperatorTestHarness<String, RollupEvent, ServiceWindow> h, Telemetry t)
            throws Exception {
        h.processElement(new StreamRecord<>(RollupEvent.of(t), t.timestamp));
    }

    private static Map<String, Rollup> byName(List<Rollup> rollups) {
        Map<String, Rollup> m = new TreeMap<>();
        for (Rollup r : rollups) {
            m.put(r.seriesId(), r);
        }
        return m;
    }

    @Test
    void aMinuteIsEmittedOnceTheWatermarkPassesItsEndWithRateErrorsLatencyAndLogs() throws Exception {
        var h = minutes(0);
        for (int i = 0; i < 100; i++) {
            add(h, Telemetry.span(T0 + i * 500, "checkout", "GET /api/checkout", i + 1, i < 5 ? "error" : "ok"));
        }
        add(h, Telemetry.log(T0 + 1_000, "checkout", "ERROR", "upstream timeout"));
        add(h, Telemetry.log(T0 + 2_000, "checkout", "ERROR", "upstream timeout"));
        add(h, Telemetry.log(T0 + 3_000, "checkout", "INFO", "ok"));
        assertEquals(
                null,
                RollupEvent.of(Telemetry.metric(T0, "checkout", "process.cpu.utilization", 0.5)),
                "metrics are not rolled up here");
        h.processWatermark(new Watermark(T0 + MIN - 2));
        assertTrue(h.extractOutputValues().isEmpty(), "nothing before the window's end");
        assertEquals(1, h.numEventTimeTimers());

        h.processWatermark(new Watermark(T0 + MIN - 1));
        List<ServiceWindow> out = h.extractOutputValues();
        assertEquals(1, out.size());
        ServiceWindow w = out.get(0);
        assertEquals(T0, w.windowStart);
        assertEquals(T0 + MIN, w.windowEnd);
        assertEquals(100, w.requests);
        assertEquals(5, w.errors);
        assertEquals(50.5, w.latencyMs(0.5), 1.0);
        assertEquals(99, w.latencyMs(0.99), 1.5);
        assertEquals(Map.of("error", 2L, "info", 1L), w.logs);
        assertEquals(0, h.numKeyedStateEntries(), "an emitted window leaves no state behind");

        Map<String, Rollup> r = byName(w.toRollups("1m"));
        assertEquals(100 / 60.0, r.get("request_rate_per_second{service=checkout,window=1m}").value, 1e-9);
        assertEquals(0.05, r.get("error_ratio{service=checkout,window=1m}").value, 1e-9);
        assertEquals(0.0995, r.get("latency_seconds{service=checkout,quantile=0.99,window=1m}").value, 0.002);
        assertEquals(2, r.get("log_records{service=checkout,severity=error,window=1m}").value);
        assertEquals(7, r.size(), "rate, error ratio, 3 quantiles, 2 severities: " + r.keySet());
    }

    @Test
    void lateRecordsGoToTheSideOutputAndNeverReopenAWindow() throws Exception {
        var h = minutes(0);
        add(h, Telemetry.span(T0 + 10, "cart", "GET /api/cart", 10, "ok"));
        h.processWatermark(new Watermark(T0 + MIN + 5));
        assertEquals(1, h.extractOutputValues().size());
        add(h, Telemetry.span(T0 + 20, "cart", "GET /api/cart", 10, "ok")); // its minute is closed
        add(h, Telemetry.span(T0 + MIN + 30, "cart", "GET /api/cart", 10, "ok")); // on time
        var late = h.getSideOutput(MinuteRollupOperator.LATE);
        assertEquals(1, late.size());
        assertEquals(T0 + 20, late.peek().getValue().timestamp);
        h.processWatermark(new Watermark(T0 + 2 * MIN));
        List<ServiceWindow> out = h.extractOutputValues();
        assertEquals(2, out.size());
        assertEquals(1, out.get(1).requests, "the late record was not added to the next minute either");
    }

    @Test
    void allowedLatenessKeepsAWindowOpenForAlertsEmittedAtItsEnd() throws Exception {
        var h = minutes(10_000);
        add(h, Telemetry.span(T0 + 10, "payments", "GET /api/payments", 10, "error"));
        h.processWatermark(new Watermark(T0 + MIN + 5_000));
        Alert a = new Alert();
        a.status = Alert.FIRING;
        a.service = "payments";
        a.ruleId = "payments-errors";
        a.severity = "high";
        a.eventTime = T0 + MIN - 1;
        h.processElement(new StreamRecord<>(RollupEvent.of(a), T0 + MIN - 1));
        assertTrue(h.extractOutputValues().isEmpty());
        h.processWatermark(new Watermark(T0 + MIN + 10_000));
        ServiceWindow w = h.extractOutputValues().get(0);
        assertEquals(Map.of("payments-errors\u0001high", 1L), w.alerts);
        Rollup alerts =
                byName(w.toRollups("1m")).get("alerts{service=payments,rule=payments-errors,severity=high,window=1m}");
        assertEquals(1, alerts.value);
    }

    @Test
    void bufferedRecordsFoldIntoTheSameWindowsAsOneRecordAtATime() throws Exception {
        // Two services, records of two minutes interleaved and out of order, more than the buffer holds, watermarks
        // now and then: every window equals the one folded record by record in arrival order, digest bytes included.
        var h = minutes(0);
        java.util.Random random = new java.util.Random(7);
        Map<String, ServiceWindow> expected = new TreeMap<>();
        int n = MinuteRollupOperator.MAX_BUFFERED + 2_345;
        for (int i = 0; i < n; i++) {
            String service = random.nextInt(3) == 0 ? "cart" : "checkout";
            long ts = T0 + (i * 8L) + random.nextInt(20_000); // spans two minutes, out of order within 20 s
            Telemetry t = random.nextInt(10) == 0
                    ? Telemetry.log(ts, service, random.nextBoolean() ? "ERROR" : "INFO", "x")
                    : Telemetry.span(
                            ts, service, "GET /", random.nextDouble() * 500, random.nextInt(20) == 0 ? "error" : "ok");
            add(h, t);
            long start = ts / MIN * MIN;
            expected.computeIfAbsent(service + "@" + start, k -> new ServiceWindow(service, start, start + MIN))
                    .add(RollupEvent.of(t));
            if (i % 4_000 == 3_999) h.processWatermark(new Watermark(T0 + 1_000));
        }
        h.processWatermark(new Watermark(T0 + 10 * MIN));
        Map<String, ServiceWindow> actual = new TreeMap<>();
        for (ServiceWindow w : h.extractOutputValues()) actual.put(w.service + "@" + w.windowStart, w);
        assertEquals(expected.keySet(), actual.keySet());
        assertEquals(4, actual.size(), "two services, two minutes each: " + actual.keySet());
        for (var e : expected.entrySet()) {
            assertSameWindow(e.getValue(), actual.get(e.getKey()), e.getKey());
        }
    }

    /** The same counts, log counts and latencies to the bit (digest bytes and latencies not yet in it). */
    static void assertSameWindow(ServiceWindow expected, ServiceWindow actual, String what) {
        assertEquals(expected.requests, actual.requests, what);
        assertEquals(expected.errors, actual.errors, what);
        assertEquals(expected.logs, actual.logs, what);
        assertEquals(expected.pendingCount, actual.pendingCount, what);
        assertArrayEquals(expected.latencyDigest, actual.latencyDigest, what);
        assertArrayEquals(
                java.util.Arrays.copyOf(expected.pendingLatencies, expected.pendingCount),
                java.util.Arrays.copyOf(actual.pendingLatencies, actual.pendingCount),
                what);
    }

    @Test
    void recordsBufferedWhenACheckpointIsTakenAreInIt() throws Exception {
        var h = minutes(0);
        add(h, Telemetry.span(T0 + 10, "search", "GET /api/search", 40, "ok"));
        add(h, Telemetry.log(T0 + 20, "search", "ERROR", "x"));
        assertEquals(0, h.numKeyedStateEntries(), "still buffered");
        // As a task does before it passes a checkpoint's barrier on (the harness's snapshot alone does not).
        h.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snap = h.snapshot(1, T0 + 30);
        h.close();
        var restored = minutes(0, snap);
        restored.processWatermark(new Watermark(T0 + MIN));
        List<ServiceWindow> out = restored.extractOutputValues();
        assertEquals(1, out.size());
        assertEquals(1, out.get(0).requests);
        assertEquals(Map.of("error", 1L), out.get(0).logs);
    }

    /** The state the earlier KeyedProcessFunction kept under the same uid: the window map and a timer per window. */
    static final class EarlierMinuteRollup
            extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<String, RollupEvent, ServiceWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(RollupEvent e, Context ctx, org.apache.flink.util.Collector<ServiceWindow> out)
                throws Exception {
            var windows = getRuntimeContext()
                    .getMapState(new org.apache.flink.api.common.state.MapStateDescriptor<>(
                            "windows",
                            Types.LONG,
                            org.apache.flink.api.common.typeinfo.TypeInformation.of(ServiceWindow.class)));
            long start = e.timestamp / MIN * MIN;
            ServiceWindow w = windows.get(start);
            if (w == null) {
                w = new ServiceWindow(e.service, start, start + MIN);
                ctx.timerService().registerEventTimeTimer(start + MIN - 1);
            }
            w.add(e);
            windows.put(start, w);
        }
    }

    @Test
    void stateOfTheEarlierFunctionRestores() throws Exception {
        var earlier = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new EarlierMinuteRollup()), (RollupEvent e) -> e.service, Types.STRING);
        earlier.open();
        add(earlier, Telemetry.span(T0 + 10, "search", "GET /api/search", 40, "ok"));
        OperatorSubtaskState snap = earlier.snapshot(1, T0 + 20);
        earlier.close();
        var restored = minutes(0, snap);
        add(restored, Telemetry.span(T0 + 30, "search", "GET /api/search", 60, "ok"));
        assertEquals(1, restored.numEventTimeTimers(), "the earlier timer restored");
        restored.processWatermark(new Watermark(T0 + MIN - 1));
        List<ServiceWindow> out = restored.extractOutputValues();
        assertEquals(1, out.size());
        assertEquals(2, out.get(0).requests);
    }

    @Test
    void openWindowsSurviveASnapshotAndRestore() throws Exception {
        var h = minutes(0);
        add(h, Telemetry.span(T0 + 10, "search", "GET /api/search", 40, "ok"));
        add(h, Telemetry.span(T0 + MIN + 10, "search", "GET /api/search", 80, "ok"));
        h.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snap = h.snapshot(1, T0 + 20);
        h.close();

        var restored = minutes(0, snap);
        add(restored, Telemetry.span(T0 + 20, "search", "GET /api/search", 60, "ok"));
        restored.processWatermark(new Watermark(T0 + 2 * MIN));
        List<ServiceWindow> out = restored.extractOutputValues();
        assertEquals(2, out.size(), "both restored windows fire from their restored timers");
        assertEquals(2, out.get(0).requests);
        assertEquals(50, out.get(0).latencyMs(0.5), 10.1);
        assertEquals(1, out.get(1).requests);
    }

    @Test
    void fiveMinuteWindowMergesItsMinutesDigestsIncluded() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new WindowMergeFunction(5 * MIN, 0)),
                (ServiceWindow w) -> w.service,
                Types.STRING);
        h.open();
        for (int m = 0; m < 6; m++) {
            ServiceWindow w = new ServiceWindow("frontend", T0 + m * MIN, T0 + (m + 1) * MIN);
            for (int i = 0; i < 60; i++) {
                RollupEvent e = RollupEvent.of(Telemetry.span(T0 + m * MIN, "frontend", "GET /", m * 60 + i, "ok"));
                w.add(e);
            }
            w.add(RollupEvent.of(Telemetry.log(T0 + m * MIN, "frontend", "WARN", "slow")));
            h.processElement(new StreamRecord<>(w, w.windowEnd - 1));
            h.processWatermark(new Watermark(w.windowEnd - 1));
        }
        List<ServiceWindow> out = h.extractOutputValues();
        assertEquals(1, out.size(), "the sixth minute belongs to the next 5-minute window");
        ServiceWindow five = out.get(0);
        assertEquals(T0, five.windowStart);
        assertEquals(T0 + 5 * MIN, five.windowEnd);
        assertEquals(300, five.requests);
        assertEquals(150, five.latencyMs(0.5), 2.0);
        assertEquals(297, five.latencyMs(0.99), 3.0);
        assertEquals(Map.of("warn", 5L), five.logs);
        Rollup rate = byName(five.toRollups("5m")).get("request_rate_per_second{service=frontend,window=5m}");
        assertEquals(1.0, rate.value, 1e-9);
        assertEquals(
                2,
                h.numKeyedStateEntries(),
                "only the open sixth minute's window is left, and its start (startsState)");
    }
}
