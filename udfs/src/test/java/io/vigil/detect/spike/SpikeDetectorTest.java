package io.vigil.detect.spike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.DetectorHarness;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Harness tests of the spike kind: up and down spikes, silence as a drop, baselines, late records and restore. */
class SpikeDetectorTest {
    static final long T0 = 1_793_577_600_000L;
    static final long MIN = 60_000;

    static final String ERROR_SPIKE = String.join(
            "\n",
            "id: error-spike",
            "name: Error spike",
            "kind: spike",
            "match: {signal: log, severity: ERROR}",
            "key_by: [service.name]",
            "params:",
            "  window: 1m",
            "  baseline: 3",
            "  ratio: 3",
            "  min_count: 5",
            "  direction: both",
            "");

    /** {@code perMinute[i]} error logs in minute i for service svc, spread over the minute; watermark each minute. */
    static void logs(DetectorHarness rig, String svc, int fromMinute, int... perMinute) throws Exception {
        for (int m = 0; m < perMinute.length; m++) {
            long start = T0 + (fromMinute + m) * MIN;
            for (int i = 0; i < perMinute[m]; i++) {
                rig.send(Telemetry.log(start + i * (MIN / Math.max(1, perMinute[m])), svc, "ERROR", "boom"));
            }
            rig.watermark(start + MIN - 1);
        }
    }

    @Test
    void aBurstThreeTimesTheBaselineFiresAndResolvesWhenItPasses() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(ERROR_SPIKE);
        logs(rig, "cart", 0, 10, 10, 10, 10, 40, 35, 10, 10);
        List<Alert> alerts = rig.alerts();
        assertEquals(2, alerts.size(), alerts.toString());
        Alert fired = alerts.get(0);
        assertEquals(T0 + 4 * MIN, fired.windowStart);
        assertEquals(40, fired.observed);
        assertEquals(30, fired.expected, "three times the 3-window baseline of 10");
        assertEquals(">=", fired.comparison);
        assertEquals("10", fired.annotations.get("baseline"));
        // Minute 5 (35 against a baseline of 20) is no spike any more: resolved there.
        assertEquals(Alert.RESOLVED, alerts.get(1).status);
        assertEquals(T0 + 5 * MIN, alerts.get(1).windowStart);
        assertEquals(fired.id, alerts.get(1).incidentId);
    }

    @Test
    void aKeyThatFallsSilentIsADropSpike() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(ERROR_SPIKE);
        logs(rig, "cart", 0, 12, 12, 12, 12);
        for (int m = 4; m < 8; m++) { // cart stops; other traffic moves event time
            rig.watermark(T0 + (m + 1) * MIN - 1);
        }
        List<Alert> firing = rig.firing();
        assertEquals(1, firing.size(), rig.alerts().toString());
        assertEquals(0, firing.get(0).observed);
        assertEquals("<=", firing.get(0).comparison);
        assertEquals(T0 + 4 * MIN, firing.get(0).windowStart);
    }

    @Test
    void aNewKeyWithoutBaselineDoesNotFire() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(ERROR_SPIKE);
        logs(rig, "search", 0, 100, 100, 100);
        assertTrue(rig.alerts().isEmpty(), "the first window has no baseline; equal windows are no spike");
    }

    @Test
    void tooFewRecordsInTheCurrentWindowIsNoSpike() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(ERROR_SPIKE.replace("direction: both", "direction: up"));
        logs(rig, "cart", 0, 1, 1, 1, 4); // 4x but under min_count 5
        assertTrue(rig.alerts().isEmpty());
    }

    @Test
    void averageOfAMetricDroppingIsADownSpike() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(String.join(
                "\n",
                "id: rate-drop",
                "name: Request rate drop",
                "kind: spike",
                "match: {signal: metric, name: http.server.request.rate}",
                "key_by: [service.name]",
                "params: {window: 5m, aggregate: avg, direction: down, ratio: 2, min_baseline: 5}",
                ""));
        for (int i = 0; i < 60; i++) { // a point every 10 s; level 100, then 30 from minute 15
            long ts = T0 + i * 30_000L;
            rig.send(Telemetry.metric(ts, "frontend", "http.server.request.rate", ts >= T0 + 15 * MIN ? 30 : 100));
            rig.watermark(ts);
        }
        rig.watermark(T0 + 30 * MIN);
        List<Alert> firing = rig.firing();
        assertEquals(1, firing.size());
        assertEquals(T0 + 15 * MIN, firing.get(0).windowStart);
        assertEquals(30, firing.get(0).observed);
        assertEquals(50, firing.get(0).expected);
    }

    @Test
    void lateRecordsAreDroppedNotCountedInAJudgedWindow() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(ERROR_SPIKE);
        logs(rig, "cart", 0, 10, 10, 10, 10);
        for (int i = 0; i < 100; i++) { // a burst for minute 1, long judged
            rig.send(Telemetry.log(T0 + MIN + i, "cart", "ERROR", "late"));
        }
        logs(rig, "cart", 4, 10);
        assertTrue(rig.alerts().isEmpty(), "late records neither fire nor raise the baseline: " + rig.alerts());
    }

    @Test
    void theBaselineSurvivesARestoreFromASnapshot() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(ERROR_SPIKE);
        logs(rig, "cart", 0, 10, 10, 10);
        DetectorHarness restored = rig.restart();
        logs(restored, "cart", 3, 40);
        assertEquals(1, restored.firing().size());
        assertEquals(30, restored.firing().get(0).expected);
    }

    @Test
    void aQuietKeyKeepsItsZeroBaselineThenIsForgottenAfterADay() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(ERROR_SPIKE
                .replace("direction: both", "direction: up")
                .replace("baseline: 3", "baseline: 3\n  min_baseline: 0"));
        logs(rig, "payments", 0, 1);
        for (int m = 1; m < 40; m++) { // forty quiet minutes
            rig.watermark(T0 + (m + 1) * MIN - 1);
        }
        logs(rig, "payments", 40, 12);
        assertEquals(1, rig.firing().size(), "12 errors against quiet (zero) windows is a spike");
        rig.watermark(T0 + 3 * 24 * 60 * MIN);
        assertEquals(0, rig.timers(), "a key quiet for a day leaves no timer");
        assertEquals(0, rig.mapEntries("error-spike\u001fpayments", SpikeDetector.WINDOWS));
    }
}
