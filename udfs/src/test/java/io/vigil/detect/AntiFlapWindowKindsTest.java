package io.vigil.detect;

import static io.vigil.detect.Specs.MIN;
import static io.vigil.detect.Specs.SEC;
import static io.vigil.detect.Specs.T0;
import static io.vigil.detect.Specs.error;
import static io.vigil.detect.Specs.errors;
import static io.vigil.detect.Specs.latency;
import static io.vigil.detect.Specs.span;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.Alert;
import io.vigil.rules.RuleSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code for} and {@code keep_firing_for} on the kinds that judge windows on timers (threshold, frequency), through the
 * real detector operator: pending to firing, a clear before {@code for}, a gap bridged by {@code keep_firing_for}, late
 * records, and restores from a snapshot taken mid-pending and mid-keep-firing.
 */
class AntiFlapWindowKindsTest {

    /** Average latency over tumbling minutes above 100 ms (threshold), with the given anti-flap durations. */
    private static RuleSpec latencyRule(String forDuration, String keepFiringFor) {
        RuleSpec r = latency();
        r.forDuration = forDuration;
        r.keepFiringFor = keepFiringFor;
        return r;
    }

    /** Two spans in minute {@code m} (from T0): slow (300 ms, a breach) or fast (50 ms). */
    private static void minute(DetectorHarness h, RuleSpec r, int m, boolean slow) throws Exception {
        for (int i = 1; i <= 2; i++) {
            h.record(r, span(T0 + m * MIN + i * SEC, "checkout", slow ? 300 : 50));
        }
    }

    /** Feeds minutes 0.. of the pattern ('S' slow, 'F' fast, '.' no records), judging each minute's window. */
    private static void minutes(DetectorHarness h, RuleSpec r, String pattern) throws Exception {
        for (int m = 0; m < pattern.length(); m++) {
            if (pattern.charAt(m) != '.') {
                minute(h, r, m, pattern.charAt(m) == 'S');
            }
            h.watermark(T0 + (m + 1) * MIN - 1);
        }
    }

    private static long at(int minute) {
        return T0 + minute * MIN;
    }

    @Test
    void thresholdFiresOnlyOnceTheBreachHeldForFor() throws Exception {
        RuleSpec r = latencyRule("3m", null);
        DetectorHarness h = DetectorHarness.running(r);
        minutes(h, r, "SSS");
        assertEquals(List.of(), h.alerts(), "windows ending at 1m, 2m, 3m: pending since 1m, 2m < for");
        minute(h, r, 3, true);
        minute(h, r, 4, true);
        h.watermark(at(5) - 1);
        List<Alert> fired = h.firing();
        assertEquals(1, fired.size(), fired.toString());
        assertEquals(at(4), fired.get(0).windowEnd, "judged at 1m, 2m, 3m, 4m: 4m - 1m = for");
        assertEquals(at(3), fired.get(0).windowStart);
        assertEquals(300.0, fired.get(0).observed, 1e-9);
        h.close();
    }

    @Test
    void thresholdBreachThatClearsBeforeForRaisesNothing() throws Exception {
        RuleSpec r = latencyRule("3m", null);
        DetectorHarness h = DetectorHarness.running(r);
        minutes(h, r, "SSFSSFSS");
        assertEquals(List.of(), h.alerts(), "no run of breaches lasted 3m");
        h.close();

        DetectorHarness without = DetectorHarness.running(latencyRule(null, null));
        minutes(without, latency(), "SSFSSFSS");
        assertEquals(3, without.firing().size(), "the same input without for fires each run");
        without.close();
    }

    @Test
    void thresholdPendingEndsWhenTheRecordsStop() throws Exception {
        RuleSpec r = latencyRule("2m", null);
        DetectorHarness h = DetectorHarness.running(r);
        minutes(h, r, "S...S");
        assertEquals(List.of(), h.alerts(), "an empty window does not show the breach holding");
        assertEquals(0, h.lateRecords());
        h.close();
    }

    @Test
    void keepFiringForBridgesAGapIntoOneIncident() throws Exception {
        RuleSpec r = latencyRule(null, "2m");
        DetectorHarness h = DetectorHarness.running(r);
        minutes(h, r, "SFSFFF");
        List<Alert> all = h.alerts();
        assertEquals(2, all.size(), all.toString());
        Alert firing = all.get(0);
        Alert resolved = all.get(1);
        assertEquals(Alert.FIRING, firing.status);
        assertEquals(at(1), firing.windowEnd);
        assertEquals(Alert.RESOLVED, resolved.status);
        assertEquals(firing.id, resolved.incidentId, "the re-breach at 3m continued the incident");
        assertEquals(at(5), resolved.windowEnd, "last held at 3m, kept firing 2m");
        h.close();

        DetectorHarness without = DetectorHarness.running(latency());
        minutes(without, latency(), "SFSFFF");
        assertEquals(2, without.firing().size(), "without keep_firing_for the gap splits the incident");
        without.close();
    }

    @Test
    void keepFiringResolvesEvenWhenTheRecordsStop() throws Exception {
        RuleSpec r = latencyRule(null, "3m");
        DetectorHarness h = DetectorHarness.running(r);
        minutes(h, r, "S.....");
        List<Alert> resolved = h.resolved();
        assertEquals(1, resolved.size(), h.alerts().toString());
        assertEquals(at(4), resolved.get(0).windowEnd, "last held at 1m, kept firing 3m, judged without records");
        h.close();
    }

    @Test
    void lateRecordsDoNotRewriteAJudgedPendingRun() throws Exception {
        RuleSpec r = latencyRule("2m", null);
        DetectorHarness h = DetectorHarness.running(r);
        minutes(h, r, "SF");
        minute(h, r, 1, true); // minute 1 again, slow, after its window was judged fast
        assertEquals(2, h.lateRecords());
        for (int m = 2; m <= 3; m++) {
            minute(h, r, m, true);
            h.watermark(at(m + 1) - 1);
        }
        assertEquals(List.of(), h.alerts(), "pending since 3m after the clear at 2m; 4m - 3m < 2m");
        minute(h, r, 4, true);
        h.watermark(at(5) - 1);
        assertEquals(1, h.firing().size());
        h.close();
    }

    @Test
    void aRestoreMidPendingKeepsHowLongTheBreachHeld() throws Exception {
        RuleSpec r = latencyRule("3m", null);
        DetectorHarness h = DetectorHarness.running(r);
        minutes(h, r, "SS");
        h = h.restart();
        for (int m = 2; m <= 3; m++) {
            minute(h, r, m, true);
            h.watermark(at(m + 1) - 1);
        }
        List<Alert> fired = h.firing();
        assertEquals(1, fired.size(), "pending since 1m survived the restore");
        assertEquals(at(4), fired.get(0).windowEnd);
        h.close();
    }

    @Test
    void aRestoreMidKeepFiringContinuesTheIncident() throws Exception {
        RuleSpec r = latencyRule(null, "3m");
        DetectorHarness h = DetectorHarness.running(r);
        minutes(h, r, "SF");
        String incident = h.firing().get(0).id;
        h = h.restart();
        for (int m = 2; m <= 7; m++) {
            minute(h, r, m, m == 2);
            h.watermark(at(m + 1) - 1);
        }
        List<Alert> all = h.alerts();
        assertEquals(1, all.size(), "no second firing alert: " + all);
        assertEquals(Alert.RESOLVED, all.get(0).status);
        assertEquals(incident, all.get(0).incidentId);
        assertEquals(at(6), all.get(0).windowEnd, "last held at 3m, kept firing 3m");
        h.close();
    }

    // ---- frequency: at least 5 ERROR logs per service within a minute, judged per one-second bucket ----

    private static RuleSpec errorsRule(String forDuration, String keepFiringFor) {
        RuleSpec r = errors();
        r.forDuration = forDuration;
        r.keepFiringFor = keepFiringFor;
        return r;
    }

    /** One error per second in [from, to), the watermark following each record. */
    private static void errorsEverySecond(DetectorHarness h, RuleSpec r, long from, long to) throws Exception {
        for (long t = from; t < to; t += SEC) {
            h.record(r, error(t, "payments"));
            h.watermark(t - 1);
        }
    }

    @Test
    void frequencyFiresOnceTheBurstHeldForFor() throws Exception {
        RuleSpec r = errorsRule("2m", null);
        DetectorHarness h = DetectorHarness.running(r);
        errorsEverySecond(h, r, T0, T0 + 3 * MIN);
        h.watermark(T0 + 5 * MIN);
        List<Alert> fired = h.firing();
        assertEquals(1, fired.size(), h.alerts().toString());
        // The window first holds 5 errors at the end of bucket 4s (judged at 5s): pending since 5s, fires at 2m5s.
        assertEquals(T0 + 2 * MIN + 5 * SEC, fired.get(0).windowEnd);
        h.close();
    }

    @Test
    void frequencyBurstShorterThanForRaisesNothing() throws Exception {
        RuleSpec r = errorsRule("2m", null);
        DetectorHarness h = DetectorHarness.running(r);
        errorsEverySecond(h, r, T0, T0 + 50 * SEC);
        h.watermark(T0 + 5 * MIN);
        assertEquals(List.of(), h.alerts(), "5 errors within a minute from 5s until about 1m45s: less than 2m");
        h.close();
    }

    @Test
    void frequencyKeepFiringBridgesTheGapBetweenBursts() throws Exception {
        RuleSpec r = errorsRule(null, "2m");
        DetectorHarness h = DetectorHarness.running(r);
        errorsEverySecond(h, r, T0, T0 + 30 * SEC);
        errorsEverySecond(h, r, T0 + 2 * MIN, T0 + 2 * MIN + 30 * SEC);
        h.watermark(T0 + 10 * MIN);
        List<Alert> all = h.alerts();
        assertEquals(2, all.size(), all.toString());
        assertEquals(Alert.FIRING, all.get(0).status);
        assertEquals(Alert.RESOLVED, all.get(1).status);
        assertEquals(all.get(0).id, all.get(1).incidentId);
        // The second burst's last five errors (2m25s to 2m29s) keep 5 within the minute until the judgment at 3m25s:
        // the condition last held then, and the incident resolves 2m later.
        assertEquals(T0 + 5 * MIN + 25 * SEC, all.get(1).windowEnd, all.get(1).toString());
        h.close();

        DetectorHarness without = DetectorHarness.running(errors());
        errorsEverySecond(without, errors(), T0, T0 + 30 * SEC);
        errorsEverySecond(without, errors(), T0 + 2 * MIN, T0 + 2 * MIN + 30 * SEC);
        without.watermark(T0 + 10 * MIN);
        assertEquals(2, without.firing().size(), "without keep_firing_for: two incidents");
        without.close();
    }

    @Test
    void frequencyRestoredMidPendingAndMidKeepFiringMatchesAnUndisturbedRun() throws Exception {
        RuleSpec r = errorsRule("1m", "2m");
        DetectorHarness undisturbed = DetectorHarness.running(r);
        errorsEverySecond(undisturbed, r, T0, T0 + 90 * SEC);
        errorsEverySecond(undisturbed, r, T0 + 3 * MIN, T0 + 4 * MIN);
        undisturbed.watermark(T0 + 15 * MIN);
        List<String> expected = ids(undisturbed.alerts());
        undisturbed.close();
        assertEquals(2, expected.size(), "one incident across the gap: " + expected);

        DetectorHarness h = DetectorHarness.running(r);
        errorsEverySecond(h, r, T0, T0 + 40 * SEC);
        assertEquals(List.of(), h.alerts(), "still pending");
        h = h.restart(); // mid-pending
        errorsEverySecond(h, r, T0 + 40 * SEC, T0 + 90 * SEC);
        h.watermark(T0 + 170 * SEC);
        List<Alert> before = h.alerts();
        assertEquals(1, before.size(), "fired, then kept firing after the burst");
        h = h.restart(); // mid-keep-firing
        errorsEverySecond(h, r, T0 + 3 * MIN, T0 + 4 * MIN);
        h.watermark(T0 + 15 * MIN);
        List<Alert> after = new ArrayList<>(before);
        after.addAll(h.alerts());
        assertEquals(expected, ids(after));
        h.close();
    }

    private static List<String> ids(List<Alert> alerts) {
        List<String> ids = new ArrayList<>();
        for (Alert a : alerts) {
            ids.add(a.status + " " + a.id + " " + a.incidentId + " " + a.windowEnd);
        }
        return ids;
    }
}
