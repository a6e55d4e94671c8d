package io.vigil.sink.notify;

import static io.vigil.sink.notify.NotifyAlerts.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.Alert;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Which alerts the Alertmanager and webhook outputs deliver once some are inhibited or silenced. */
class DeliveryFilterTest {
    private static KeyedOneInputStreamOperatorTestHarness<String, Alert, Alert> harness() throws Exception {
        return harness(null);
    }

    /** A harness restored from the given snapshot (none: empty state). */
    private static KeyedOneInputStreamOperatorTestHarness<String, Alert, Alert> harness(OperatorSubtaskState restored)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new DeliveryFilter()), (Alert a) -> a.key, Types.STRING);
        if (restored != null) {
            h.initializeState(restored);
        }
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

    private static Alert muted(Alert a) {
        a.silencedBy = "maintenance";
        return a;
    }

    @Test
    void mutedAlertsAreNotDeliveredUnlessTheyResolveWhatWasDelivered() throws Exception {
        var h = harness();
        // Muted from the start: neither its firing alert nor its resolve is delivered.
        Alert cart = NotifyAlerts.firing("p95", "cart");
        h.processElement(muted(cart), T0);
        h.processElement(muted(NotifyAlerts.resolved(cart, T0 + 60_000)), T0);
        assertEquals(List.of(), drain(h));
        assertEquals(0, h.numKeyedStateEntries());

        // Delivered, then a silence starts: the muted reminder is not sent, the muted resolve is (it ends what the
        // receiver holds).
        Alert payments = NotifyAlerts.firing("p95", "payments");
        h.processElement(payments, T0);
        h.processElement(muted(NotifyAlerts.firing("p95", "payments")), T0);
        h.processElement(muted(NotifyAlerts.resolved(payments, T0 + 60_000)), T0);
        assertEquals(List.of("firing:payments", "resolved:payments"), drain(h));
        assertEquals(0, h.numKeyedStateEntries(), "the resolve clears the key");

        // Inhibited counts as muted too.
        Alert checkout = NotifyAlerts.firing("p95", "checkout");
        checkout.inhibitedBy = "slo-checkout-latency-1";
        h.processElement(checkout, T0);
        assertEquals(List.of(), drain(h));
        h.close();
    }

    @Test
    void anUnmutedResolveIsNotDeliveredWhenItsFiringAlertWasWithheld() throws Exception {
        var h = harness();
        // Inhibited while firing, the inhibition over by the resolve: the receiver never got the alert it would end.
        Alert checkout = NotifyAlerts.firing("p95", "checkout");
        checkout.inhibitedBy = "slo-checkout-latency-1";
        h.processElement(checkout, T0);
        h.processElement(NotifyAlerts.resolved(checkout, T0 + 60_000), T0);
        assertEquals(List.of(), drain(h));
        assertEquals(0, h.numKeyedStateEntries(), "the resolve clears the key");

        // Silenced while firing, then the silence expires before the next reminder: the reminder is the first
        // delivery, so the resolve is delivered too.
        Alert cart = NotifyAlerts.firing("p95", "cart");
        h.processElement(muted(cart), T0);
        h.processElement(NotifyAlerts.firing("p95", "cart"), T0);
        h.processElement(NotifyAlerts.resolved(cart, T0 + 60_000), T0);
        assertEquals(List.of("firing:cart", "resolved:cart"), drain(h));
        assertEquals(0, h.numKeyedStateEntries());
        h.close();
    }

    @Test
    void whatWasDeliveredAndWhatWasWithheldSurvivesARestore() throws Exception {
        var h = harness();
        Alert payments = NotifyAlerts.firing("p95", "payments");
        payments.incident = "inc-7";
        h.processElement(payments, T0);
        Alert cart = NotifyAlerts.firing("p95", "cart");
        h.processElement(muted(cart), T0);
        assertEquals(List.of("firing:payments"), drain(h));
        OperatorSubtaskState snapshot = h.snapshot(1, T0);
        h.close();

        var restored = harness(snapshot);
        restored.processElement(muted(NotifyAlerts.resolved(payments, T0 + 60_000)), T0);
        restored.processElement(NotifyAlerts.resolved(cart, T0 + 60_000), T0);
        List<Alert> out = restored.extractOutputValues();
        assertEquals(1, out.size(), "only the delivered key's resolve: " + out);
        assertEquals("payments", out.get(0).service);
        assertEquals(Alert.RESOLVED, out.get(0).status);
        assertEquals("inc-7", out.get(0).incident);
        assertEquals(0, restored.numKeyedStateEntries());
        restored.close();
    }

    @Test
    void aResolveOfAKeyTheFilterHoldsNothingForIsDeliveredUnlessMuted() throws Exception {
        // The filter's state began after the firing alert (a savepoint without it): it cannot tell whether the
        // firing alert was delivered, and a resolve the receiver does not hold is harmless where a lost one is not.
        var h = harness();
        h.processElement(NotifyAlerts.resolved(NotifyAlerts.firing("p95", "cart"), T0 + 60_000), T0);
        h.processElement(muted(NotifyAlerts.resolved(NotifyAlerts.firing("p95", "payments"), T0 + 60_000)), T0);
        assertEquals(List.of("resolved:cart"), drain(h));
        assertEquals(0, h.numKeyedStateEntries());
        h.close();
    }

    @Test
    void aDeliveredResolveNamesTheIncidentOfTheFiringAlertItEnds() throws Exception {
        var h = harness();
        Alert cart = NotifyAlerts.firing("p95", "cart");
        cart.incident = "inc-1";
        h.processElement(cart, T0);
        // Its incident left the incident stage's state before the resolve came: the resolve named none.
        h.processElement(NotifyAlerts.resolved(cart, T0 + 60_000), T0);
        List<Alert> out = h.extractOutputValues();
        assertEquals(2, out.size());
        assertEquals("inc-1", out.get(1).incident, "same labels as the firing alert, so the receiver ends it");
        assertEquals(0, h.numKeyedStateEntries());
        h.close();
    }

    @Test
    void aDeliveredResolveCarriesTheRuleLabelsItsFiringAlertWasDeliveredWith() throws Exception {
        var h = harness();
        // An SLO page fires on one window pair and resolves naming the pair that last held.
        Alert page = NotifyAlerts.firing("slo-checkout", "checkout");
        page.labels.put("slo.long_window", "1h");
        Alert resolve = NotifyAlerts.resolved(page, T0 + 600_000);
        resolve.labels.put("slo.long_window", "6h");
        h.processElement(page, T0);
        h.processElement(resolve, T0);
        List<Alert> out = h.extractOutputValues();
        assertEquals(2, out.size());
        assertEquals("1h", out.get(1).labels.get("slo.long_window"));
        assertEquals(AlertmanagerPayload.labels(out.get(0)), AlertmanagerPayload.labels(out.get(1)));
        assertEquals(0, h.numKeyedStateEntries());
        h.close();
    }
}
