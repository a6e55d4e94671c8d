package io.vigil.detect;

import static io.vigil.detect.Specs.MIN;
import static io.vigil.detect.Specs.SEC;
import static io.vigil.detect.Specs.T0;
import static io.vigil.detect.Specs.latency;
import static io.vigil.detect.Specs.span;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.rules.RuleSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The end of a bounded input, one rule for every kind: the run judges exactly the windows that closed by its end time
 * (the newest record's time, or an explicit {@code until}), then nothing more. Records are fed as a replay feeds them:
 * the watermark trails the newest record by the job's 5 s delay, then jumps to its maximum when the input ends.
 */
class EndOfInputTest {
    private static final long DELAY = 5 * SEC;

    private static void replay(DetectorHarness h, List<Telemetry> records) throws Exception {
        for (Telemetry t : records) {
            h.send(t);
            h.watermark(t.timestamp - DELAY - 1);
        }
    }

    /** Slow checkout spans every 10 s in [from, to). */
    private static List<Telemetry> slowSpans(long from, long to) {
        return spans(from, to, 300);
    }

    /** Checkout spans every 10 s in [from, to), all of one latency. */
    private static List<Telemetry> spans(long from, long to, double ms) {
        List<Telemetry> out = new ArrayList<>();
        for (long t = from; t < to; t += 10 * SEC) {
            out.add(span(t, "checkout", ms));
        }
        return out;
    }

    @Test
    void thresholdJudgesAWindowThatClosedAfterTheLastWatermarkButBeforeTheEnd() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.runningUntil(null, DELAY, r);
        List<Telemetry> records = spans(T0, T0 + MIN, 20);
        records.addAll(spans(T0 + MIN, T0 + 2 * MIN, 300));
        records.add(span(T0 + 2 * MIN + 3 * SEC, "checkout", 20)); // the end: 2m3s; the watermark: 1m57.999s
        replay(h, records);
        assertEquals(List.of(), h.alerts(), "[1m, 2m) is not judged while the input runs");
        h.watermark(Long.MAX_VALUE);
        List<Alert> fired = h.firing();
        assertEquals(1, fired.size(), h.alerts().toString());
        assertEquals(T0 + 2 * MIN, fired.get(0).windowEnd, "[1m, 2m) closed by the end at 2m3s");
        h.close();
    }

    @Test
    void theEndIsTheRecordsWatermarksWhenTheRuleUpdatesHeldTheCombinedOneBack() throws Exception {
        // A replay's end marker matches no rule: only the records' watermark tells the detectors how far the input
        // went. The rule updates' input (not yet idle) keeps the combined watermark at its start until both end.
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.runningUntil(null, DELAY, r);
        List<Telemetry> records = spans(T0, T0 + MIN, 20);
        records.addAll(spans(T0 + MIN, T0 + 2 * MIN, 300)); // the last one at 1m50s, inside [1m, 2m)
        for (Telemetry t : records) {
            h.send(t);
        }
        h.recordsWatermark(T0 + 3 * MIN - DELAY - 1); // the end marker at 3m
        h.watermark(Long.MAX_VALUE);
        List<Alert> fired = h.firing();
        assertEquals(1, fired.size(), h.alerts().toString());
        assertEquals(T0 + 2 * MIN, fired.get(0).windowEnd, "[1m, 2m) closed by the end at 3m");
        h.close();
    }

    @Test
    void thresholdDoesNotJudgeTheWindowStillOpenAtTheEnd() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.runningUntil(null, DELAY, r);
        List<Telemetry> records = spans(T0, T0 + MIN, 20);
        records.addAll(spans(T0 + MIN, T0 + MIN + 40 * SEC, 300)); // the end: 1m30s, inside [1m, 2m)
        replay(h, records);
        h.watermark(Long.MAX_VALUE);
        assertEquals(List.of(), h.alerts(), "the slow minute [1m, 2m) had not closed when the input ended");
        h.close();
    }

    @Test
    void aWindowEndingExactlyAtTheLastRecordIsJudged() throws Exception {
        RuleSpec r = latency();
        DetectorHarness h = DetectorHarness.runningUntil(null, DELAY, r);
        List<Telemetry> records = slowSpans(T0, T0 + MIN);
        records.add(span(T0 + MIN, "checkout", 20)); // the first record of the next minute, at exactly 1m
        replay(h, records);
        h.watermark(Long.MAX_VALUE);
        assertEquals(1, h.firing().size(), h.alerts().toString());
        assertEquals(T0 + MIN, h.firing().get(0).windowEnd);
        h.close();
    }

    @Test
    void sloJudgesTheLastMinutesOfAReplay() throws Exception {
        DetectorHarness h = DetectorHarness.runningUntil(
                null,
                DELAY,
                DetectorHarness.load(String.join(
                                "\n",
                                "id: checkout-availability",
                                "name: Checkout availability",
                                "kind: slo",
                                "match: {signal: span, service.name: checkout}",
                                "key_by: [service.name]",
                                "params: {objective: 99.9, bad: {status: error}}",
                                ""))
                        .toArray(RuleSpec[]::new));
        List<Telemetry> records = new ArrayList<>();
        for (long t = T0; t <= T0 + 10 * MIN + 3 * SEC; t += SEC) {
            records.add(Telemetry.span(t, "checkout", "GET /", 80, "ok"));
        }
        replay(h, records); // newest record at 10m3s, watermark at 9m57.999s
        assertTrue(ends(h.rollups()).stream().allMatch(e -> e < T0 + 10 * MIN), "minute [9m, 10m) not judged yet");
        h.watermark(Long.MAX_VALUE);
        List<Long> ends = ends(h.rollups());
        assertTrue(ends.contains(T0 + 10 * MIN), "the minute that closed at 10m, before the end at 10m3s, is judged");
        assertTrue(ends.stream().allMatch(e -> e <= T0 + 10 * MIN), "nothing after the end: " + ends);
        h.close();
    }

    @Test
    void untilEndsTheRunEarlierAndIgnoresLaterRecords() throws Exception {
        RuleSpec r = latency();
        List<Telemetry> records = slowSpans(T0, T0 + MIN);
        for (long t = T0 + MIN; t < T0 + 2 * MIN; t += 10 * SEC) {
            records.add(span(t, "checkout", 20)); // minute 1 fast: the incident resolves at 2m
        }
        records.addAll(slowSpans(T0 + 2 * MIN, T0 + 5 * MIN)); // slow again: would fire at 3m

        DetectorHarness whole = DetectorHarness.runningUntil(null, DELAY, r);
        replay(whole, records);
        whole.watermark(Long.MAX_VALUE);
        assertEquals(3, whole.alerts().size(), "fired at 1m, resolved at 2m, fired at 3m: " + whole.alerts());
        whole.close();

        DetectorHarness h = DetectorHarness.runningUntil(T0 + 2 * MIN, DELAY, r);
        replay(h, records);
        h.watermark(Long.MAX_VALUE);
        List<Alert> all = h.alerts();
        assertEquals(2, all.size(), all.toString());
        assertEquals(T0 + MIN, all.get(0).windowEnd);
        assertEquals(Alert.RESOLVED, all.get(1).status);
        assertEquals(T0 + 2 * MIN, all.get(1).windowEnd, "the window that closed at the end is judged, none after");
        h.close();
    }

    @Test
    void untilPastTheLastRecordJudgesTheQuietWindowsToo() throws Exception {
        String silence = String.join(
                "\n",
                "id: heartbeat",
                "name: Service stopped reporting",
                "kind: flatline",
                "match: {signal: metric, name: http.server.request.rate}",
                "key_by: [service.name]",
                "params: {window: 5m, expire: 1h}",
                "");
        List<Telemetry> points = new ArrayList<>();
        for (long t = T0; t < T0 + 10 * MIN; t += 10 * SEC) {
            points.add(Telemetry.metric(t, "cart", "http.server.request.rate", 12));
        }
        DetectorHarness toTheLastRecord = DetectorHarness.runningUntil(
                null, DELAY, DetectorHarness.load(silence).toArray(RuleSpec[]::new));
        replay(toTheLastRecord, points);
        toTheLastRecord.watermark(Long.MAX_VALUE);
        assertEquals(List.of(), toTheLastRecord.alerts(), "the end of the input is not silence");
        toTheLastRecord.close();

        DetectorHarness until = DetectorHarness.runningUntil(
                T0 + 20 * MIN, DELAY, DetectorHarness.load(silence).toArray(RuleSpec[]::new));
        replay(until, points);
        until.watermark(Long.MAX_VALUE);
        List<Alert> fired = until.firing();
        assertEquals(1, fired.size(), until.alerts().toString());
        assertTrue(fired.get(0).windowEnd <= T0 + 20 * MIN, fired.get(0).toString());
        until.close();
    }

    private static List<Long> ends(List<Rollup> rollups) {
        List<Long> out = new ArrayList<>();
        for (Rollup r : rollups) {
            out.add(r.windowEnd);
        }
        return out;
    }
}
