package io.vigil.detect.cardinality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.DetectorHarness;
import io.vigil.detect.security.TestRules;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/** The cardinality kind in the shared detector operator: windows, order, late data, the capped set, restore. */
class CardinalityDetectorTest {
    static final long T0 = 1_793_577_600_000L;
    static final String PORT_SCAN = """
            id: port-scan
            name: Port scan
            kind: cardinality
            severity: high
            match:
              signal: event
              service.name: edge-firewall
              name: connection.rejected
            key_by: [source.ip]
            params:
              field: destination.port
              max: 50
              window: 1m
              evidence: 2
            """;

    static Telemetry rejected(long ts, String ip, int port) {
        return Telemetry.event(ts, "edge-firewall", "connection.rejected")
                .attr("source.ip", ip)
                .attr("destination.ip", "10.0.0.5")
                .attr("destination.port", Integer.toString(port))
                .attr("network.transport", "tcp");
    }

    @Test
    void manyDistinctPortsFromOneAddressFireOnceAndResolve() throws Exception {
        try (var h = DetectorHarness.of(PORT_SCAN)) {
            for (int i = 0; i < 400; i++) { // 400 ports in 40 s, the watermark 5 s behind
                h.send(rejected(T0 + i * 100L, "198.51.100.23", 1000 + i));
                h.watermark(T0 + i * 100L - 5000L);
            }
            h.watermark(T0 + 60_000L);
            List<Alert> firing = h.firing();
            assertEquals(1, firing.size());
            Alert a = firing.get(0);
            assertEquals("198.51.100.23", a.keyFields.get("source.ip"));
            assertEquals(51.0, a.observed, "the capped set reports 'more than max' as max + 1");
            assertEquals(50.0, a.expected);
            assertEquals(">", a.comparison);
            assertEquals(T0 + 5_000L - 60_000L + 1, a.windowStart, "judged when the 51st port arrives");
            assertEquals(T0 + 5_001L, a.windowEnd);
            assertEquals(2, a.evidence.size());
            assertTrue(a.annotations.get("values").startsWith("1000, 1001"), a.annotations.get("values"));
            h.watermark(T0 + 200_000L);
            List<Alert> all = h.alerts();
            assertEquals(2, all.size());
            assertEquals(Alert.RESOLVED, all.get(1).status);
            assertEquals(a.id, all.get(1).incidentId);
            assertEquals(0, h.timers(), "a quiet key keeps no timers");
        }
    }

    @Test
    void repeatedValuesAndNormalTrafficDoNotFire() throws Exception {
        try (var h = DetectorHarness.of(PORT_SCAN)) {
            for (int i = 0; i < 1000; i++) {
                h.send(rejected(T0 + i * 50L, "10.1.2.3", 443 + i % 50)); // 50 ports, many times: not more than max
                h.send(rejected(T0 + i * 50L, "10.1.2.4", 22));
            }
            h.watermark(T0 + 300_000L);
            assertEquals(List.of(), h.alerts());
        }
    }

    @Test
    void valuesOutsideTheWindowDoNotCount() throws Exception {
        try (var h = DetectorHarness.of(PORT_SCAN)) {
            // 40 ports, then 40 other ports 2 minutes later: never more than 50 within one minute
            for (int i = 0; i < 40; i++) {
                h.send(rejected(T0 + i * 10L, "203.0.113.1", i));
                h.send(rejected(T0 + 120_000L + i * 10L, "203.0.113.1", 100 + i));
            }
            h.watermark(T0 + 400_000L);
            assertEquals(List.of(), h.alerts());
        }
    }

    @Test
    void outOfOrderRecordsCountLateOnesDoNot() throws Exception {
        try (var h = DetectorHarness.of(PORT_SCAN)) {
            for (int i = 50; i >= 0; i--) { // 51 ports arriving newest first, all ahead of the watermark
                h.send(rejected(T0 + i * 100L, "203.0.113.2", i));
            }
            h.watermark(T0 + 10_000L);
            assertEquals(1, h.firing().size());

            h.watermark(T0 + 1_000_000L);
            for (int i = 0; i < 60; i++) { // behind the watermark: late, not counted
                h.send(rejected(T0 + 500_000L + i, "203.0.113.3", i));
            }
            h.watermark(T0 + 2_000_000L);
            assertEquals(1, h.firing().size());
        }
    }

    @Test
    void stateStaysBoundedByMaxPlusOne() throws Exception {
        try (var h = DetectorHarness.of(PORT_SCAN.replace("window: 1m", "window: 1h"))) {
            for (int i = 0; i < 20_000; i++) {
                h.send(rejected(T0 + i, "198.51.100.99", i));
            }
            // entries: 51 values, size, incident-less samples (2) and their count, the rule version
            assertTrue(h.keyedStateEntries() <= 51 + 5, "keyed state entries: " + h.keyedStateEntries());
            h.watermark(T0 + 30_000L);
            assertEquals(1, h.firing().size());
        }
    }

    @Test
    void aBuildUpSurvivesSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        DetectorHarness restored;
        try (var h = DetectorHarness.of(PORT_SCAN)) {
            for (int i = 0; i < 30; i++) {
                h.send(rejected(T0 + i * 100L, "198.51.100.23", i));
            }
            h.watermark(T0 + 3_000L);
            snapshot = h.snapshot(1);
            restored = h.restore(snapshot);
        }
        try (var h = restored) {
            for (int i = 30; i < 60; i++) {
                h.send(rejected(T0 + i * 100L, "198.51.100.23", i));
            }
            h.watermark(T0 + 10_000L);
            assertEquals(1, h.firing().size(), "ports from before the restore count");
            assertEquals(51.0, h.firing().get(0).observed);
        }
    }

    @Test
    void passwordSprayingCountsDistinctUsersWithFailures() throws Exception {
        String spraying = """
                id: password-spraying
                name: Password spraying
                kind: cardinality
                match: {signal: log, event.category: authentication, event.outcome: failure}
                key_by: [source.ip]
                params: {field: user.name, max: 20, window: 10m}
                """;
        try (var h = DetectorHarness.of(spraying)) {
            for (int i = 0; i < 40; i++) {
                h.send(Telemetry.log(T0 + i * 7000L, "sshd", "INFO", "Failed password")
                        .attr("event.category", "authentication")
                        .attr("event.outcome", "failure")
                        .attr("source.ip", "192.0.2.77")
                        .attr("user.name", "user" + i));
            }
            for (int i = 0; i < 150; i++) { // brute force: many failures, two users
                h.send(Telemetry.log(T0 + i * 1000L, "sshd", "INFO", "Failed password")
                        .attr("event.category", "authentication")
                        .attr("event.outcome", "failure")
                        .attr("source.ip", "203.0.113.45")
                        .attr("user.name", i % 2 == 0 ? "root" : "admin"));
            }
            h.watermark(T0 + 3_600_000L);
            assertEquals(1, h.firing().size());
            assertEquals("192.0.2.77", h.firing().get(0).keyFields.get("source.ip"));
        }
    }

    @Test
    void parameterProblemsAreClear() {
        assertEquals(
                List.of(
                        "10:1: missing parameter 'max' (the number of distinct values that is still normal,"
                                + " e.g. max: 100)",
                        "10:1: missing parameter 'window' (a duration such as 5m)"),
                TestRules.problems(PORT_SCAN.replace("  max: 50\n", "").replace("  window: 1m\n", "")));
        assertEquals(
                List.of("12:3: max must be at least 1, not 0"),
                TestRules.problems(PORT_SCAN.replace("max: 50", "max: 0")));
        assertEquals(
                List.of("11:3: field 'source.ip' is also a key_by field, so it has one value per key (count"
                        + " the distinct values of another field)"),
                TestRules.problems(PORT_SCAN.replace("field: destination.port", "field: source.ip")));
        assertEquals(
                List.of(
                        "13:3: unknown parameter 'windw' for kind cardinality (did you mean 'window'?)",
                        "10:1: missing parameter 'window' (a duration such as 5m)"),
                TestRules.problems(PORT_SCAN.replace("window: 1m", "windw: 1m")));
    }
}
