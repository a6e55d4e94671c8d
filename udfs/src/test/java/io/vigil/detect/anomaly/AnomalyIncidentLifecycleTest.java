package io.vigil.detect.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.detect.DetectorHarness;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.RuleSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code for} and {@code keep_firing_for} on the anomaly kind, per series: an anomaly holds from the scorer's alert
 * until {@code resolve_after} points in a row without red evidence. Restores from snapshots taken mid-pending and
 * mid-keep-firing give the undisturbed run's alerts.
 */
class AnomalyIncidentLifecycleTest {
    private static final long STEP = 300_000L;
    private static final long DAY = 86_400_000L;
    private static final long T0 = 1_400_000_000_000L - 1_400_000_000_000L % DAY;

    static RuleSpec rule(String forDuration, String keepFiringFor) {
        RuleSpec r = new RuleSpec();
        r.id = "lat-anomaly";
        r.name = "Latency anomaly";
        r.kind = "anomaly";
        r.match = new LinkedHashMap<>(Map.of("signal", "metric", "name", "latency_ms"));
        r.keyBy = new ArrayList<>(List.of("service.name"));
        r.params = new LinkedHashMap<>(Map.of("resolve_after", 12));
        r.forDuration = forDuration;
        r.keepFiringFor = keepFiringFor;
        return r;
    }

    /** Noise around 20 with +40 spikes of 10 points at each of {@code spikes}; 1,200 points, one per 5 minutes. */
    static double[] series(int... spikes) {
        Random rnd = new Random(1);
        double[] d = new double[1200];
        for (int i = 0; i < d.length; i++) {
            d[i] = 20 + rnd.nextGaussian();
        }
        for (int s : spikes) {
            for (int i = s; i < s + 10; i++) {
                d[i] += 40;
            }
        }
        return d;
    }

    /** Feeds the points, restarting the harness from a snapshot before each index in {@code restartsAt}. */
    static List<Alert> run(RuleSpec r, double[] xs, int... restartsAt) throws Exception {
        DetectorHarness h = DetectorHarness.running(r);
        List<Alert> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < xs.length; i++) {
            if (next < restartsAt.length && restartsAt[next] == i) {
                out.addAll(h.alerts());
                h = h.restart();
                next++;
            }
            long ts = T0 + i * STEP;
            h.record(r, Telemetry.metric(ts, "checkout", "latency_ms", xs[i]));
            h.watermark(ts);
        }
        out.addAll(h.alerts());
        h.close();
        List<Alert> fromTheSpikes = new ArrayList<>();
        for (Alert a : out) {
            if (a.windowStart >= T0 + 1000 * STEP) {
                fromTheSpikes.add(a);
            }
        }
        return fromTheSpikes;
    }

    static List<Alert> firing(List<Alert> alerts) {
        return alerts.stream().filter(a -> Alert.FIRING.equals(a.status)).toList();
    }

    @Test
    void forFiresOnceTheAnomalyHeldThatLong() throws Exception {
        List<Alert> plain = firing(run(rule(null, null), series(1000)));
        assertEquals(1, plain.size(), plain.toString());
        assertEquals(T0 + 1000 * STEP, plain.get(0).windowStart);

        List<Alert> delayed = firing(run(rule("25m", null), series(1000)));
        assertEquals(1, delayed.size(), delayed.toString());
        assertEquals(T0 + 1005 * STEP, delayed.get(0).windowStart, "pending from point 1000, five points of 5m");
    }

    @Test
    void anAnomalyThatHoldsLessThanForRaisesNothing() throws Exception {
        List<Alert> plain = run(rule(null, null), series(1000));
        assertEquals(2, plain.size(), plain.toString());
        // The anomaly holds from its first point until resolve_after quiet points in a row: the plain incident's span.
        long held = (plain.get(1).windowStart - plain.get(0).windowStart) / STEP;
        assertEquals(List.of(), run(rule((held + 1) * 5 + "m", null), series(1000)), "held " + held + " points");
        List<Alert> justEnough = firing(run(rule((held - 1) * 5 + "m", null), series(1000)));
        assertEquals(1, justEnough.size(), "held " + held + " points: " + justEnough);
        assertEquals(T0 + (1000 + held - 1) * STEP, justEnough.get(0).windowStart);
    }

    @Test
    void keepFiringForJoinsTwoSpikesIntoOneIncident() throws Exception {
        List<Alert> plain = firing(run(rule(null, null), series(1000, 1040)));
        assertEquals(2, plain.size(), "two spikes 30 points apart, two incidents: " + plain);

        List<Alert> kept = run(rule(null, "2h"), series(1000, 1040));
        assertEquals(2, kept.size(), kept.toString());
        assertEquals(Alert.FIRING, kept.get(0).status);
        assertEquals(Alert.RESOLVED, kept.get(1).status);
        assertEquals(kept.get(0).id, kept.get(1).incidentId);
    }

    @Test
    void restoresMidPendingAndMidKeepFiringGiveTheUndisturbedAlerts() throws Exception {
        RuleSpec r = rule("25m", "2h");
        double[] xs = series(1000, 1040);
        List<Alert> undisturbed = run(r, xs);
        assertEquals(2, undisturbed.size(), undisturbed.toString());
        List<Alert> restored = run(r, xs, 1002, 1030);
        assertEquals(describe(undisturbed), describe(restored));
    }

    static List<String> describe(List<Alert> alerts) {
        List<String> out = new ArrayList<>();
        for (Alert a : alerts) {
            out.add(a.status + " " + a.id + " " + a.incidentId + " " + a.windowStart);
        }
        return out;
    }
}
