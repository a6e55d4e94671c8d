package io.vigil.suppress;

import static io.vigil.suppress.SuppressAlerts.MIN;
import static io.vigil.suppress.SuppressAlerts.T0;
import static io.vigil.suppress.SuppressAlerts.firing;
import static io.vigil.suppress.SuppressAlerts.resolved;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.Alert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The starter inhibition (rules/_inhibit.yaml) in event time, driven through Flink's keyed harness by watermarks. */
class InhibitorTest {
    static final InhibitRules STARTER = InhibitRules.load(repoFile("rules/_inhibit.yaml"));
    private static final String SLO = "slo-payments-availability";
    private static final String BURST = "service-error-burst";

    static Path repoFile(String name) {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve(name))) {
            p = p.getParent();
        }
        return p.resolve(name);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Alert, Alert> harness(OperatorSubtaskState restore)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new Inhibitor(STARTER)), Inhibitor.keySelector(STARTER), Types.STRING);
        if (restore != null) h.initializeState(restore);
        h.open();
        return h;
    }

    /** What left the operator since the last drain, sorted: "rule service status [inhibited by X]". */
    private static List<String> drain(KeyedOneInputStreamOperatorTestHarness<String, Alert, Alert> h) {
        List<String> out = h.extractOutputValues().stream()
                .map(a -> a.ruleId + " " + a.service + " " + a.status
                        + (a.inhibitedBy == null ? "" : " inhibited by " + a.inhibitedBy))
                .sorted()
                .toList();
        h.getOutput().clear();
        return out;
    }

    @Test
    void aFiringSloPageInhibitsItsServicesErrorBurstButNotOtherServices() throws Exception {
        var h = harness(null);
        h.processElement(firing(SLO, "payments", T0), T0);
        h.processWatermark(T0);
        assertEquals(List.of(SLO + " payments firing"), drain(h));

        h.processElement(firing(BURST, "payments", T0 + MIN), T0 + MIN);
        h.processElement(firing(BURST, "cart", T0 + MIN), T0 + MIN);
        h.processElement(firing("service-latency-p95", "payments", T0 + MIN), T0 + MIN);
        assertEquals(List.of(), drain(h), "alerts wait for the watermark");
        h.processWatermark(T0 + MIN);
        assertEquals(
                List.of(
                        BURST + " cart firing",
                        BURST + " payments firing inhibited by " + SLO + "-payments-" + T0,
                        "service-latency-p95 payments firing"),
                drain(h));
        h.close();
    }

    @Test
    void aTargetArrivingBeforeItsSourceAtTheSameInstantIsInhibited() throws Exception {
        var h = harness(null);
        h.processElement(firing(BURST, "payments", T0), T0);
        h.processElement(firing(SLO, "payments", T0), T0);
        h.processWatermark(T0);
        assertEquals(
                List.of(BURST + " payments firing inhibited by " + SLO + "-payments-" + T0, SLO + " payments firing"),
                drain(h));
        h.close();
    }

    @Test
    void aSourceFiringAfterTheTargetDoesNotInhibitItButInhibitsTheNextOne() throws Exception {
        var h = harness(null);
        h.processElement(firing(BURST, "payments", T0), T0);
        // The source arrives first but is later in event time: the target is judged before it fires.
        h.processElement(firing(SLO, "payments", T0 + MIN), T0 + MIN);
        h.processWatermark(T0 + MIN);
        assertEquals(List.of(BURST + " payments firing", SLO + " payments firing"), drain(h));
        h.processElement(resolved(BURST, "payments", T0 + 2 * MIN), T0 + 2 * MIN);
        h.processWatermark(T0 + 2 * MIN);
        assertEquals(List.of(BURST + " payments resolved inhibited by " + SLO + "-payments-" + (T0 + MIN)), drain(h));
        h.close();
    }

    @Test
    void theSourcesResolveLiftsTheInhibitionFromThatInstantOn() throws Exception {
        var h = harness(null);
        h.processElement(firing(SLO, "payments", T0), T0);
        h.processElement(firing(BURST, "payments", T0 + MIN), T0 + MIN);
        h.processWatermark(T0 + MIN);
        assertEquals(2, drain(h).size());
        // Resolve and a new target at the same instant: the resolve is applied first, so the target is delivered.
        h.processElement(firing("service-error-ratio", "payments", T0 + 3 * MIN), T0 + 3 * MIN);
        h.processElement(resolved(SLO, "payments", T0 + 3 * MIN), T0 + 3 * MIN);
        h.processWatermark(T0 + 3 * MIN);
        assertEquals(List.of("service-error-ratio payments firing", SLO + " payments resolved"), drain(h));
        h.close();
    }

    @Test
    void aRestoredOperatorKeepsInhibitingAndKeepsTheAlertsThatWaitedForTheWatermark() throws Exception {
        var h = harness(null);
        h.processElement(firing(SLO, "payments", T0), T0);
        h.processWatermark(T0);
        drain(h);
        h.processElement(firing(BURST, "payments", T0 + MIN), T0 + MIN); // not yet judged at the snapshot
        OperatorSubtaskState snapshot = h.snapshot(1, T0 + MIN);
        h.close();

        var restored = harness(snapshot);
        restored.processElement(firing("server-error-spans", "payments", T0 + 2 * MIN), T0 + 2 * MIN);
        restored.processWatermark(T0 + 2 * MIN);
        assertEquals(
                List.of(
                        "server-error-spans payments firing inhibited by " + SLO + "-payments-" + T0,
                        BURST + " payments firing inhibited by " + SLO + "-payments-" + T0),
                drain(restored));
        restored.processElement(resolved(SLO, "payments", T0 + 3 * MIN), T0 + 3 * MIN);
        restored.processElement(resolved(BURST, "payments", T0 + 4 * MIN), T0 + 4 * MIN);
        restored.processWatermark(T0 + 4 * MIN);
        assertEquals(List.of(BURST + " payments resolved", SLO + " payments resolved"), drain(restored));
        restored.close();
    }

    @Test
    void aSourceThatNeverResolvesStopsInhibitingAfterTheMaximumAge() throws Exception {
        InhibitRules changeInhibits = new InhibitRules(List.of(new InhibitRule(
                "deploy-inhibits-burst",
                LabelMatcher.parseAll(List.of("alertname=\"service-version-change\"")),
                LabelMatcher.parseAll(List.of("alertname=\"" + BURST + "\"")),
                List.of("service"))));
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new Inhibitor(changeInhibits, java.time.Duration.ofMinutes(10))),
                Inhibitor.keySelector(changeInhibits),
                Types.STRING);
        h.open();
        h.processElement(firing("service-version-change", "payments", T0), T0);
        h.processElement(firing(BURST, "payments", T0 + 9 * MIN), T0 + 9 * MIN);
        h.processWatermark(T0 + 9 * MIN);
        assertEquals(
                2,
                h.extractOutputValues().stream()
                        .filter(a -> a.status.equals("firing"))
                        .count());
        assertEquals(
                "service-version-change-payments-" + T0, h.extractOutputValues().get(1).inhibitedBy);
        h.getOutput().clear();
        h.processWatermark(T0 + 10 * MIN);
        h.processElement(firing(BURST, "payments", T0 + 11 * MIN), T0 + 11 * MIN);
        h.processWatermark(T0 + 11 * MIN);
        assertEquals(List.of(BURST + " payments firing"), drain(h));
        assertEquals(0, h.numKeyedStateEntries(), "the source and the waiting alerts are gone");
        h.close();
    }
}
