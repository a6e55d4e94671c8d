package io.vigil.detect.newterm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.DetectorHarness;
import io.vigil.detect.security.TestRules;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/** The new_term kind in the shared detector operator: learning, forgetting, the cap, order, restore. */
class NewTermDetectorTest {
    static final long T0 = 1_793_577_600_000L;
    static final long MIN = 60_000L;
    static final String NEW_COUNTRY = """
            id: ssh-new-country
            name: SSH login from a new country
            kind: new_term
            severity: medium
            match: {signal: log, service.name: sshd, event.action: ssh_login}
            key_by: [host.name]
            annotations:
              summary: "sshd on {{ host.name }}: first login attempt from {{ new_term.value }}"
            params:
              field: source.geo.country_iso_code
              learning: 1h
              forget_after: 1d
            """;

    static Telemetry login(long ts, String country) {
        return Telemetry.log(ts, "sshd", "INFO", "login")
                .res("host.name", "bastion-1")
                .attr("event.action", "ssh_login")
                .attr("source.geo.country_iso_code", country);
    }

    @Test
    void aCountryFirstSeenAfterLearningAlertsOnce() throws Exception {
        try (var h = DetectorHarness.of(NEW_COUNTRY)) {
            for (int i = 0; i < 240; i++) { // 4 h of US/DE, one login a minute
                h.send(login(T0 + i * MIN, i % 3 == 0 ? "DE" : "US"));
            }
            h.send(login(T0 + 245 * MIN, "CN"));
            h.send(login(T0 + 246 * MIN, "CN"));
            h.send(login(T0 + 247 * MIN, "US"));
            h.watermark(T0 + 250 * MIN);
            List<Alert> alerts = h.alerts();
            assertEquals(1, alerts.size());
            Alert a = alerts.get(0);
            assertEquals("sshd on bastion-1: first login attempt from CN", a.message);
            assertEquals("CN", a.labels.get("new_term.value"));
            assertEquals(T0 + 245 * MIN, a.windowStart);
            assertEquals(2.0, a.observed, "two countries were known");
            assertEquals(1, a.evidence.size());
        }
    }

    @Test
    void termsSeenDuringLearningDoNotAlert() throws Exception {
        try (var h = DetectorHarness.of(NEW_COUNTRY)) {
            h.send(login(T0, "US"));
            h.send(login(T0 + 30 * MIN, "FR")); // learning
            h.send(login(T0 + 59 * MIN, "JP")); // learning
            h.send(login(T0 + 61 * MIN, "FR")); // known
            h.send(login(T0 + 62 * MIN, "BR")); // new
            h.watermark(T0 + 100 * MIN);
            assertEquals(1, h.alerts().size());
            assertEquals("BR", h.alerts().get(0).labels.get("new_term.value"));
        }
    }

    @Test
    void twoNewTermsAtTheSameInstantGetTheirOwnIds() throws Exception {
        try (var h = DetectorHarness.of(NEW_COUNTRY.replace("learning: 1h", "learning: 1m"))) {
            h.send(login(T0, "US"));
            h.send(login(T0 + 10 * MIN, "CN"));
            h.send(login(T0 + 10 * MIN, "RU"));
            assertEquals(2, h.alerts().size());
            assertNotEquals(h.alerts().get(0).id, h.alerts().get(1).id);
        }
    }

    @Test
    void termsNotSeenForForgetAfterAreForgottenAndAQuietKeyIsCleared() throws Exception {
        try (var h = DetectorHarness.of(NEW_COUNTRY)) {
            h.send(login(T0, "US"));
            h.send(login(T0 + 2 * 60 * MIN, "DE")); // after learning: DE is new
            h.send(login(T0 + 20 * 60 * MIN, "DE"));
            h.watermark(T0 + 30 * 60 * MIN); // US last seen 30h ago: forgotten; DE kept
            h.send(login(T0 + 30 * 60 * MIN + 1, "US"));
            assertEquals(
                    List.of("DE", "US"),
                    h.alerts().stream().map(a -> a.labels.get("new_term.value")).toList());
            h.watermark(T0 + 100 * 60 * MIN); // quiet for more than a day: everything goes, timers too
            assertEquals(0, h.timers());
            assertEquals(0, h.keyedStateEntries(), "nothing remains of a quiet key");
            h.send(login(T0 + 100 * 60 * MIN + 1, "CN")); // learning again: no alert
            assertEquals(2, h.alerts().size());
        }
    }

    @Test
    void theTermSetIsCapped() throws Exception {
        try (var h = DetectorHarness.of(NEW_COUNTRY.replace("forget_after: 1d", "forget_after: 1d\n  max_terms: 3"))) {
            h.send(login(T0, "A1"));
            h.send(login(T0 + 1, "A2"));
            h.send(login(T0 + 2, "A3"));
            h.send(login(T0 + 61 * MIN, "A4")); // new; A1 (least recent) makes room
            h.send(login(T0 + 62 * MIN, "A2")); // still known
            h.send(login(T0 + 63 * MIN, "A1")); // forgotten by the cap: new again
            assertEquals(
                    List.of("A4", "A1"),
                    h.alerts().stream().map(a -> a.labels.get("new_term.value")).toList());
            assertTrue(h.keyedStateEntries() <= 3 + 4, "entries: " + h.keyedStateEntries());
        }
    }

    @Test
    void compositeTermsAndLateRecords() throws Exception {
        String rule = """
                id: new-process
                name: New process on a host
                kind: new_term
                match: {signal: event, name: process.start}
                key_by: [host.name]
                params: {fields: [process.name, user.name], learning: 10m}
                """;
        try (var h = DetectorHarness.of(rule)) {
            h.send(Telemetry.event(T0, "os", "process.start")
                    .res("host.name", "h1")
                    .attr("process.name", "nginx")
                    .attr("user.name", "www"));
            h.watermark(T0 + 60 * MIN);
            // behind the watermark, still judged: a new process is news whenever it arrives
            h.send(Telemetry.event(T0 + 30 * MIN, "os", "process.start")
                    .res("host.name", "h1")
                    .attr("process.name", "nginx")
                    .attr("user.name", "root"));
            h.send(Telemetry.event(T0 + 31 * MIN, "os", "process.start")
                    .res("host.name", "h1")
                    .attr("process.name", "nginx")); // no user.name: says nothing
            assertEquals(1, h.alerts().size());
            assertEquals("nginx/root", h.alerts().get(0).labels.get("new_term.value"));
        }
    }

    @Test
    void learntTermsSurviveSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        DetectorHarness restored;
        try (var h = DetectorHarness.of(NEW_COUNTRY)) {
            h.send(login(T0, "US"));
            h.send(login(T0 + MIN, "DE"));
            h.watermark(T0 + MIN);
            snapshot = h.snapshot(1);
            restored = h.restore(snapshot);
        }
        try (var h = restored) {
            h.send(login(T0 + 120 * MIN, "DE"));
            h.send(login(T0 + 121 * MIN, "CN"));
            assertEquals(1, h.alerts().size());
            assertEquals("CN", h.alerts().get(0).labels.get("new_term.value"));
            h.watermark(T0 + 10 * 24 * 60 * MIN);
            assertEquals(0, h.timers(), "the sweep timer was restored and cleaned up");
        }
    }

    @Test
    void parameterProblemsAreClear() {
        assertEquals(
                List.of("9:1: missing parameter 'field' (the field whose new values matter, e.g. field:"
                        + " source.geo.country_iso_code)"),
                TestRules.problems(NEW_COUNTRY.replace("  field: source.geo.country_iso_code\n", "")));
        assertEquals(
                List.of("12:3: forget_after must not be shorter than learning (terms learnt would be forgotten"
                        + " before learning ends)"),
                TestRules.problems(NEW_COUNTRY.replace("forget_after: 1d", "forget_after: 30m")));
        assertEquals(
                List.of("10:3: field 'host.name' is also a key_by field, so it never changes within a key"),
                TestRules.problems(NEW_COUNTRY.replace("field: source.geo.country_iso_code", "field: host.name")));
        assertEquals(
                List.of("11:3: bad duration '1 hour'; expected e.g. 30s, 5m, 1h30m, 3d"),
                TestRules.problems(NEW_COUNTRY.replace("learning: 1h", "learning: 1 hour")));
    }
}
