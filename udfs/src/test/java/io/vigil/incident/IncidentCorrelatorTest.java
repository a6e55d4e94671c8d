package io.vigil.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.alert.AlertIds;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The incident correlator in Flink's keyed two-input harness, event time driven by hand: grouping within the gap,
 * resolution, suspected causes, late alerts and changes, bounded samples, restore from a snapshot, and state that
 * empties once a service goes quiet.
 */
class IncidentCorrelatorTest {
    private static final long T0 = 1_793_577_600_000L;
    private static final long MIN = 60_000L;

    private static IncidentConfig config() {
        IncidentConfig c = new IncidentConfig();
        c.gap = Duration.ofMinutes(15);
        c.lookback = Duration.ofMinutes(15);
        return c;
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, Alert, Telemetry, Incident> harness(IncidentConfig c)
            throws Exception {
        GroupKeys keys = new GroupKeys(c.groupBy);
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new IncidentCorrelator(c)), keys::of, keys::of, Types.STRING);
        h.open();
        return h;
    }

    private static Alert firing(String rule, String kind, String service, long eventTime, String severity) {
        Alert a = new Alert();
        a.ruleId = rule;
        a.kind = kind;
        a.service = service;
        a.key = rule + "|" + service;
        a.keyFields.put("service.name", service);
        a.windowStart = eventTime - 5 * MIN;
        a.windowEnd = eventTime;
        a.eventTime = eventTime;
        a.id = AlertIds.of(rule, a.key, a.windowStart, a.windowEnd);
        a.incidentId = a.id;
        a.severity = severity;
        a.message = rule + " on " + service;
        return a;
    }

    private static Alert resolved(Alert f, long eventTime) {
        Alert a = firing(f.ruleId, f.kind, f.service, eventTime, f.severity);
        a.status = Alert.RESOLVED;
        a.incidentId = f.id;
        a.id = AlertIds.resolved(f.id);
        return a;
    }

    private static Alert change(String service, long eventTime, String from, String to) {
        Alert a = firing("service-version-change", "change", service, eventTime, "info");
        a.message = "New version of " + service + ": service.version changed from " + from + " to " + to;
        return a;
    }

    private static void send(KeyedTwoInputStreamOperatorTestHarness<String, Alert, Telemetry, Incident> h, Alert a)
            throws Exception {
        h.processElement1(new StreamRecord<>(a, a.eventTime));
    }

    private static void watermark(KeyedTwoInputStreamOperatorTestHarness<String, Alert, Telemetry, Incident> h, long t)
            throws Exception {
        h.processBothWatermarks(new Watermark(t));
    }

    /** The latest revision of each incident, by id, in order of first emission. */
    private static Map<String, Incident> latest(
            KeyedTwoInputStreamOperatorTestHarness<String, Alert, Telemetry, Incident> h) {
        Map<String, Incident> m = new LinkedHashMap<>();
        for (Incident i : h.extractOutputValues()) {
            Incident seen = m.get(i.id);
            if (seen == null || seen.revision < i.revision) {
                m.put(i.id, i);
            }
        }
        return m;
    }

    private static Incident only(KeyedTwoInputStreamOperatorTestHarness<String, Alert, Telemetry, Incident> h) {
        Map<String, Incident> m = latest(h);
        assertEquals(1, m.size(), () -> "incidents: " + m.values());
        return m.values().iterator().next();
    }

    @Test
    void groupedAlertsNameTheirIncidentAndCarryItsSuspectedCause() throws Exception {
        var h = harness(config());
        Alert release = change("checkout", T0 - 5 * MIN, "1.4.2", "1.5.0");
        Alert p95 = firing("latency-p95", "threshold", "checkout", T0, "high");
        Alert slo = firing("slo-checkout", "slo", "checkout", T0 + 2 * MIN, "critical");
        Alert payments = firing("error-burst", "frequency", "payments", T0 + MIN, "medium");
        Alert rollback = change("checkout", T0 + 3 * MIN, "1.5.0", "1.4.2");
        for (Alert a : List.of(release, p95, slo, payments, rollback)) {
            send(h, a);
        }
        watermark(h, T0 + 5 * MIN);
        send(h, resolved(p95, T0 + 20 * MIN));
        watermark(h, T0 + 20 * MIN);

        Map<String, Incident> incidents = latest(h);
        String checkout = incidents.values().stream()
                .filter(i -> i.groupValue.equals("checkout"))
                .findFirst()
                .orElseThrow()
                .id;
        String paymentsIncident = incidents.values().stream()
                .filter(i -> i.groupValue.equals("payments"))
                .findFirst()
                .orElseThrow()
                .id;
        Map<String, Alert> grouped = new LinkedHashMap<>();
        for (StreamRecord<Alert> r : h.getSideOutput(IncidentCorrelator.GROUPED_ALERTS)) {
            assertNull(grouped.put(r.getValue().id, r.getValue()), "each alert once: " + r.getValue());
        }
        assertEquals(6, grouped.size(), () -> "every alert taken is handed on: " + grouped.keySet());
        // Changes are not members and name no incident (the rollback landed while it was open); the incident's alerts
        // name the release as their suspected cause.
        assertNull(grouped.get(release.id).incident);
        assertNull(grouped.get(rollback.id).incident);
        String cause = release.message;
        for (Alert a : List.of(p95, slo)) {
            assertEquals(checkout, grouped.get(a.id).incident, a.id);
            assertEquals(cause, grouped.get(a.id).annotations.get(IncidentCorrelator.SUSPECTED_CAUSE), a.id);
        }
        // The resolve names its firing alert's incident, so a receiver matches the two by their labels.
        assertEquals(checkout, grouped.get(AlertIds.resolved(p95.id)).incident);
        assertEquals(paymentsIncident, grouped.get(payments.id).incident);
        assertNull(grouped.get(payments.id).annotations.get(IncidentCorrelator.SUSPECTED_CAUSE));
        assertNotEquals(checkout, paymentsIncident);
        // The copies leave the alerts the correlator keeps untouched: the release, still a candidate cause, names none.
        assertNull(release.incident);
        h.close();
    }

    @Test
    void alertsOfOneServiceWithinTheGapFormOneIncidentWithTheHighestSeverity() throws Exception {
        var h = harness(config());
        Alert p95 = firing("latency-p95", "threshold", "checkout", T0, "high");
        Alert slo = firing("slo-checkout", "slo", "checkout", T0 + 10 * MIN, "critical");
        Alert other = firing("error-burst", "frequency", "payments", T0 + 2 * MIN, "medium");
        send(h, p95);
        send(h, slo);
        send(h, other);
        watermark(h, T0 + 10 * MIN);

        Map<String, Incident> all = latest(h);
        assertEquals(2, all.size());
        Incident checkout = all.values().stream()
                .filter(i -> i.groupValue.equals("checkout"))
                .findFirst()
                .orElseThrow();
        assertEquals("service.name", checkout.groupField);
        assertEquals(List.of(p95.id, slo.id), checkout.alertIds);
        assertEquals(2, checkout.alertCount);
        assertEquals("critical", checkout.severity);
        assertEquals(T0, checkout.firstSeen);
        assertEquals(T0 + 10 * MIN, checkout.lastSeen);
        assertEquals(Incident.OPEN, checkout.status);
        assertEquals(
                List.of("firing", "firing"),
                checkout.timeline.stream().map(e -> e.type).toList());
        h.close();
    }

    @Test
    void anIncidentResolvesOnceEveryMemberResolvedAndTheGapPassed() throws Exception {
        var h = harness(config());
        Alert a = firing("latency-p95", "threshold", "checkout", T0, "high");
        send(h, a);
        send(h, resolved(a, T0 + 5 * MIN));
        watermark(h, T0 + 14 * MIN);
        assertEquals(Incident.OPEN, only(h).status, "the gap has not passed yet");

        watermark(h, T0 + 15 * MIN);
        Incident i = only(h);
        assertEquals(Incident.RESOLVED, i.status);
        assertEquals(T0 + 15 * MIN, i.resolvedAt);
        assertEquals(
                List.of(TimelineEntry.FIRING, TimelineEntry.RESOLVED, TimelineEntry.CLOSED),
                i.timeline.stream().map(e -> e.type).toList());

        // The next alert on the service, after the incident resolved, opens a new one.
        Alert again = firing("latency-p95", "threshold", "checkout", T0 + 40 * MIN, "high");
        send(h, again);
        watermark(h, T0 + 40 * MIN);
        assertEquals(2, latest(h).size());
        h.close();
    }

    @Test
    void anIncidentStaysOpenWhileAMemberStillFiresAndResolvesWithIt() throws Exception {
        var h = harness(config());
        Alert ticket = firing("slo-ticket", "slo", "payments", T0, "medium");
        Alert burst = firing("error-burst", "frequency", "payments", T0 + MIN, "high");
        send(h, ticket);
        send(h, burst);
        send(h, resolved(burst, T0 + 3 * MIN));
        watermark(h, T0 + 2 * 60 * MIN);
        assertEquals(Incident.OPEN, only(h).status, "the SLO ticket still fires");

        send(h, resolved(ticket, T0 + 3 * 60 * MIN));
        watermark(h, T0 + 3 * 60 * MIN);
        Incident i = only(h);
        assertEquals(Incident.RESOLVED, i.status);
        assertEquals(T0 + 3 * 60 * MIN, i.resolvedAt);
        h.close();
    }

    @Test
    void alertsThatAreNeverResolvedDoNotKeepTheIncidentOpen() throws Exception {
        var h = harness(config());
        send(h, firing("ssh-new-country", "new_term", "sshd", T0, "medium"));
        send(h, firing("ssh-brute-force", "sequence", "sshd", T0 + MIN, "critical"));
        watermark(h, T0 + 16 * MIN);
        Incident i = only(h);
        assertEquals(Incident.RESOLVED, i.status);
        assertEquals(T0 + 16 * MIN, i.resolvedAt);
        h.close();
    }

    @Test
    void aChangeShortlyBeforeTheFirstAlertIsTheSuspectedCauseAndOpensNothingByItself() throws Exception {
        var h = harness(config());
        send(h, change("checkout", T0 - 40 * MIN, "1.7.0", "1.8.0")); // outside the lookback
        send(h, change("checkout", T0 - 6 * MIN, "1.8.0", "1.9.0"));
        send(h, change("cart", T0 - 2 * MIN, "2.4.0", "2.4.1")); // another service
        watermark(h, T0 - MIN);
        assertTrue(h.extractOutputValues().isEmpty(), "a change alone is no incident");

        Alert p95 = firing("latency-p95", "threshold", "checkout", T0, "high");
        send(h, p95);
        watermark(h, T0);
        Incident i = only(h);
        assertEquals("service-version-change", i.suspectedCause.ruleId);
        assertEquals(T0 - 6 * MIN, i.suspectedCause.time);
        assertTrue(i.suspectedCause.message.contains("1.8.0 to 1.9.0"), i.suspectedCause.message);
        assertEquals(List.of(p95.id), i.alertIds, "the change is the cause, not a member");
        h.close();
    }

    @Test
    void aChangeLongBeforeTheFirstAlertIsNoSuspect() throws Exception {
        var h = harness(config());
        send(h, change("checkout", T0 - 16 * MIN, "1.8.0", "1.9.0"));
        send(h, firing("latency-p95", "threshold", "checkout", T0, "high"));
        watermark(h, T0);
        assertNull(only(h).suspectedCause);
        h.close();
    }

    @Test
    void aLateChangeStillBecomesTheSuspectedCauseAndALaterOneGoesOnTheTimeline() throws Exception {
        var h = harness(config());
        send(h, firing("latency-p95", "threshold", "checkout", T0, "high"));
        watermark(h, T0 + MIN);
        assertNull(only(h).suspectedCause);

        // Arrives after the watermark passed it (its detector was behind): taken at the next watermark.
        send(h, change("checkout", T0 - 5 * MIN, "1.8.0", "1.9.0"));
        send(h, change("checkout", T0 + 2 * MIN, "1.9.0", "1.8.1")); // a rollback during the incident
        watermark(h, T0 + 2 * MIN);
        Incident i = only(h);
        assertEquals(T0 - 5 * MIN, i.suspectedCause.time);
        assertEquals(
                List.of(TimelineEntry.FIRING, TimelineEntry.CHANGE, TimelineEntry.CHANGE),
                i.timeline.stream().map(e -> e.type).toList());
        h.close();
    }

    @Test
    void aLateAlertJoinsTheOpenIncidentAndMovesItsStartBack() throws Exception {
        var h = harness(config());
        Alert first = firing("error-ratio", "threshold", "payments", T0, "high");
        send(h, first);
        watermark(h, T0 + 2 * MIN);
        Alert late = firing("error-spans", "frequency", "payments", T0 - 3 * MIN, "medium");
        send(h, late);
        watermark(h, T0 + 3 * MIN);
        Incident i = only(h);
        assertEquals(2, i.alertCount);
        assertEquals(T0 - 3 * MIN, i.firstSeen);
        h.close();
    }

    @Test
    void theIdIsTheSameWhateverOrderTheAlertsArriveIn() throws Exception {
        Alert a = firing("latency-p95", "threshold", "checkout", T0, "high");
        Alert b = firing("slo-checkout", "slo", "checkout", T0, "critical");
        var h1 = harness(config());
        send(h1, a);
        send(h1, b);
        watermark(h1, T0);
        var h2 = harness(config());
        send(h2, b);
        send(h2, a);
        watermark(h2, T0);
        assertEquals(only(h1).id, only(h2).id);
        assertEquals(only(h1).alertIds, only(h2).alertIds);
        h1.close();
        h2.close();
    }

    @Test
    void errorLogsAndFailedTracesAreSampledWithinBounds() throws Exception {
        IncidentConfig c = config();
        c.maxErrorLogs = 3;
        c.maxTraceIds = 4;
        var h = harness(c);
        h.processElement2(new StreamRecord<>(errorLog("payments", T0 - 30 * MIN, "0old"), T0 - 30 * MIN));
        for (int n = 0; n < 10; n++) {
            long t = T0 - 5 * MIN + n * 10_000L;
            h.processElement2(new StreamRecord<>(errorLog("payments", t, Integer.toString(n)), t));
            h.processElement2(new StreamRecord<>(errorSpan("payments", t, Integer.toString(n)), t));
        }
        send(h, firing("error-burst", "frequency", "payments", T0, "high"));
        watermark(h, T0);
        Incident i = only(h);
        assertEquals(3, i.errorLogs.size());
        assertEquals(4, i.traceIds.size());
        assertTrue(i.traceIds.stream().noneMatch(id -> id.startsWith("0old")), "older than the lookback");
        assertTrue(i.errorLogs.get(0).contains("\"trace_id\""), "the log's trace id is kept: " + i.errorLogs.get(0));
        h.close();
    }

    @Test
    void theLatestErrorLogsAndTraceIdsAreSampledWhateverTheirArrivalOrderAndTheBufferStaysBounded() throws Exception {
        IncidentConfig c = config();
        c.maxErrorLogs = 3;
        c.maxTraceIds = 4;
        var h = harness(c);
        GroupKeys keys = new GroupKeys(c.groupBy);
        AbstractStreamOperator<Incident> op = h.getOperator();
        ListState<Telemetry> buffer = op.getPartitionedState(
                VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE,
                new ListStateDescriptor<>("recentErrorLogs", TypeInformation.of(Telemetry.class)));
        int most = 0;
        // 40 records a second apart, arriving in a scrambled order (17 is prime to 40: each index once).
        for (int i = 0; i < 40; i++) {
            int n = i * 17 % 40;
            long t = T0 - 5 * MIN + n * 1_000L;
            Telemetry log = errorLog("payments", t, String.format("%02d", n));
            h.processElement2(new StreamRecord<>(log, t));
            op.setCurrentKey(keys.of(log));
            int held = 0;
            for (Telemetry ignored : buffer.get()) {
                held++;
            }
            most = Math.max(most, held);
        }
        assertTrue(most <= 2 * c.maxErrorLogs, "the log buffer held " + most);
        send(h, firing("error-burst", "frequency", "payments", T0, "high"));
        watermark(h, T0);
        Incident i = only(h);
        assertEquals(
                List.of(hex("37"), hex("38"), hex("39")),
                i.errorLogs.stream()
                        .map(json -> json.replaceAll(".*\"trace_id\":\"(\\w+)\".*", "$1"))
                        .toList());
        // The sampled logs' trace ids first, then the latest others.
        assertEquals(List.of(hex("37"), hex("38"), hex("39"), hex("36")), i.traceIds);
        h.close();
    }

    @Test
    void traceIdsSavedInTheEarlierLayoutsMapStateAreSampledAndThatStateIsDropped() throws Exception {
        var h = harness(config());
        GroupKeys keys = new GroupKeys("service.name");
        AbstractStreamOperator<Incident> op = h.getOperator();
        op.setCurrentKey(keys.of(errorLog("payments", T0, "a")));
        MapState<String, Long> legacy = op.getPartitionedState(
                VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE,
                new MapStateDescriptor<>("recentTraceIds", Types.STRING, Types.LONG));
        legacy.put(hex("b"), T0 - 4 * MIN);
        legacy.put(hex("a"), T0 - 5 * MIN);
        legacy.put(hex("0old"), T0 - 30 * MIN);
        send(h, firing("error-burst", "frequency", "payments", T0, "high"));
        watermark(h, T0);
        assertEquals(List.of(hex("a"), hex("b")), only(h).traceIds);
        op.setCurrentKey(keys.of(errorLog("payments", T0, "a")));
        assertTrue(legacy.isEmpty(), "the earlier layout's trace ids are dropped once read");
        h.close();
    }

    @Test
    void restoredFromASnapshotMidIncidentItResolvesTheSameIncident() throws Exception {
        var h = harness(config());
        send(h, change("checkout", T0 - 5 * MIN, "1.8.0", "1.9.0"));
        Alert a = firing("latency-p95", "threshold", "checkout", T0, "high");
        send(h, a);
        watermark(h, T0);
        Incident before = only(h);
        OperatorSubtaskState snapshot = h.snapshot(1L, T0);
        h.close();

        var restored = new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new IncidentCorrelator(config())),
                new GroupKeys("service.name")::of,
                new GroupKeys("service.name")::of,
                Types.STRING);
        restored.initializeState(snapshot);
        restored.open();
        send(restored, resolved(a, T0 + 5 * MIN));
        watermark(restored, T0 + 15 * MIN);
        Incident after = only(restored);
        assertEquals(before.id, after.id);
        assertEquals(Incident.RESOLVED, after.status);
        assertEquals(before.suspectedCause.alertId, after.suspectedCause.alertId);
        assertTrue(after.revision > before.revision);
        restored.close();
    }

    @Test
    void aServiceThatGoesQuietKeepsNoStateAndNoTimers() throws Exception {
        var h = harness(config());
        h.processElement2(new StreamRecord<>(errorLog("payments", T0 - MIN, "a"), T0 - MIN));
        send(h, change("payments", T0 - 2 * MIN, "5.0.2", "5.0.3"));
        Alert a = firing("error-burst", "frequency", "payments", T0, "high");
        send(h, a);
        send(h, resolved(a, T0 + MIN));
        watermark(h, T0 + 60 * MIN);
        assertEquals(Incident.RESOLVED, only(h).status);
        assertEquals(0, h.numKeyedStateEntries());
        assertEquals(0, h.numEventTimeTimers());
        h.close();
    }

    @Test
    void alertsWithoutAServiceGroupByTheServiceOfTheirEvidenceElseByTheirOwnKey() {
        GroupKeys keys = new GroupKeys("service.name");
        Alert denied = firing("denied-source-login", "list", null, T0, "high");
        denied.keyFields.clear();
        denied.key = "denied-source-login|203.0.113.45";
        denied.evidence.add("{\"signal\":\"log\",\"timestamp\":1,\"resource\":{\"service.name\":\"sshd\"}}");
        assertEquals("sshd", keys.of(denied));
        denied.evidence.clear();
        String key = keys.of(denied);
        assertEquals("rule_key", keys.fieldOf(key));
        assertEquals("denied-source-login|203.0.113.45", GroupKeys.valueOf(key));
        assertNotEquals(keys.of(firing("x", "threshold", "cart", T0, "low")), key);
    }

    private static Telemetry errorLog(String service, long t, String trace) {
        Telemetry log = Telemetry.log(t, service, "ERROR", "upstream timeout");
        log.traceId = hex(trace);
        log.spanId = "00f067aa0ba902b7";
        return log;
    }

    private static Telemetry errorSpan(String service, long t, String trace) {
        Telemetry span = Telemetry.span(t, service, "POST /api/pay", 120, "error");
        span.traceId = hex(trace);
        return span;
    }

    /** A 32-digit trace id that starts with {@code prefix}. */
    private static String hex(String prefix) {
        StringBuilder b = new StringBuilder(prefix);
        while (b.length() < 32) {
            b.append('f');
        }
        return b.toString();
    }
}
