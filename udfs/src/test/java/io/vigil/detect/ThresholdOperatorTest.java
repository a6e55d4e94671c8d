package io.vigil.detect;

import static io.vigil.detect.Specs.MIN;
import static io.vigil.detect.Specs.SEC;
import static io.vigil.detect.Specs.T0;
import static io.vigil.detect.Specs.latency;
import static io.vigil.detect.Specs.map;
import static io.vigil.detect.Specs.rule;
import static io.vigil.detect.Specs.span;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.alert.AlertIds;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleCodec;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The threshold kind in the shared detector operator, driven record by record and watermark by watermark. */
class ThresholdOperatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static void spans(DetectorHarness h, RuleSpec r, long windowStart, String service, double... ms)
            throws Exception {
        for (int i = 0; i < ms.length; i++) {
            h.record(r, span(windowStart + (i + 1) * SEC, service, ms[i]));
        }
    }

    @Test
    void tumblingAvgIsJudgedWhenTheWatermarkPassesTheWindowEnd() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "checkout", 150, 200);
        h.watermark(T0 + MIN - 2);
        assertEquals(List.of(), h.alerts(), "the window [T0, T0+1m) is still open");
        h.watermark(T0 + MIN - 1);
        List<Alert> a = h.alerts();
        assertEquals(1, a.size());
        Alert alert = a.get(0);
        assertEquals(Alert.FIRING, alert.status);
        assertEquals(175.0, alert.observed, 1e-9);
        assertEquals(100.0, alert.expected);
        assertEquals(">", alert.comparison);
        assertEquals(T0, alert.windowStart);
        assertEquals(T0 + MIN, alert.windowEnd);
        assertEquals(T0 + MIN, alert.eventTime);
        assertEquals("latency", alert.ruleId);
        assertEquals("Rule latency", alert.ruleName);
        assertEquals("threshold", alert.kind);
        assertEquals("high", alert.severity);
        assertEquals(Map.of("service.name", "checkout"), alert.keyFields);
        assertEquals("checkout", alert.service);
        assertEquals("latency" + CompiledRule.KEY_SEPARATOR + "checkout", alert.key);
        assertEquals(alert.id, alert.incidentId);
        assertEquals(AlertIds.of("latency", alert.key, T0, T0 + MIN), alert.id);
        h.close();
    }

    @Test
    void aWindowWithinTheBoundDoesNotAlert() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "checkout", 90, 100, 110); // avg 100 is not > 100
        h.watermark(T0 + 10 * MIN);
        assertEquals(List.of(), h.alerts());
        h.close();
    }

    @Test
    void oneFiringAlertPerIncidentThenOneResolvedAlert() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "checkout", 300);
        spans(h, r, T0 + MIN, "checkout", 400);
        spans(h, r, T0 + 2 * MIN, "checkout", 500);
        spans(h, r, T0 + 3 * MIN, "checkout", 50);
        spans(h, r, T0 + 4 * MIN, "checkout", 60);
        spans(h, r, T0 + 5 * MIN, "checkout", 700);
        h.watermark(T0 + 6 * MIN);
        List<Alert> a = h.alerts();
        assertEquals(3, a.size(), a.toString());
        Alert firing = a.get(0);
        Alert resolved = a.get(1);
        assertEquals(Alert.FIRING, firing.status);
        assertEquals(300.0, firing.observed);
        assertEquals(Alert.RESOLVED, resolved.status);
        assertEquals(firing.id, resolved.incidentId);
        assertEquals(AlertIds.resolved(firing.id), resolved.id);
        assertEquals(50.0, resolved.observed);
        assertEquals(T0 + 3 * MIN, resolved.windowStart);
        assertTrue(resolved.message.startsWith("Resolved: "), resolved.message);
        Alert again = a.get(2);
        assertEquals(Alert.FIRING, again.status);
        assertEquals(T0 + 5 * MIN, again.windowStart);
        assertNotEquals(firing.id, again.id, "a new incident has its own id");
        assertEquals(again.id, again.incidentId);
        h.close();
    }

    @Test
    void windowsWithFewerThanMinCountRecordsAreNotJudged() throws Exception {
        RuleSpec r = latency("min_count", 3);
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "checkout", 900, 900);
        spans(h, r, T0 + MIN, "checkout", 900, 900, 900);
        h.watermark(T0 + 2 * MIN);
        List<Alert> a = h.alerts();
        assertEquals(1, a.size());
        assertEquals(T0 + MIN, a.get(0).windowStart, "only the window with 3 records is judged");
        h.close();
    }

    @Test
    void p95OfDurations() throws Exception {
        RuleSpec r = latency("aggregate", "p95", "bound", 90);
        DetectorHarness h = DetectorHarness.running(r);
        for (int i = 1; i <= 100; i++) {
            h.record(r, span(T0 + i * 100L, "checkout", i));
        }
        h.watermark(T0 + MIN);
        List<Alert> a = h.alerts();
        assertEquals(1, a.size());
        assertEquals(95.0, a.get(0).observed, 2.0, "p95 of 1..100");
        h.close();
    }

    @Test
    void aPercentileWindowDecidedByItsRangeStillReportsItsPercentile() throws Exception {
        RuleSpec r = latency("aggregate", "p95", "bound", 500);
        DetectorHarness h = DetectorHarness.running(r);
        for (int i = 1; i <= 100; i++) {
            h.record(r, span(T0 + i * 100L, "checkout", 600 + i)); // every value above the bound
            h.record(r, span(T0 + MIN + i * 100L, "checkout", i)); // the next window: every value below it
        }
        h.watermark(T0 + 2 * MIN);
        List<Alert> a = h.alerts();
        assertEquals(2, a.size(), a.toString());
        assertEquals(Alert.FIRING, a.get(0).status);
        assertEquals(695.0, a.get(0).observed, 2.0, "the merged digests' p95, though the range decided the breach");
        assertEquals(Alert.RESOLVED, a.get(1).status);
        assertEquals(95.0, a.get(1).observed, 2.0);
        h.close();
    }

    @Test
    void p95BelowTheBoundDoesNotFireEvenWithAFewOutliers() throws Exception {
        RuleSpec r = latency("aggregate", "p95", "bound", 200);
        DetectorHarness h = DetectorHarness.running(r);
        for (int i = 0; i < 100; i++) {
            h.record(r, span(T0 + i * 100L, "checkout", i < 3 ? 5000 : 100)); // 3% outliers: p95 stays 100
        }
        h.watermark(T0 + MIN);
        assertEquals(List.of(), h.alerts());
        h.close();
    }

    @Test
    void countOfMatchingRecords() throws Exception {
        RuleSpec r = rule(
                "many-errors",
                "threshold",
                map("signal", "log"),
                map("aggregate", "count", "window", "1m", "op", ">=", "bound", 3));
        DetectorHarness h = DetectorHarness.running(r);
        for (int i = 0; i < 3; i++) {
            h.record(r, Specs.error(T0 + i * SEC, "cart"));
        }
        for (int i = 0; i < 2; i++) {
            h.record(r, Specs.error(T0 + MIN + i * SEC, "cart"));
        }
        h.watermark(T0 + 2 * MIN);
        List<Alert> a = h.alerts();
        assertEquals(2, a.size(), a.toString());
        assertEquals(3.0, a.get(0).observed);
        assertEquals(Alert.RESOLVED, a.get(1).status);
        assertEquals(2.0, a.get(1).observed);
        h.close();
    }

    @Test
    void rateIsRecordsPerSecondOverTheWindow() throws Exception {
        RuleSpec r = latency("aggregate", "rate", "bound", 1.5);
        DetectorHarness h = DetectorHarness.running(r);
        for (int i = 0; i < 120; i++) {
            h.record(r, span(T0 + i * 500L, "search", 10));
        }
        h.watermark(T0 + MIN);
        List<Alert> a = h.alerts();
        assertEquals(1, a.size());
        assertEquals(2.0, a.get(0).observed, 1e-9);
        h.close();
    }

    @Test
    void slidingWindowCountsEachRecordInEveryWindowItBelongsTo() throws Exception {
        RuleSpec r = latency("window", "3m", "slide", "1m");
        DetectorHarness h = DetectorHarness.running(r);
        h.record(r, span(T0 + 30 * SEC, "cart", 400));
        h.record(r, span(T0 + MIN + 30 * SEC, "cart", 50));
        h.record(r, span(T0 + 2 * MIN + 30 * SEC, "cart", 60));
        h.watermark(T0 + 10 * MIN);
        List<Alert> a = h.alerts();
        assertEquals(2, a.size(), a.toString());
        Alert firing = a.get(0);
        assertEquals(T0 - 2 * MIN, firing.windowStart, "the first sliding window containing the record");
        assertEquals(T0 + MIN, firing.windowEnd);
        assertEquals(400.0, firing.observed);
        Alert resolved = a.get(1);
        assertEquals(Alert.RESOLVED, resolved.status);
        assertEquals(T0 + MIN, resolved.windowStart, "the first window without the 400 ms span");
        assertEquals(T0 + 4 * MIN, resolved.windowEnd);
        assertEquals(55.0, resolved.observed);
        h.close();
    }

    @Test
    void slidingWindowObservedValuesFollowThePanes() throws Exception {
        // max over a sliding 2m window, judged each minute: every window sees exactly its own panes.
        RuleSpec r = latency("aggregate", "max", "window", "2m", "slide", "1m", "op", "<", "bound", 1000);
        DetectorHarness h = DetectorHarness.running(r);
        h.record(r, span(T0 + 10 * SEC, "cart", 10));
        h.record(r, span(T0 + MIN + 10 * SEC, "cart", 20));
        h.watermark(T0 + MIN - 1);
        h.watermark(T0 + 2 * MIN - 1);
        List<Alert> a = h.alerts();
        assertEquals(1, a.size(), "the incident opens once and stays open");
        assertEquals(10.0, a.get(0).observed);
        assertEquals(T0 - MIN, a.get(0).windowStart);
        h.close();
    }

    @ParameterizedTest(name = "avg {0} {1}: {2}")
    @CsvSource({
        ">, 100, false", ">, 99.9, true",
        ">=, 100, true", ">=, 100.1, false",
        "<, 100, false", "<, 100.1, true",
        "<=, 100, true", "<=, 99.9, false",
        "==, 100, true", "==, 101, false",
        "!=, 100, false", "!=, 101, true"
    })
    void comparisons(String op, double bound, boolean fires) throws Exception {
        RuleSpec r = latency("op", op, "bound", bound);
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "checkout", 90, 110);
        h.watermark(T0 + MIN);
        assertEquals(fires ? 1 : 0, h.alerts().size());
        if (fires) {
            assertEquals(op, h.alerts().get(0).comparison);
        }
        h.close();
    }

    @Test
    void belowBoundRulesResolveWhenTheValueRecovers() throws Exception {
        RuleSpec r = rule(
                "low-rate",
                "threshold",
                map("signal", "metric", "name", "http.server.request.rate"),
                map("aggregate", "avg", "window", "1m", "op", "<", "bound", 1));
        DetectorHarness h = DetectorHarness.running(r);
        h.record(r, Telemetry.metric(T0 + SEC, "cart", "http.server.request.rate", 0.2));
        h.record(r, Telemetry.metric(T0 + MIN + SEC, "cart", "http.server.request.rate", 3));
        h.watermark(T0 + 2 * MIN);
        List<Alert> a = h.alerts();
        assertEquals(2, a.size());
        assertEquals(0.2, a.get(0).observed, 1e-9);
        assertEquals("<", a.get(0).comparison);
        assertEquals(Alert.RESOLVED, a.get(1).status);
        h.close();
    }

    @Test
    void evidenceIsBoundedAndHoldsTheMostExtremeRecordsOfAllPanes() throws Exception {
        RuleSpec r = latency("aggregate", "max", "bound", 150, "evidence", 3, "window", "2m", "slide", "1m");
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "checkout", 100, 140, 120, 90); // max 140: the window ending T0+1m does not fire
        spans(h, r, T0 + MIN, "checkout", 200, 130, 110, 125);
        for (int i = 0; i < 40; i++) {
            h.record(r, span(T0 + MIN + 10 * SEC + i * 100L, "checkout", 50));
        }
        h.watermark(T0 + MIN - 1);
        assertEquals(List.of(), h.alerts());
        h.watermark(T0 + 2 * MIN - 1);
        List<Alert> a = h.alerts();
        assertEquals(1, a.size());
        List<Double> durations = new ArrayList<>();
        for (String e : a.get(0).evidence) {
            durations.add(JSON.readTree(e).get("duration_ms").asDouble());
        }
        assertEquals(List.of(200.0, 140.0, 130.0), durations, "the three slowest spans of the window, slowest first");
        h.close();
    }

    @Test
    void evidenceForALowerBoundHoldsTheSmallestValues() throws Exception {
        RuleSpec r = latency("aggregate", "min", "op", "<", "bound", 20, "evidence", 2);
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "checkout", 30, 5, 40, 7, 12);
        h.watermark(T0 + MIN);
        List<Double> durations = new ArrayList<>();
        for (String e : h.alerts().get(0).evidence) {
            durations.add(JSON.readTree(e).get("duration_ms").asDouble());
        }
        assertEquals(List.of(5.0, 7.0), durations);
        h.close();
    }

    @Test
    void defaultEvidenceIsFiveRecordsAndZeroMeansNone() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.running(r);
        for (int i = 0; i < 50; i++) {
            h.record(r, span(T0 + i * SEC, "checkout", 500));
        }
        h.watermark(T0 + MIN);
        assertEquals(Evidence.DEFAULT_SIZE, h.alerts().get(0).evidence.size());
        h.close();

        RuleSpec none = latency("evidence", 0);
        DetectorHarness h2 = DetectorHarness.running(none);
        h2.record(none, span(T0 + SEC, "checkout", 500));
        h2.watermark(T0 + MIN);
        assertEquals(List.of(), h2.alerts().get(0).evidence);
        h2.close();
    }

    @Test
    void lateRecordsAreCountedAndDoNotChangeClosedWindows() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "checkout", 300);
        h.watermark(T0 + MIN - 1);
        assertEquals(1, h.drain().size());
        assertEquals(0, h.lateRecords());

        h.record(r, span(T0 + 30 * SEC, "checkout", 5000)); // its window has fired
        assertEquals(1, h.lateRecords());
        h.record(r, span(T0 + MIN + SEC, "checkout", 20)); // on time for the next window
        h.watermark(T0 + 2 * MIN - 1);
        List<Alert> a = h.alerts();
        assertEquals(1, a.size());
        assertEquals(Alert.RESOLVED, a.get(0).status);
        assertEquals(20.0, a.get(0).observed, "the late record counts in no window");
        assertEquals(1, h.lateRecords());
        h.close();
    }

    @Test
    void outOfOrderRecordsAheadOfTheWatermarkStillCount() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.running(r);
        h.record(r, span(T0 + 50 * SEC, "checkout", 100));
        h.watermark(T0 + 40 * SEC);
        h.record(r, span(T0 + 10 * SEC, "checkout", 300)); // behind the watermark, but its window is open
        h.watermark(T0 + MIN);
        assertEquals(0, h.lateRecords());
        assertEquals(200.0, h.alerts().get(0).observed);
        h.close();
    }

    @Test
    void inASlidingWindowARecordBehindTheWatermarkCountsInTheWindowsStillOpen() throws Exception {
        RuleSpec r = latency("aggregate", "count", "op", ">=", "bound", 2, "window", "2m", "slide", "1m");
        DetectorHarness h = DetectorHarness.running(r);
        h.record(r, span(T0 + 70 * SEC, "checkout", 1));
        h.watermark(T0 + MIN); // the window ending at T0+1m has been judged
        h.record(r, span(T0 + 10 * SEC, "checkout", 1)); // pane T0 still belongs to the window ending at T0+2m
        assertEquals(0, h.lateRecords());
        h.watermark(T0 + 2 * MIN);
        List<Alert> a = h.alerts();
        assertEquals(1, a.size());
        assertEquals(T0 + 2 * MIN, a.get(0).windowEnd);
        assertEquals(2.0, a.get(0).observed);
        h.close();
    }

    @Test
    void timersFireOnlyWhenTheWatermarkPassesThem() throws Exception {
        RuleSpec r = latency("window", "3m", "slide", "1m");
        DetectorHarness h = DetectorHarness.running(r);
        h.record(r, span(T0 + SEC, "checkout", 500));
        assertEquals(3, h.timers(), "one judgement per sliding window the pane belongs to");
        h.setProcessingTime(T0 + 3600_000L);
        assertEquals(List.of(), h.alerts(), "processing time does not judge windows");
        h.watermark(T0 + MIN - 1);
        assertEquals(2, h.timers());
        assertEquals(1, h.alerts().size());
        h.watermark(T0 + 3 * MIN);
        assertEquals(0, h.timers());
        assertEquals(1, h.keyedStateEntries(), "only the open incident remains: no version marker is kept");
        h.close();
    }

    @Test
    void aQuietKeyKeepsNoState() throws Exception {
        RuleSpec r = latency("window", "2m", "slide", "1m");
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "cart", 50); // never breaches
        spans(h, r, T0, "checkout", 500); // breaches, then recovers
        spans(h, r, T0 + MIN, "checkout", 500);
        spans(h, r, T0 + 2 * MIN, "checkout", 10);
        assertTrue(h.keyedStateEntries() > 0);
        h.watermark(T0 + 10 * MIN);
        assertEquals(2, h.alerts().size(), "checkout fired and resolved");
        assertEquals(0, h.keyedStateEntries(), "no panes, no incident, no version marker left for either key");
        assertEquals(0, h.timers());
        spans(h, r, T0 + 11 * MIN, "checkout", 500); // the key comes back
        h.watermark(T0 + 13 * MIN);
        assertEquals(3, h.alerts().size());
        h.close();
    }

    @Test
    void keysAreJudgedIndependently() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "checkout", 500);
        spans(h, r, T0, "cart", 50);
        spans(h, r, T0, "search", 300, 300);
        h.watermark(T0 + MIN);
        List<String> services = new ArrayList<>();
        h.alerts().forEach(a -> services.add(a.service));
        services.sort(null);
        assertEquals(List.of("checkout", "search"), services);
        h.close();
    }

    @Test
    void snapshotAndRestoreKeepPanesIncidentsAndTimers() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "checkout", 300);
        h.watermark(T0 + MIN - 1);
        Alert firing = h.drain().get(0);
        spans(h, r, T0 + MIN, "checkout", 10, 20); // a window in progress at the checkpoint
        OperatorSubtaskState snapshot = h.snapshot(1L, T0 + MIN);
        h.close();

        DetectorHarness restored = DetectorHarness.restored(snapshot, r);
        assertEquals(1, restored.timers(), "the pending window's timer survives");
        restored.record(r, span(T0 + MIN + 30 * SEC, "checkout", 30));
        restored.watermark(T0 + 2 * MIN - 1);
        List<Alert> a = restored.alerts();
        assertEquals(1, a.size(), a.toString());
        assertEquals(Alert.RESOLVED, a.get(0).status);
        assertEquals(firing.id, a.get(0).incidentId, "the open incident survives the restore");
        assertEquals(20.0, a.get(0).observed, "records before and after the checkpoint count together");
        restored.close();
    }

    @Test
    void aRuleChangedInTheFilesAcrossARestoreStartsClean() throws Exception {
        RuleSpec v1 = latency();
        DetectorHarness h = DetectorHarness.running(v1);
        spans(h, v1, T0, "checkout", 300); // pending under v1 at the savepoint
        OperatorSubtaskState snapshot = h.snapshot(1L, T0);
        h.close();

        RuleSpec v2 = latency("bound", 250);
        DetectorHarness restored = DetectorHarness.restored(snapshot, v2); // redeployed with an edited rule file
        restored.watermark(T0 + MIN);
        assertEquals(List.of(), restored.alerts(), "v1's window is not judged by v2");
        assertEquals(0, restored.keyedStateEntries(), "v1's state is dropped once its timer finds it");
        spans(restored, v2, T0 + MIN, "checkout", 300);
        restored.watermark(T0 + 2 * MIN);
        List<Alert> a = restored.alerts();
        assertEquals(1, a.size());
        assertEquals(250.0, a.get(0).expected);
        assertEquals(300.0, a.get(0).observed, "nothing of v1's panes is mixed in");
        restored.close();
    }

    @Test
    void rulesAddedWhileRunningSurviveARestore() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.running();
        h.watermark(T0);
        h.update(RuleUpdate.of(r));
        spans(h, r, T0, "checkout", 300);
        OperatorSubtaskState snapshot = h.snapshot(1L, T0);
        h.close();

        DetectorHarness restored = DetectorHarness.restored(snapshot); // started without rule files
        restored.watermark(T0 + MIN);
        assertEquals(1, restored.alerts().size(), "the broadcast rule and its state came back");
        restored.close();
    }

    @Test
    void aChangedRuleStartsFromCleanState() throws Exception {
        RuleSpec v1 = latency();
        DetectorHarness h = DetectorHarness.running(v1);
        spans(h, v1, T0, "checkout", 300);
        h.watermark(T0 + MIN - 1);
        assertEquals(1, h.drain().size(), "v1 opens an incident");
        spans(h, v1, T0 + MIN, "checkout", 400); // pending under v1

        RuleSpec v2 = latency("bound", 200);
        assertNotEquals(RuleCodec.toJson(v1), RuleCodec.toJson(v2));
        h.update(RuleUpdate.of(v2));
        h.watermark(T0 + 2 * MIN - 1);
        assertEquals(List.of(), h.alerts(), "v1's pending window was dropped with its state");

        spans(h, v2, T0 + 2 * MIN, "checkout", 300);
        h.watermark(T0 + 3 * MIN - 1);
        List<Alert> a = h.alerts();
        assertEquals(1, a.size(), "v1's open incident was cleared, so v2 opens its own");
        assertEquals(Alert.FIRING, a.get(0).status);
        assertEquals(200.0, a.get(0).expected);
        h.close();
    }

    @Test
    void aChangedWindowJudgesOnlyTheNewRulesWindows() throws Exception {
        RuleSpec v1 = latency();
        DetectorHarness h = DetectorHarness.running(v1);
        h.record(v1, span(T0 + 10 * SEC, "checkout", 50)); // v1 registers a timer at T0+1m-1
        RuleSpec v2 = latency("window", "5m");
        h.update(RuleUpdate.of(v2));
        h.record(v2, span(T0 + 20 * SEC, "checkout", 250));
        h.record(v2, span(T0 + 2 * MIN, "checkout", 250));
        h.watermark(T0 + 5 * MIN);
        List<Alert> a = h.alerts();
        assertEquals(1, a.size(), a.toString());
        assertEquals(T0, a.get(0).windowStart, "v2's five-minute window, not one ending at v1's timer");
        assertEquals(T0 + 5 * MIN, a.get(0).windowEnd);
        assertEquals(250.0, a.get(0).observed);
        h.close();
    }

    @Test
    void anUnchangedUpdateKeepsState() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "checkout", 300);
        h.update(RuleUpdate.of(latency())); // same JSON: the same rule
        h.watermark(T0 + MIN);
        assertEquals(1, h.alerts().size());
        h.close();
    }

    @Test
    void anInvalidUpdateKeepsThePreviousVersionRunning() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "checkout", 300);
        RuleSpec broken = latency("aggregate", "p200");
        h.update(new RuleUpdate(r.id, RuleCodec.toJson(broken)));
        h.update(new RuleUpdate(r.id, "{not json"));
        h.watermark(T0 + MIN);
        assertEquals(1, h.alerts().size());
        h.close();
    }

    @Test
    void aDeletedRuleStopsAlertingAndItsStateIsCleared() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "checkout", 300);
        spans(h, r, T0, "cart", 300);
        assertTrue(h.keyedStateEntries() > 0);
        h.update(RuleUpdate.deletion(r.id));
        assertEquals(0, h.keyedStateEntries(), "no keyed state of the deleted rule is left");
        spans(h, r, T0 + MIN, "checkout", 300);
        h.watermark(T0 + 5 * MIN);
        assertEquals(List.of(), h.alerts());
        assertEquals(0, h.keyedStateEntries());
        h.close();
    }

    @Test
    void otherRulesKeepTheirStateWhenOneIsDeleted() throws Exception {
        RuleSpec a = latency();
        RuleSpec b = latency();
        b.id = "latency-2";
        DetectorHarness h = DetectorHarness.running(a, b);
        spans(h, a, T0, "checkout", 300);
        spans(h, b, T0, "checkout", 300);
        h.update(RuleUpdate.deletion(a.id));
        h.watermark(T0 + MIN);
        List<Alert> out = h.alerts();
        assertEquals(1, out.size());
        assertEquals("latency-2", out.get(0).ruleId);
        h.close();
    }

    @Test
    void alertIdsAreStableAcrossRuns() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            RuleSpec r = latency();
            DetectorHarness h = DetectorHarness.running(r);
            spans(h, r, T0, "checkout", 300);
            spans(h, r, T0, "cart", 300);
            spans(h, r, T0 + MIN, "checkout", 10);
            h.watermark(T0 + 2 * MIN);
            List<String> runIds = new ArrayList<>();
            h.alerts().forEach(a -> runIds.add(a.id));
            runIds.sort(null);
            ids.add(String.join(",", runIds));
            assertEquals(3, runIds.size());
            assertEquals(3, new java.util.HashSet<>(runIds).size(), "different keys and windows, different ids");
            h.close();
        }
        assertEquals(ids.get(0), ids.get(1));
    }

    @Test
    void annotationsAreRenderedIntoTheMessage() throws Exception {
        RuleSpec r = latency();
        r.annotations.put("summary", "{{ service.name }} avg {{ observed }} ms > {{ expected }} over {{ window }}");
        DetectorHarness h = DetectorHarness.running(r);
        spans(h, r, T0, "checkout", 123.25, 123.25);
        h.watermark(T0 + MIN);
        assertEquals("checkout avg 123.25 ms > 100 over 1m", h.alerts().get(0).message);
        h.close();
    }
}
