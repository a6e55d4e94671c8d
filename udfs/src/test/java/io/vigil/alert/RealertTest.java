package io.vigil.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.Alert;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Realert: suppression within the realert period, duplicates, resolutions and state cleanup, per key. */
class RealertTest {
    private static final long T0 = 1_793_577_600_000L;
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;

    private static KeyedOneInputStreamOperatorTestHarness<String, Alert, Alert> harness() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, Alert, Alert> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new Realert()), a -> a.key, Types.STRING);
        h.open();
        return h;
    }

    private static Alert firing(String key, long windowEnd, long realertMillis) {
        Alert a = new Alert();
        a.ruleId = "r";
        a.key = key;
        a.windowStart = windowEnd - MIN;
        a.windowEnd = windowEnd;
        a.eventTime = windowEnd;
        a.id = AlertIds.of("r", key, a.windowStart, a.windowEnd);
        a.incidentId = a.id;
        a.realertMillis = realertMillis;
        a.severity = "high";
        return a;
    }

    private static Alert resolved(Alert firing, long windowEnd) {
        Alert a = firing("r", windowEnd, firing.realertMillis);
        a.key = firing.key;
        a.status = Alert.RESOLVED;
        a.incidentId = firing.id;
        a.id = AlertIds.resolved(firing.id);
        return a;
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, Alert, Alert> h, Alert a) throws Exception {
        h.processElement(new StreamRecord<>(a, a.eventTime));
    }

    private static List<String> ids(KeyedOneInputStreamOperatorTestHarness<String, Alert, Alert> h) {
        return h.extractOutputValues().stream().map(a -> a.id).toList();
    }

    @Test
    void theFirstFiringAlertGoesOutWithNothingSuppressed() throws Exception {
        var h = harness();
        Alert a = firing("k", T0, 30 * MIN);
        send(h, a);
        assertEquals(List.of(a.id), ids(h));
        assertEquals(0, h.extractOutputValues().get(0).suppressed);
        h.close();
    }

    @Test
    void repeatsWithinTheRealertPeriodAreSuppressedAndCountedIntoTheNextAlert() throws Exception {
        var h = harness();
        Alert first = firing("k", T0, 30 * MIN);
        send(h, first);
        send(h, resolved(first, T0 + MIN));
        Alert second = firing("k", T0 + 5 * MIN, 30 * MIN); // a new incident 5 minutes later: suppressed
        send(h, second);
        send(h, resolved(second, T0 + 6 * MIN)); // its firing never went out: nor does its resolution
        Alert third = firing("k", T0 + 20 * MIN, 30 * MIN);
        send(h, third);
        Alert fourth = firing("k", T0 + 30 * MIN, 30 * MIN); // exactly one period after the first: goes out
        send(h, fourth);
        List<Alert> out = h.extractOutputValues();
        assertEquals(List.of(first.id, AlertIds.resolved(first.id), fourth.id), ids(h));
        assertEquals(2, out.get(2).suppressed, "the second and third were suppressed");
        Alert fifth = firing("k", T0 + 61 * MIN, 30 * MIN);
        send(h, fifth);
        assertEquals(0, h.extractOutputValues().get(3).suppressed, "the count starts again after each alert");
        h.close();
    }

    @Test
    void withoutARealertPeriodEveryFiringAlertGoesOut() throws Exception {
        var h = harness();
        send(h, firing("k", T0, 0));
        send(h, firing("k", T0 + MIN, 0));
        send(h, firing("k", T0 + 2 * MIN, 0));
        assertEquals(3, h.extractOutputValues().size());
        h.close();
    }

    @Test
    void duplicatesById() throws Exception {
        var h = harness();
        Alert a = firing("k", T0, 0);
        send(h, a);
        send(h, firing("k", T0, 0)); // the same rule, key and window: the same id
        assertEquals(List.of(a.id), ids(h));
        send(h, resolved(a, T0 + MIN));
        send(h, resolved(a, T0 + MIN));
        assertEquals(List.of(a.id, AlertIds.resolved(a.id)), ids(h));
        h.close();
    }

    @Test
    void aResolutionGoesOutOnlyForAFiringAlertThatWentOut() throws Exception {
        var h = harness();
        Alert never = firing("k", T0, 0);
        send(h, resolved(never, T0 + MIN));
        assertEquals(List.of(), ids(h), "a resolution without its firing alert is dropped");
        Alert a = firing("k", T0 + 2 * MIN, 0);
        send(h, a);
        Alert other = firing("k", T0 + 3 * MIN, 0);
        send(h, resolved(other, T0 + 4 * MIN));
        assertEquals(List.of(a.id), ids(h), "the resolution of another incident is dropped");
        send(h, resolved(a, T0 + 5 * MIN));
        assertEquals(List.of(a.id, AlertIds.resolved(a.id)), ids(h));
        h.close();
    }

    @Test
    void keysAreIndependent() throws Exception {
        var h = harness();
        send(h, firing("checkout", T0, 30 * MIN));
        send(h, firing("cart", T0 + MIN, 30 * MIN));
        send(h, firing("checkout", T0 + 2 * MIN, 30 * MIN));
        assertEquals(
                List.of("checkout", "cart"),
                h.extractOutputValues().stream().map(a -> a.key).toList());
        h.close();
    }

    @Test
    void stateIsClearedWhenTheKeyHasBeenQuietForTheRetention() throws Exception {
        var h = harness();
        Alert a = firing("k", T0, 30 * MIN);
        send(h, a);
        send(h, resolved(a, T0 + MIN));
        send(h, firing("k", T0 + 2 * MIN, 30 * MIN)); // suppressed and counted
        assertEquals(1, h.numEventTimeTimers());
        h.processWatermark(new Watermark(T0 + 2 * MIN + HOUR - 1));
        assertEquals(1, h.numEventTimeTimers(), "the cleanup moved with the last alert");
        h.processWatermark(new Watermark(T0 + 2 * MIN + HOUR));
        assertEquals(0, h.numEventTimeTimers());
        assertEquals(0, h.numKeyedStateEntries(), "nothing is kept for a quiet key without an open incident");

        send(h, firing("k", T0 + 3 * HOUR, 30 * MIN));
        assertEquals(0, h.extractOutputValues().get(2).suppressed, "the count was cleared with the state");
        h.close();
    }

    @Test
    void anOpenIncidentSurvivesTheCleanupSoItsResolutionStillGoesOut() throws Exception {
        var h = harness();
        Alert a = firing("k", T0, 30 * MIN);
        send(h, a);
        h.processWatermark(new Watermark(T0 + 5 * HOUR));
        assertEquals(1, h.numKeyedStateEntries(), "only the open incident");
        send(h, resolved(a, T0 + 6 * HOUR));
        assertEquals(List.of(a.id, AlertIds.resolved(a.id)), ids(h));
        h.close();
    }

    @Test
    void theRetentionIsTheRealertPeriodWhenLongerThanAnHour() throws Exception {
        var h = harness();
        send(h, firing("k", T0, 3 * HOUR));
        h.processWatermark(new Watermark(T0 + 2 * HOUR));
        assertEquals(1, h.numEventTimeTimers());
        send(h, firing("k", T0 + 2 * HOUR + MIN, 3 * HOUR));
        assertEquals(1, h.extractOutputValues().size(), "still within the three-hour realert period");
        h.processWatermark(new Watermark(T0 + 2 * HOUR + MIN + 3 * HOUR));
        send(h, firing("k", T0 + 6 * HOUR, 3 * HOUR));
        assertEquals(2, h.extractOutputValues().size());
        assertEquals(0, h.extractOutputValues().get(1).suppressed, "the count was cleaned up with the state");
        h.close();
    }

    @Test
    void suppressionStateSurvivesARestore() throws Exception {
        var h = harness();
        send(h, firing("k", T0, 30 * MIN));
        send(h, firing("k", T0 + MIN, 30 * MIN));
        OperatorSubtaskState snap = h.snapshot(1L, T0 + MIN);
        h.close();

        KeyedOneInputStreamOperatorTestHarness<String, Alert, Alert> r = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new Realert()), a -> a.key, Types.STRING);
        r.initializeState(snap);
        r.open();
        send(r, firing("k", T0 + 2 * MIN, 30 * MIN));
        assertEquals(List.of(), r.extractOutputValues());
        send(r, firing("k", T0 + 40 * MIN, 30 * MIN));
        assertEquals(2, r.extractOutputValues().get(0).suppressed);
        r.close();
    }
}
