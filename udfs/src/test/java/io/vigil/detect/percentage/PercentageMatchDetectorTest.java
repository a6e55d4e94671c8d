package io.vigil.detect.percentage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.DetectorHarness;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Harness tests of percentage_match: error ratio windows, min_count, sliding windows, late records and restore. */
class PercentageMatchDetectorTest {
    static final long T0 = 1_793_577_600_000L;
    static final long SEC = 1000;
    static final long MIN = 60 * SEC;

    static final String ERROR_RATIO = String.join(
            "\n",
            "id: error-ratio",
            "name: Error ratio above 5%",
            "kind: percentage_match",
            "match: {signal: span, kind: server}",
            "key_by: [service.name]",
            "params:",
            "  matching: {status: error}",
            "  window: 1m",
            "  bound: 5",
            "  min_count: 30",
            "");

    /** One span a second; the {@code errorEvery}-th of each minute are errors (0: none). Watermark per minute. */
    static void spans(DetectorHarness rig, String svc, int fromMinute, int... errorEvery) throws Exception {
        for (int m = 0; m < errorEvery.length; m++) {
            long start = T0 + (fromMinute + m) * MIN;
            for (int s = 0; s < 60; s++) {
                boolean err = errorEvery[m] > 0 && s % errorEvery[m] == 0;
                rig.send(Telemetry.span(start + s * SEC, svc, "GET /api/" + svc, 30, err ? "error" : "ok"));
            }
            rig.watermark(start + MIN - 1);
        }
    }

    @Test
    void aShareAboveTheBoundFiresWithEvidenceAndResolves() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(ERROR_RATIO);
        spans(rig, "payments", 0, 0, 60, 10, 5, 60, 0);
        List<Alert> alerts = rig.alerts();
        assertEquals(2, alerts.size(), alerts.toString());
        Alert fired = alerts.get(0);
        assertEquals(T0 + 2 * MIN, fired.windowStart, "10% errors in minute 2; 1.7% in minute 1 is fine");
        assertEquals(100.0 * 6 / 60, fired.observed, 1e-9);
        assertEquals("6", fired.annotations.get("matching"));
        assertEquals(5, fired.evidence.size());
        assertTrue(fired.evidence.get(0).contains("\"error\""));
        assertEquals(Alert.RESOLVED, alerts.get(1).status);
        assertEquals(T0 + 4 * MIN, alerts.get(1).windowStart);
    }

    @Test
    void windowsWithTooFewRecordsAreNotJudged() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(ERROR_RATIO);
        for (int i = 0; i < 10; i++) { // 10 records, all errors: under min_count 30
            rig.send(Telemetry.span(T0 + i * SEC, "auth", "POST /api/auth", 30, "error"));
        }
        rig.watermark(T0 + 5 * MIN);
        assertTrue(rig.alerts().isEmpty());
    }

    @Test
    void anOpenIncidentResolvesWhenTheRecordsStop() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(ERROR_RATIO);
        spans(rig, "payments", 0, 2, 2);
        rig.watermark(T0 + 5 * MIN);
        assertEquals(1, rig.firing().size());
        assertEquals(1, rig.resolved().size());
        assertEquals(0, rig.timers(), "no timer keeps running for a quiet key");
    }

    @Test
    void slidingWindowsJudgeEverySlide() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(ERROR_RATIO.replace("window: 1m", "window: 2m\n  slide: 30s"));
        spans(rig, "payments", 0, 0, 0, 0, 5, 0, 0, 0); // 12 errors in minute 3, spread over it
        List<Alert> alerts = rig.alerts();
        assertEquals(2, alerts.size(), alerts.toString());
        // [1:30, 3:30) holds 6 of 120 = 5%, not above; [2:00, 4:00) holds all 12 = 10%.
        assertEquals(T0 + 2 * MIN, alerts.get(0).windowStart);
        assertEquals(T0 + 4 * MIN, alerts.get(0).windowEnd);
        // [3:30, 5:30) is back to 6 of 120: resolved there, three slides later.
        assertEquals(Alert.RESOLVED, alerts.get(1).status);
        assertEquals(T0 + 3 * MIN + 30 * SEC, alerts.get(1).windowStart);
    }

    @Test
    void lateRecordsAreDropped() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(ERROR_RATIO);
        spans(rig, "payments", 0, 0, 0);
        for (int i = 0; i < 60; i++) {
            rig.send(Telemetry.span(T0 + i * SEC, "payments", "GET /api/payments", 30, "error"));
        }
        spans(rig, "payments", 2, 0);
        assertTrue(rig.alerts().isEmpty());
    }

    @Test
    void panesSurviveARestoreFromASnapshot() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(ERROR_RATIO.replace("window: 1m", "window: 2m\n  slide: 1m"));
        // Minute 0: 3 errors of 60 (5%); restart; minute 1: 4 of 60. Together 7 of 120 = 5.8% > 5.
        spans(rig, "payments", 0, 20);
        DetectorHarness restored = rig.restart();
        spans(restored, "payments", 1, 15);
        assertEquals(1, restored.firing().size());
        assertEquals(100.0 * 7 / 120, restored.firing().get(0).observed, 1e-9);
    }
}
