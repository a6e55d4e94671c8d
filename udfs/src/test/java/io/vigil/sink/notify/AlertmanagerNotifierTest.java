package io.vigil.sink.notify;

import static io.vigil.sink.notify.NotifyAlerts.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.Alert;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The re-send state machine driven by hand in processing time. */
class AlertmanagerNotifierTest {
    private static final long MIN = 60_000;

    private static KeyedOneInputStreamOperatorTestHarness<String, Alert, Alert> harness(OperatorSubtaskState restore)
            throws Exception {
        NotifyConfig c = NotifyConfig.alertmanager("http://127.0.0.1:9093");
        c.resendInterval = Duration.ofMinutes(1);
        c.resolvedRetention = Duration.ofMinutes(5);
        c.maxFiring = Duration.ofMinutes(30);
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new AlertmanagerNotifier(c)), (Alert a) -> a.key, Types.STRING);
        h.setProcessingTime(T0);
        if (restore != null) h.initializeState(restore);
        h.open();
        return h;
    }

    private static List<String> drain(KeyedOneInputStreamOperatorTestHarness<String, Alert, Alert> h) {
        List<String> out = h.extractOutputValues().stream()
                .map(a -> a.status + ":" + a.service)
                .toList();
        h.getOutput().clear();
        return out;
    }

    @Test
    void firingIsResentEveryIntervalUntilResolvedThenTheResolveForTheRetention() throws Exception {
        var h = harness(null);
        Alert f = NotifyAlerts.firing("p95", "checkout");
        h.processElement(f, T0);
        assertEquals(List.of("firing:checkout"), drain(h));
        h.setProcessingTime(T0 + MIN - 1);
        assertEquals(List.of(), drain(h));
        h.setProcessingTime(T0 + MIN);
        assertEquals(List.of("firing:checkout"), drain(h));
        h.setProcessingTime(T0 + 2 * MIN);
        assertEquals(List.of("firing:checkout"), drain(h));

        h.setProcessingTime(T0 + 2 * MIN + 10_000);
        h.processElement(NotifyAlerts.resolved(f, T0 + 2 * MIN), T0);
        assertEquals(List.of("resolved:checkout"), drain(h));
        h.setProcessingTime(T0 + 3 * MIN); // the firing alert's timer was replaced
        assertEquals(List.of(), drain(h));
        h.setProcessingTime(T0 + 3 * MIN + 10_000);
        assertEquals(List.of("resolved:checkout"), drain(h));
        h.setProcessingTime(T0 + 7 * MIN + 10_000); // 5 min after the resolve: state cleared, no more re-sends
        assertEquals(List.of("resolved:checkout", "resolved:checkout", "resolved:checkout"), drain(h));
        assertEquals(0, h.numKeyedStateEntries());
        h.setProcessingTime(T0 + 20 * MIN);
        assertEquals(List.of(), drain(h));
        h.close();
    }

    @Test
    void eachKeyIsResentOnItsOwnAndEventKindsAreNotKept() throws Exception {
        var h = harness(null);
        h.processElement(NotifyAlerts.firing("p95", "checkout"), T0);
        h.setProcessingTime(T0 + 30_000);
        h.processElement(NotifyAlerts.firing("p95", "payments"), T0);
        Alert change = NotifyAlerts.firing("deploys", "cart");
        change.kind = "change";
        h.processElement(change, T0);
        drain(h);
        h.setProcessingTime(T0 + MIN);
        assertEquals(List.of("firing:checkout"), drain(h));
        h.setProcessingTime(T0 + 90_000);
        assertEquals(List.of("firing:payments"), drain(h));
        h.close();
    }

    @Test
    void aFiringAlertThatNeverResolvesStopsAfterMaxFiring() throws Exception {
        var h = harness(null);
        h.processElement(NotifyAlerts.firing("p95", "checkout"), T0);
        h.setProcessingTime(T0 + 29 * MIN);
        assertEquals(30, drain(h).size()); // the alert and 29 re-sends
        h.setProcessingTime(T0 + 30 * MIN);
        assertEquals(List.of(), drain(h));
        assertEquals(0, h.numKeyedStateEntries());
        h.close();
    }

    @Test
    void reSendsContinueAfterRestoreFromASnapshot() throws Exception {
        var h = harness(null);
        h.processElement(NotifyAlerts.firing("p95", "checkout"), T0);
        h.setProcessingTime(T0 + MIN);
        OperatorSubtaskState snapshot = h.snapshot(1L, T0 + MIN);
        h.close();

        var restored = harness(snapshot);
        restored.setProcessingTime(T0 + 2 * MIN);
        assertEquals(List.of("firing:checkout"), drain(restored));
        restored.close();
    }
}
