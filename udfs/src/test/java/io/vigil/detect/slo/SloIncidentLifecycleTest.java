package io.vigil.detect.slo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.DetectorHarness;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Held-out burn-rate scenarios for the SLO kind's incidents: which pair a resolved alert names, a burn exactly on the
 * factor with the objective written two ways, and {@code for}/{@code keep_firing_for} per burn-rate alert (restores
 * from a snapshot included).
 */
class SloIncidentLifecycleTest {
    static final long T0 = 1_793_577_600_000L; // 2026-11-02T00:00:00Z
    static final long SEC = 1000;
    static final long MIN = 60 * SEC;

    /** A page with two pairs: a fast burn (14.4x over 10m and 2m) and a slow one (2x over 30m and 5m). */
    static String rule(String objective, String extra) {
        return String.join(
                "\n",
                "id: checkout-availability",
                "name: Checkout availability",
                "kind: slo",
                "severity: critical",
                "match: {signal: span, service.name: checkout}",
                "key_by: [service.name]",
                extra,
                "params:",
                "  objective: " + objective,
                "  period: 30d",
                "  bad: {status: error}",
                "  windows:",
                "    - {alert: page, severity: critical, burn_rate: 14.4, long: 10m, short: 2m}",
                "    - {alert: page, severity: critical, burn_rate: 2, long: 30m, short: 5m}",
                "");
    }

    /** Sends {@code perMinute} spans a minute over [from, to); {@code bad} picks errors by index in the minute. */
    static void traffic(DetectorHarness h, long from, long to, int perMinute, java.util.function.IntPredicate bad)
            throws Exception {
        long every = MIN / perMinute;
        for (long m = from; m < to; m += MIN) {
            for (int i = 0; i < perMinute; i++) {
                h.send(Telemetry.span(
                        m + i * every, "checkout", "GET /api/checkout", 80, bad.test(i) ? "error" : "ok"));
            }
            h.watermark(m + MIN - 1);
        }
    }

    static long at(int minute) {
        return T0 + minute * MIN;
    }

    @Test
    void aResolvedAlertNamesThePairThatLastHeldIt() throws Exception {
        DetectorHarness h = DetectorHarness.yaml(rule("99.9", ""));
        traffic(h, at(0), at(30), 100, i -> false);
        // 1% errors: a burn of 10x, below the fast pair's 14.4x and above the slow pair's 2x.
        traffic(h, at(30), at(50), 100, i -> i == 0);
        traffic(h, at(50), at(80), 100, i -> false);
        List<Alert> all = h.alerts();
        assertEquals(2, all.size(), all.toString());
        Alert firing = all.get(0);
        Alert resolved = all.get(1);
        assertEquals("30m", firing.labels.get("slo.long_window"));
        assertEquals(Alert.RESOLVED, resolved.status);
        assertEquals(firing.id, resolved.incidentId);
        assertEquals("30m", resolved.labels.get("slo.long_window"), "the slow pair held it, not the first pair");
        assertEquals("5m", resolved.labels.get("slo.short_window"));
        assertTrue(resolved.observed < 2, "what resolved it: the 5m burn fell below 2x; " + resolved);
        h.close();
    }

    /**
     * Two errors among the 1,000 spans of the 10m window burn 2/1000/(1 - 0.999) = exactly 2x. In doubles 1 - 0.999 is
     * 0.0010000000000000009 (a burn of 1.9999999999999982) while 1 - 99.9/100 is 9.999999999999009E-4 (a burn of
     * 2.0000000000000018): one spelling paged, the other did not.
     */
    @ParameterizedTest
    @ValueSource(strings = {"99.9", "0.999", "\"99.9%\""})
    void aBurnExactlyOnTheFactorPagesWhicheverWayTheObjectiveIsWritten(String objective) throws Exception {
        String yaml = rule(objective, "")
                .replace(
                        "    - {alert: page, severity: critical, burn_rate: 14.4, long: 10m, short: 2m}\n"
                                + "    - {alert: page, severity: critical, burn_rate: 2, long: 30m, short: 5m}",
                        "    - {alert: page, severity: critical, burn_rate: 2, long: 10m, short: 5m}");
        DetectorHarness h = DetectorHarness.yaml(yaml);
        traffic(h, at(0), at(11), 100, i -> false);
        traffic(h, at(11), at(12), 100, i -> i == 0 || i == 50);
        traffic(h, at(12), at(13), 100, i -> false);
        List<Alert> firing = h.firing();
        assertEquals(1, firing.size(), h.alerts().toString());
        assertEquals(at(12), firing.get(0).windowEnd, "judged at 12m: 2 errors in [2m, 12m), burn exactly 2x");
        h.close();
    }

    @Test
    void aBurnJustBelowTheFactorDoesNotPage() throws Exception {
        String yaml = rule("0.999", "")
                .replace(
                        "    - {alert: page, severity: critical, burn_rate: 14.4, long: 10m, short: 2m}\n"
                                + "    - {alert: page, severity: critical, burn_rate: 2, long: 30m, short: 5m}",
                        "    - {alert: page, severity: critical, burn_rate: 2.001, long: 10m, short: 5m}");
        DetectorHarness h = DetectorHarness.yaml(yaml);
        traffic(h, at(0), at(11), 100, i -> false);
        traffic(h, at(11), at(12), 100, i -> i == 0 || i == 50);
        traffic(h, at(12), at(13), 100, i -> false);
        assertEquals(List.of(), h.alerts());
        h.close();
    }

    /**
     * 5% errors (a 50x burn) in minutes [10, 20) and [28, 38), clean traffic around them. Without anti-flap the page
     * fires at 11m (the slow pair: the first minute's 5 errors burn 10x over its 5m window and 4.5x over 30m), resolves
     * at 25m (its 5m window is clean again), fires again at 29m and resolves at 43m. With {@code restart}, the harness
     * is snapshotted and restored at 13m (pending, with for: 3m) and at 27m (kept firing, with keep_firing_for: 10m).
     */
    static List<Alert> twoBursts(DetectorHarness h, boolean restart) throws Exception {
        List<Alert> out = new ArrayList<>();
        traffic(h, at(0), at(10), 100, i -> false);
        traffic(h, at(10), at(13), 100, i -> i % 20 == 0);
        if (restart) {
            out.addAll(h.alerts());
            h = h.restart();
        }
        traffic(h, at(13), at(20), 100, i -> i % 20 == 0);
        traffic(h, at(20), at(27), 100, i -> false);
        if (restart) {
            out.addAll(h.alerts());
            h = h.restart();
        }
        traffic(h, at(27), at(28), 100, i -> false);
        traffic(h, at(28), at(38), 100, i -> i % 20 == 0);
        traffic(h, at(38), at(70), 100, i -> false);
        out.addAll(h.alerts());
        h.close();
        return out;
    }

    @Test
    void forDelaysThePageAndKeepFiringForBridgesTheGap() throws Exception {
        List<Alert> plain = twoBursts(DetectorHarness.yaml(rule("99.9", "")), false);
        List<Alert> plainFiring = status(plain, Alert.FIRING);
        assertEquals(2, plainFiring.size(), "two bursts, two pages: " + plain);
        assertEquals(at(11), plainFiring.get(0).windowEnd);
        assertEquals(at(29), plainFiring.get(1).windowEnd);

        List<Alert> delayed = twoBursts(DetectorHarness.yaml(rule("99.9", "for: 3m")), false);
        List<Alert> delayedFiring = status(delayed, Alert.FIRING);
        assertEquals(2, delayedFiring.size(), delayed.toString());
        assertEquals(at(14), delayedFiring.get(0).windowEnd, "held at 11m, 12m, 13m, 14m");
        assertEquals(at(32), delayedFiring.get(1).windowEnd);

        List<Alert> kept = twoBursts(DetectorHarness.yaml(rule("99.9", "keep_firing_for: 10m")), false);
        assertEquals(1, status(kept, Alert.FIRING).size(), "one incident across the gap: " + kept);
        List<Alert> resolved = status(kept, Alert.RESOLVED);
        assertEquals(1, resolved.size(), kept.toString());
        assertEquals(kept.get(0).id, resolved.get(0).incidentId);
        assertEquals(
                status(plain, Alert.RESOLVED).get(1).windowEnd + 10 * MIN - MIN,
                resolved.get(0).windowEnd,
                "10m after the last judgment that held (one minute before the plain resolve)");
    }

    @Test
    void restoresMidPendingAndMidKeepFiringGiveTheUndisturbedAlerts() throws Exception {
        String yaml = rule("99.9", "for: 3m\nkeep_firing_for: 10m");
        List<Alert> undisturbed = twoBursts(DetectorHarness.yaml(yaml), false);
        List<Alert> restored = twoBursts(DetectorHarness.yaml(yaml), true);
        assertEquals(2, undisturbed.size(), undisturbed.toString());
        assertEquals(at(14), undisturbed.get(0).windowEnd);
        assertEquals(at(52), undisturbed.get(1).windowEnd);
        assertEquals(describe(undisturbed), describe(restored));
    }

    static List<Alert> status(List<Alert> alerts, String status) {
        List<Alert> out = new ArrayList<>();
        for (Alert a : alerts) {
            if (a.status.equals(status)) {
                out.add(a);
            }
        }
        return out;
    }

    static List<String> describe(List<Alert> alerts) {
        List<String> out = new ArrayList<>();
        for (Alert a : alerts) {
            out.add(a.status + " " + a.id + " " + a.incidentId + " " + a.windowEnd + " " + a.labels);
        }
        return out;
    }
}
