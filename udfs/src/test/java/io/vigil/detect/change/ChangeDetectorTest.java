package io.vigil.detect.change;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.DetectorHarness;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Harness tests of the change kind: value changes per key, reordering, nulls, timeframe, min_delta, expiry, restore. */
class ChangeDetectorTest {
    static final long T0 = 1_793_577_600_000L;
    static final long MIN = 60_000;

    static final String DEPLOY = String.join(
            "\n",
            "id: version-change",
            "name: New version deployed",
            "kind: change",
            "severity: info",
            "match: {signal: span, kind: server}",
            "key_by: [service.name, host.name]",
            "params: {field: service.version, expire: 1d}",
            "");

    static Telemetry span(long ts, String service, String host, String version) {
        Telemetry t =
                Telemetry.span(ts, service, "GET /api/" + service, 20, "ok").res("host.name", host);
        if (version != null) {
            t.res("service.version", version);
        }
        return t;
    }

    @Test
    void aNewVersionFiresOnceWithPreviousAndCurrent() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(DEPLOY);
        for (int i = 0; i < 10; i++) {
            rig.send(span(T0 + i * MIN, "checkout", "h1", i < 5 ? "1.4.2" : "1.5.0"));
            rig.send(span(T0 + i * MIN, "checkout", "h2", "1.4.2"));
            rig.watermark(T0 + i * MIN);
        }
        List<Alert> alerts = rig.alerts();
        assertEquals(1, alerts.size(), alerts.toString());
        Alert a = alerts.get(0);
        assertEquals("h1", a.keyFields.get("host.name"));
        assertEquals("1.4.2", a.annotations.get("previous"));
        assertEquals("1.5.0", a.annotations.get("current"));
        assertEquals(T0 + 4 * MIN, a.windowStart);
        assertEquals(T0 + 5 * MIN, a.windowEnd);
        assertEquals(1, a.evidence.size());
        assertTrue(a.message.contains("changed from 1.4.2 to 1.5.0"), a.message);
    }

    @Test
    void anOlderRecordArrivingLateIsNoChange() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(DEPLOY);
        rig.send(span(T0 + 2 * MIN, "checkout", "h1", "1.5.0"));
        rig.send(span(T0 + MIN, "checkout", "h1", "1.4.2")); // reordered: older than what we have
        rig.send(span(T0 + 3 * MIN, "checkout", "h1", "1.5.0"));
        assertTrue(rig.alerts().isEmpty(), rig.alerts().toString());
    }

    @Test
    void recordsWithoutTheFieldAreIgnoredUnlessAsked() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(DEPLOY);
        rig.send(span(T0, "cart", "h1", "2.0"));
        rig.send(span(T0 + MIN, "cart", "h1", null));
        rig.send(span(T0 + 2 * MIN, "cart", "h1", "2.0"));
        assertTrue(rig.alerts().isEmpty());

        DetectorHarness strict = DetectorHarness.yaml(DEPLOY.replace("expire: 1d", "expire: 1d, ignore_null: false"));
        strict.send(span(T0, "cart", "h1", "2.0"));
        strict.send(span(T0 + MIN, "cart", "h1", null));
        assertEquals(1, strict.alerts().size());
        assertEquals("(absent)", strict.alerts().get(0).annotations.get("current"));
    }

    @Test
    void timeframeSkipsChangesAfterALongGap() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(DEPLOY.replace("expire: 1d", "timeframe: 1h"));
        rig.send(span(T0, "cart", "h1", "2.0"));
        rig.send(span(T0 + 2 * 60 * MIN, "cart", "h1", "2.1")); // two hours later: not judged, but remembered
        rig.send(span(T0 + 2 * 60 * MIN + MIN, "cart", "h1", "2.2"));
        assertEquals(1, rig.alerts().size());
        assertEquals("2.1", rig.alerts().get(0).annotations.get("previous"));
    }

    @Test
    void minDeltaTurnsItIntoALevelChangeOfANumber() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(String.join(
                "\n",
                "id: pool-size",
                "name: Pool size changed",
                "kind: change",
                "match: {signal: metric, name: db.pool.size}",
                "key_by: [service.name]",
                "params: {field: value, min_delta: 10}",
                ""));
        double[] values = {50, 52, 55, 58, 61, 61, 20};
        for (int i = 0; i < values.length; i++) {
            rig.send(Telemetry.metric(T0 + i * MIN, "payments", "db.pool.size", values[i]));
        }
        List<Alert> alerts = rig.alerts();
        assertEquals(2, alerts.size(), "drift from 50 to 61 adds up to one change, then the drop: " + alerts);
        assertEquals(50, alerts.get(0).expected);
        assertEquals(61, alerts.get(0).observed);
        assertEquals(20, alerts.get(1).observed);
    }

    @Test
    void aKeyIsForgottenAfterExpireAndItsValueSurvivesARestore() throws Exception {
        DetectorHarness rig = DetectorHarness.yaml(DEPLOY);
        rig.send(span(T0, "cart", "h1", "2.0"));
        DetectorHarness restored = rig.restart();
        restored.send(span(T0 + MIN, "cart", "h1", "2.1"));
        assertEquals(1, restored.alerts().size(), "the restored state remembered 2.0");
        restored.watermark(T0 + 2 * 24 * 60 * MIN);
        assertEquals(0, restored.timers());
        restored.send(span(T0 + 2 * 24 * 60 * MIN + 1, "cart", "h1", "2.2"));
        assertEquals(1, restored.alerts().size(), "after a day without records the key starts afresh");
    }
}
