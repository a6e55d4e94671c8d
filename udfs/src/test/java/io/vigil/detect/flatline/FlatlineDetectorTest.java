package io.vigil.detect.flatline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.DetectorHarness;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Harness tests of the flatline kind: silence judged by timers, min_count, constant values, expiry and restore. */
class FlatlineDetectorTest {
    static final long T0 = 1_793_577_600_000L;
    static final long SEC = 1000;
    static final long MIN = 60 * SEC;

    static final String SILENCE = String.join(
            "\n",
            "id: heartbeat",
            "name: Service stopped reporting",
            "kind: flatline",
            "match: {signal: metric, name: http.server.request.rate}",
            "key_by: [service.name]",
            "params: {window: 5m, expire: 1h}",
            "");

    /** One point per 10 s per service from {@code from} to {@code to}, watermark following the records. */
    static void points(DetectorHarness rig, long from, long to, String... services) throws Exception {
        for (long ts = from; ts < to; ts += 10 * SEC) {
            for (String s : services) {
                rig.send(Telemetry.metric(ts, s, "http.server.request.rate", 12));
            }
            rig.watermark(ts);
        }
    }

    @Test
    void aServiceThatStopsAlertsOnceTheWatermarkPassesItsSilence() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(SILENCE);
        points(rig, T0, T0 + 10 * MIN, "cart", "search");
        // cart stops at 10m (last point 9:50); search keeps event time moving.
        points(rig, T0 + 10 * MIN, T0 + 20 * MIN, "search");
        List<Alert> alerts = rig.alerts();
        assertEquals(1, alerts.size(), alerts.toString());
        Alert a = alerts.get(0);
        assertEquals("cart", a.keyFields.get("service.name"));
        // The last point (9:50) leaves the window (end - 5m, end] at the 30 s boundary after 14:50: 15:00 - 1 ms.
        assertEquals(T0 + 15 * MIN, a.windowEnd);
        assertEquals(0, a.observed);
        assertEquals("<", a.comparison);
        assertEquals("2026-11-02T00:09:50Z", a.annotations.get("last_seen"));

        points(rig, T0 + 20 * MIN, T0 + 21 * MIN, "cart", "search");
        assertEquals(1, rig.resolved().size(), "cart is back: resolved");
        assertEquals(a.id, rig.resolved().get(0).incidentId);
    }

    @Test
    void nothingIsJudgedBeforeAKeyHasBeenKnownForAWindow() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(SILENCE.replace("window: 5m", "window: 5m, min_count: 20"));
        points(rig, T0, T0 + 4 * MIN, "cart"); // 24 points, but the first windows hold fewer than 20
        assertTrue(rig.alerts().isEmpty(), rig.alerts().toString());
    }

    @Test
    void tooFewRecordsFireWithMinCount() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(SILENCE.replace("window: 5m", "window: 5m, min_count: 20"));
        points(rig, T0, T0 + 10 * MIN, "cart");
        for (long ts = T0 + 10 * MIN; ts < T0 + 20 * MIN; ts += MIN) { // one point a minute: 5 per window
            rig.send(Telemetry.metric(ts, "cart", "http.server.request.rate", 1));
            rig.watermark(ts + MIN - 1);
        }
        assertEquals(1, rig.firing().size());
        assertTrue(rig.firing().get(0).observed < 20);
    }

    @Test
    void aSilentKeyIsForgottenAfterExpire() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(SILENCE);
        points(rig, T0, T0 + 10 * MIN, "cart");
        rig.watermark(T0 + 3 * 60 * MIN);
        assertEquals(1, rig.firing().size());
        assertEquals(0, rig.timers(), "no timer left for a forgotten key");
        assertEquals(0, rig.mapEntries("heartbeat\u001fcart", SilenceDetector.BUCKETS));
    }

    @Test
    void silenceStillFiresAfterARestoreFromASnapshot() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(SILENCE);
        points(rig, T0, T0 + 10 * MIN, "cart", "search");
        DetectorHarness restored = rig.restart();
        points(restored, T0 + 10 * MIN, T0 + 20 * MIN, "search");
        assertEquals(1, restored.firing().size());
        assertEquals("cart", restored.firing().get(0).keyFields.get("service.name"));
    }

    @Test
    void lateRecordsStillShowTheKeyIsAlive() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(SILENCE);
        points(rig, T0, T0 + 10 * MIN, "cart", "search");
        points(rig, T0 + 10 * MIN, T0 + 13 * MIN, "search");
        // cart's records of 10:00-12:00 arrive a minute late: behind the watermark, but not silent.
        for (long ts = T0 + 10 * MIN; ts < T0 + 12 * MIN; ts += 10 * SEC) {
            rig.send(Telemetry.metric(ts, "cart", "http.server.request.rate", 12));
        }
        points(rig, T0 + 13 * MIN, T0 + 16 * MIN, "search");
        assertTrue(rig.alerts().isEmpty(), "window still holds the late records: " + rig.alerts());
        points(rig, T0 + 16 * MIN, T0 + 18 * MIN, "search");
        assertEquals(1, rig.firing().size());
        assertEquals(T0 + 17 * MIN, rig.firing().get(0).windowEnd);
    }

    @Test
    void aValueThatStaysTheSameFiresOnceAndResolvesWhenItMoves() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(String.join(
                "\n",
                "id: stuck-queue",
                "name: Queue depth stuck",
                "kind: flatline",
                "match: {signal: metric, name: queue.depth}",
                "key_by: [service.name]",
                "params: {mode: constant, window: 5m, tolerance: 0.5}",
                ""));
        for (int i = 0; i < 60; i++) {
            long ts = T0 + i * 10 * SEC;
            double v = i < 12 ? i * 3 : (i < 50 ? 42.2 + (i % 2) * 0.3 : 7);
            rig.send(Telemetry.metric(ts, "cart", "queue.depth", v));
        }
        List<Alert> alerts = rig.alerts();
        assertEquals(2, alerts.size(), alerts.toString());
        assertEquals(T0 + 12 * 10 * SEC, alerts.get(0).windowStart, "stuck since the 12th point");
        assertEquals(T0 + 42 * 10 * SEC, alerts.get(0).windowEnd, "five minutes later");
        assertEquals(Alert.RESOLVED, alerts.get(1).status);
    }

    @Test
    void theEndOfABoundedInputIsNotSilence() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(SILENCE);
        points(rig, T0, T0 + 10 * MIN, "cart", "search");
        rig.watermark(Long.MAX_VALUE); // what a finished replay sends
        assertTrue(rig.alerts().isEmpty(), rig.alerts().toString());
    }
}
