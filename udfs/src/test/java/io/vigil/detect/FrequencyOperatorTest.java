package io.vigil.detect;

import static io.vigil.detect.Specs.MIN;
import static io.vigil.detect.Specs.SEC;
import static io.vigil.detect.Specs.T0;
import static io.vigil.detect.Specs.error;
import static io.vigil.detect.Specs.errors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.alert.AlertIds;
import io.vigil.model.Alert;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/** The frequency kind in the shared detector operator: bursts of N records per key within a sliding window. */
class FrequencyOperatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static void burst(DetectorHarness h, RuleSpec r, String service, long from, int n, long every)
            throws Exception {
        for (int i = 0; i < n; i++) {
            h.record(r, error(from + i * every, service));
        }
    }

    @Test
    void nRecordsWithinTheWindowFireOnceTheWatermarkPassesTheBucket() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        burst(h, r, "payments", T0, 5, 2 * SEC); // last one at T0+8s, in bucket [T0+8s, T0+9s)
        h.watermark(T0 + 8 * SEC + 998);
        assertEquals(List.of(), h.alerts());
        h.watermark(T0 + 8 * SEC + 999);
        List<Alert> a = h.alerts();
        assertEquals(1, a.size());
        Alert alert = a.get(0);
        assertEquals(Alert.FIRING, alert.status);
        assertEquals(5.0, alert.observed);
        assertEquals(5.0, alert.expected);
        assertEquals(">=", alert.comparison);
        assertEquals(T0 + 9 * SEC, alert.windowEnd);
        assertEquals(T0 + 9 * SEC - MIN, alert.windowStart);
        assertEquals(Map.of("service.name", "payments"), alert.keyFields);
        assertEquals("frequency", alert.kind);
        assertEquals(AlertIds.of("errors", alert.key, alert.windowStart, alert.windowEnd), alert.id);
        h.close();
    }

    @Test
    void aBurstFiresOnlyOnceWhileItLasts() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        burst(h, r, "payments", T0, 60, SEC); // a minute of one error per second
        h.watermark(T0 + MIN);
        List<Alert> a = h.alerts();
        assertEquals(1, a.size(), a.toString());
        assertEquals(Alert.FIRING, a.get(0).status);
        h.close();
    }

    @Test
    void fewerThanNRecordsDoNotFire() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        burst(h, r, "payments", T0, 4, SEC);
        h.watermark(T0 + 10 * MIN);
        assertEquals(List.of(), h.alerts());
        h.close();
    }

    @Test
    void nRecordsSpreadWiderThanTheWindowDoNotFire() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        burst(h, r, "payments", T0, 10, 20 * SEC); // at most 3 in any minute
        h.watermark(T0 + 10 * MIN);
        assertEquals(List.of(), h.alerts());
        h.close();
    }

    @Test
    void theWindowIsExactlyItsLength() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        h.record(r, error(T0, "payments"));
        burst(h, r, "payments", T0 + MIN - 4 * SEC, 3, SEC);
        h.record(r, error(T0 + MIN, "payments")); // T0 has left the window (T0, T0+1m]
        h.watermark(T0 + 2 * MIN);
        assertEquals(List.of(), h.alerts(), "never 5 records within one minute");

        DetectorHarness h2 = DetectorHarness.running(r);
        h2.record(r, error(T0, "payments"));
        burst(h2, r, "payments", T0 + MIN - 4 * SEC, 4, SEC); // T0 .. T0+59s: 5 within a minute
        h2.watermark(T0 + 2 * MIN);
        assertEquals(Alert.FIRING, h2.alerts().get(0).status);
        assertEquals(
                1,
                h2.alerts().stream().filter(x -> x.status.equals(Alert.FIRING)).count());
        h.close();
        h2.close();
    }

    @Test
    void theIncidentResolvesAtTheFirstWindowWithFewerThanNRecords() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        burst(h, r, "payments", T0, 10, SEC); // one per second, T0 .. T0+9s
        // The window ending T0+1m+5.999s holds the records of T0+6s .. T0+9s: 4, fewer than 5.
        h.watermark(T0 + MIN + 5 * SEC + 998);
        assertEquals(1, h.alerts().size(), "still 5 or more in every window so far");
        h.watermark(T0 + MIN + 5 * SEC + 999);
        List<Alert> a = h.alerts();
        assertEquals(2, a.size(), a.toString());
        Alert firing = a.get(0);
        Alert resolved = a.get(1);
        assertEquals(Alert.RESOLVED, resolved.status);
        assertEquals(firing.id, resolved.incidentId);
        assertEquals(AlertIds.resolved(firing.id), resolved.id);
        assertEquals(4.0, resolved.observed);
        assertEquals(T0 + MIN + 6 * SEC, resolved.windowEnd);
        h.watermark(T0 + 60 * MIN);
        assertEquals(2, h.alerts().size(), "one firing and one resolved alert per incident");
        assertEquals(0, h.timers());
        h.close();
    }

    @Test
    void anIncidentResolvesWhenTheRecordsStopComing() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        burst(h, r, "payments", T0, 5, 100); // all in the bucket ending T0+999
        h.watermark(T0 + 999);
        assertEquals(1, h.alerts().size());
        h.watermark(T0 + 999 + MIN - 1);
        assertEquals(1, h.alerts().size());
        h.watermark(T0 + 999 + MIN);
        assertEquals(2, h.alerts().size());
        assertEquals(Alert.RESOLVED, h.alerts().get(1).status);
        h.close();
    }

    @Test
    void aSecondBurstAfterResolutionIsANewIncident() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        burst(h, r, "payments", T0, 5, SEC);
        burst(h, r, "payments", T0 + 10 * MIN, 5, SEC);
        h.watermark(T0 + 20 * MIN);
        List<Alert> a = h.alerts();
        assertEquals(4, a.size(), a.toString());
        assertEquals(
                List.of(Alert.FIRING, Alert.RESOLVED, Alert.FIRING, Alert.RESOLVED),
                a.stream().map(x -> x.status).toList());
        assertTrue(!a.get(0).id.equals(a.get(2).id));
        h.close();
    }

    @Test
    void keysAreCountedSeparately() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        burst(h, r, "payments", T0, 5, SEC);
        burst(h, r, "cart", T0, 4, SEC);
        burst(h, r, "search", T0 + 30 * SEC, 3, SEC);
        h.watermark(T0 + 10 * SEC);
        List<Alert> a = h.alerts();
        assertEquals(1, a.size(), "9 errors across services, but only payments had 5");
        assertEquals("payments", a.get(0).service);
        h.close();
    }

    @Test
    void lateRecordsAreCountedAndNotAdded() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        burst(h, r, "payments", T0 + 30 * SEC, 4, SEC);
        h.watermark(T0 + 40 * SEC);
        h.record(r, error(T0 + 20 * SEC, "payments")); // its bucket was judged
        assertEquals(1, h.lateRecords());
        h.watermark(T0 + 10 * MIN);
        assertEquals(List.of(), h.alerts(), "the late record would have made 5");
        h.close();
    }

    @Test
    void outOfOrderRecordsAheadOfTheWatermarkCount() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        burst(h, r, "payments", T0 + 30 * SEC, 4, SEC);
        h.watermark(T0 + 20 * SEC);
        h.record(r, error(T0 + 25 * SEC, "payments")); // earlier than the others, after the watermark
        h.watermark(T0 + 40 * SEC);
        assertEquals(0, h.lateRecords());
        assertEquals(1, h.alerts().size());
        h.close();
    }

    @Test
    void evidenceHoldsTheBurstsFirstRecordsUpToTheLimit() throws Exception {
        RuleSpec r = errors("evidence", 2);
        DetectorHarness h = DetectorHarness.running(r);
        burst(h, r, "payments", T0, 10, SEC);
        h.watermark(T0 + MIN);
        Alert a = h.alerts().get(0);
        assertEquals(2, a.evidence.size());
        assertEquals(T0, JSON.readTree(a.evidence.get(0)).get("timestamp").asLong());
        assertEquals(T0 + SEC, JSON.readTree(a.evidence.get(1)).get("timestamp").asLong());
        h.close();
    }

    @Test
    void evidenceComesFromTheAlertsWindowEvenAfterSparseErrors() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        // One error every 40 s for an hour (never a burst: at most 2 a minute), then a burst.
        for (long t = T0; t < T0 + 60 * MIN; t += 40 * SEC) {
            h.record(r, error(t, "payments"));
            h.watermark(t);
        }
        long burstAt = T0 + 60 * MIN + 10 * SEC;
        burst(h, r, "payments", burstAt, 6, SEC);
        h.watermark(burstAt + MIN);
        List<Alert> a = h.alerts();
        assertEquals(1, a.size());
        Alert alert = a.get(0);
        assertTrue(!alert.evidence.isEmpty());
        for (String e : alert.evidence) {
            long ts = JSON.readTree(e).get("timestamp").asLong();
            assertTrue(
                    ts >= alert.windowStart && ts < alert.windowEnd,
                    "evidence at " + ts + " lies outside the alert's window [" + alert.windowStart + ", "
                            + alert.windowEnd + ")");
        }
        h.close();
    }

    @Test
    void aRecordRoutedUnderAnotherKeyByOfItsRuleIsSkipped() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        RuleSpec rekeyed = errors();
        rekeyed.keyBy = List.of("host.name", "service.name"); // the router still ran this version
        for (int i = 0; i < 6; i++) {
            h.process(Routed.to(io.vigil.rules.RuleCompiler.compile(rekeyed), error(T0 + i * SEC, "payments")), T0);
            h.process(new Routed("", new String[] {r.id}, error(T0 + i * SEC, "payments")), T0);
        }
        h.watermark(T0 + 2 * MIN);
        assertEquals(List.of(), h.alerts(), "records of another key group are not this rule's");
        assertEquals(List.of(), h.ruleErrors());
        assertEquals(0, h.keyedStateEntries());
        h.close();
    }

    @Test
    void stateIsReleasedOnceTheKeyGoesQuiet() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        burst(h, r, "payments", T0, 3, SEC); // never a burst: the buckets must still expire
        burst(h, r, "cart", T0, 7, SEC); // a burst that resolves
        assertTrue(h.keyedStateEntries() > 2);
        h.watermark(T0 + 10 * MIN);
        assertEquals(0, h.keyedStateEntries(), "a key that went quiet keeps no state at all");
        assertEquals(0, h.timers());
        h.close();
    }

    @Test
    void snapshotAndRestoreKeepBucketsAndTheOpenIncident() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        burst(h, r, "payments", T0, 3, SEC);
        OperatorSubtaskState snap1 = h.snapshot(1L, T0);
        h.close();

        DetectorHarness h2 = DetectorHarness.restored(snap1, r);
        burst(h2, r, "payments", T0 + 10 * SEC, 2, SEC);
        h2.watermark(T0 + 20 * SEC);
        assertEquals(1, h2.drain().size(), "3 before and 2 after the checkpoint make a burst");
        OperatorSubtaskState snap2 = h2.snapshot(2L, T0 + 20 * SEC);
        h2.close();

        DetectorHarness h3 = DetectorHarness.restored(snap2, r);
        h3.watermark(T0 + 10 * MIN);
        List<Alert> a = h3.alerts();
        assertEquals(1, a.size());
        assertEquals(Alert.RESOLVED, a.get(0).status, "the open incident and its timer survived");
        h3.close();
    }

    @Test
    void aDeletedRuleStopsAlerting() throws Exception {
        RuleSpec r = errors();
        DetectorHarness h = DetectorHarness.running(r);
        burst(h, r, "payments", T0, 3, SEC);
        h.update(RuleUpdate.deletion(r.id));
        burst(h, r, "payments", T0 + 3 * SEC, 5, SEC);
        h.watermark(T0 + 10 * MIN);
        assertEquals(List.of(), h.alerts());

        h.update(RuleUpdate.of(r)); // re-added: starts from nothing
        burst(h, r, "payments", T0 + 11 * MIN, 4, SEC);
        h.watermark(T0 + 20 * MIN);
        assertEquals(List.of(), h.alerts(), "nothing of the deleted rule's counts came back");
        h.close();
    }

    @Test
    void aChangedCountAppliesToNewRecordsOnly() throws Exception {
        RuleSpec v1 = errors();
        DetectorHarness h = DetectorHarness.running(v1);
        burst(h, v1, "payments", T0, 4, SEC);
        RuleSpec v2 = errors("count", 3);
        h.update(RuleUpdate.of(v2));
        h.watermark(T0 + 10 * SEC);
        assertEquals(List.of(), h.alerts(), "v1's 4 records were cleared with the change");
        burst(h, v2, "payments", T0 + MIN, 3, SEC);
        h.watermark(T0 + 2 * MIN);
        assertEquals(1, h.alerts().size());
        assertEquals(3.0, h.alerts().get(0).expected);
        h.close();
    }
}
