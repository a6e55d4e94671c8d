package io.vigil.suppress;

import static io.vigil.suppress.SuppressAlerts.MIN;
import static io.vigil.suppress.SuppressAlerts.T0;
import static io.vigil.suppress.SuppressAlerts.firing;
import static io.vigil.suppress.SuppressAlerts.resolved;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vigil.model.Alert;
import java.time.Instant;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/** Silences from the file and the topic, judged at each alert's event time, driven through Flink's harness. */
class SilencerTest {
    private static Silence silence(String id, String matcher, long start, long end) {
        return Silence.fromJson("{\"id\":\"" + id + "\",\"matchers\":[" + quote(matcher) + "],\"starts_at\":\""
                + Instant.ofEpochMilli(start) + "\",\"ends_at\":\"" + Instant.ofEpochMilli(end) + "\"}");
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static BroadcastOperatorTestHarness<Alert, SilenceUpdate, Alert> harness(Silences file) throws Exception {
        return ProcessFunctionTestHarnesses.forBroadcastProcessFunction(new Silencer(file), Silencer.SILENCES);
    }

    /** Sends the alert through and returns its silencedBy; every alert passes. */
    private static String judge(BroadcastOperatorTestHarness<Alert, SilenceUpdate, Alert> h, Alert a) throws Exception {
        int before = h.extractOutputValues().size();
        h.processElement(a, a.eventTime);
        List<Alert> out = h.extractOutputValues();
        assertEquals(before + 1, out.size(), "a silenced alert is passed on, never dropped");
        return out.get(out.size() - 1).silencedBy;
    }

    @Test
    void aFileSilenceMutesMatchingAlertsInsideItsWindowOnly() throws Exception {
        var h = harness(new Silences(List.of(silence("payments-db", "service=\"payments\"", T0, T0 + 60 * MIN))));
        assertNull(judge(h, firing("service-error-burst", "payments", T0 - 1)));
        assertEquals("payments-db", judge(h, firing("service-error-burst", "payments", T0)));
        assertNull(judge(h, firing("service-error-burst", "cart", T0 + MIN)));
        assertEquals("payments-db", judge(h, resolved("service-error-burst", "payments", T0 + 60 * MIN - 1)));
        assertNull(judge(h, firing("service-error-burst", "payments", T0 + 60 * MIN)));
        h.close();
    }

    @Test
    void topicSilencesAddToTheFilesOverrideTheSameIdAndExpireInEventTime() throws Exception {
        var h = harness(new Silences(List.of(silence("cart-window", "service=\"cart\"", T0, T0 + 60 * MIN))));
        // Pushed while the job runs: the next matching alert is silenced, earlier verdicts stay.
        h.processBroadcastElement(
                new SilenceUpdate(
                        "payments", silence("payments", "alertname=~\"service-error-.*\"", T0, T0 + 120 * MIN)),
                T0);
        assertEquals("payments", judge(h, firing("service-error-ratio", "payments", T0 + MIN)));
        assertEquals("cart-window,payments", judge(h, firing("service-error-burst", "cart", T0 + MIN)));

        // Expired (its end moved to T0 + 10 min, as `vigil silence expire` does): alerts before the end stay silenced
        // in a replay, alerts after it are not.
        h.processBroadcastElement(
                new SilenceUpdate(
                        "payments", silence("payments", "alertname=~\"service-error-.*\"", T0, T0 + 10 * MIN)),
                T0);
        assertEquals("payments", judge(h, firing("service-error-ratio", "payments", T0 + 9 * MIN)));
        assertNull(judge(h, firing("service-error-ratio", "payments", T0 + 10 * MIN)));

        // A topic entry with the file's id replaces the file's; its removal brings the file's back.
        h.processBroadcastElement(
                new SilenceUpdate("cart-window", silence("cart-window", "service=\"nothing\"", T0, T0 + MIN)), T0);
        assertNull(judge(h, firing("service-latency-p95", "cart", T0 + 2 * MIN)));
        h.processBroadcastElement(SilenceUpdate.removal("cart-window"), T0);
        assertEquals("cart-window", judge(h, firing("service-latency-p95", "cart", T0 + 2 * MIN)));
        h.close();
    }

    @Test
    void aRestoredSilencerKeepsTheTopicsSilences() throws Exception {
        var h = harness(Silences.none());
        h.processBroadcastElement(new SilenceUpdate("p", silence("p", "service=\"payments\"", T0, T0 + 60 * MIN)), T0);
        OperatorSubtaskState snapshot = h.snapshot(1, T0);
        h.close();
        var restored = new BroadcastOperatorTestHarness<Alert, SilenceUpdate, Alert>(
                new CoBroadcastWithNonKeyedOperator<>(new Silencer(Silences.none()), List.of(Silencer.SILENCES)),
                1,
                1,
                0);
        restored.setup();
        restored.initializeState(snapshot);
        restored.open();
        assertEquals("p", judge(restored, firing("service-error-burst", "payments", T0 + MIN)));
        restored.close();
    }

    @Test
    void silencesAndTheInhibitorsStateAreFlinkPojos() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(Silence.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(SilenceUpdate.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(Inhibitor.FiringSource.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(Alert.class);
    }
}
