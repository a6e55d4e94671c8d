package io.vigil.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.generator.GeneratorSource;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.generator.TelemetryGenerator.Incident;
import io.vigil.model.Alert;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job (MiniCluster, generic types off) on the demo's generated day with rules/security: one alert per
 * scripted security incident and rule, none for the normal sshd and firewall traffic.
 */
class SecurityDetectionJobTest {
    static final Path RULES = Path.of("..", "rules", "security");
    static JobRun run;
    static long start;

    @BeforeAll
    static void runDemoDay(@TempDir Path out) throws Exception {
        TelemetryGenerator generator = TelemetryGenerator.defaults();
        start = generator.startMs();
        run = JobRun.run(new GeneratorSource(generator), RuleSource.directory(RULES), out);
    }

    @Test
    void bruteForceThatSucceededAlertsOnceWithItsEvidence() {
        Alert a = only("ssh-brute-force", Incident.SSH_BRUTE_FORCE);
        assertTrue(a.observed > 100, "the burst's failures and the success: " + a.observed);
        assertEquals("sequence", a.kind);
        assertEquals(6, a.evidence.size(), "5 failures and the success");
        assertTrue(a.evidence.get(5).contains("Accepted password for admin"), a.evidence.get(5));
        assertEquals("SSH brute force from 203.0.113.45 succeeded", a.ruleName);
    }

    @Test
    void portScanAlertsOnce() {
        Alert a = only("port-scan", Incident.PORT_SCAN);
        assertEquals(51.0, a.observed);
        assertTrue(a.annotations.get("values").startsWith("1"), a.annotations.toString());
    }

    @Test
    void passwordSprayingAlertsOnce() {
        only("password-spraying", Incident.PASSWORD_SPRAYING);
    }

    @Test
    void denyListAlertsOnceForTheListedAddress() {
        only("denied-source-login", Incident.SSH_BRUTE_FORCE);
    }

    @Test
    void newCountriesAlertOnceEachWhenTheAttacksBegin() {
        List<Alert> found = firing("ssh-new-country");
        assertEquals(
                List.of("CN", "NL"),
                found.stream().map(a -> a.labels.get("new_term.value")).toList(),
                "CN with the brute force, NL with the spraying; US and DE are the staff's: " + found);
        assertWithin(found.get(0), Incident.SSH_BRUTE_FORCE);
        assertWithin(found.get(1), Incident.PASSWORD_SPRAYING);
        assertEquals("First SSH login attempt from CN on bastion-1", found.get(0).message);
    }

    @Test
    void normalTrafficRaisesNothing() {
        for (Alert a : run.firing()) {
            boolean explained = false;
            for (Incident i : Incident.values()) {
                boolean who =
                        i.service.equals(a.service) || i.sourceIp != null && a.keyFields.containsValue(i.sourceIp);
                if (who
                        && a.eventTime >= start + i.fromMs
                        && a.eventTime <= start + i.toMs + Duration.ofMinutes(5).toMillis()) {
                    explained = true;
                }
            }
            assertTrue(explained, "alert outside every scripted incident: " + a);
            assertFalse(String.valueOf(a.keyFields.get("source.ip")).startsWith("10."), "staff address: " + a);
        }
        // 6 from the original pack, plus ssh-failed-login-burst for the brute-force and spraying addresses and
        // ssh-failed-login-user for the two accounts the brute force guessed (root, admin): all within the incidents.
        assertEquals(10, run.firing().size(), "all alerts: " + run.alerts);
    }

    private static List<Alert> firing(String rule) {
        return run.firing().stream().filter(a -> a.ruleId.equals(rule)).toList();
    }

    private static Alert only(String rule, Incident incident) {
        List<Alert> found = firing(rule);
        assertEquals(1, found.size(), "one " + rule + " alert, got " + found);
        Alert a = found.get(0);
        assertEquals(incident.sourceIp, a.keyFields.get("source.ip"));
        assertWithin(a, incident);
        return a;
    }

    private static void assertWithin(Alert a, Incident i) {
        assertTrue(a.eventTime >= start + i.fromMs && a.eventTime <= start + i.toMs, a + " should fire during " + i);
    }
}
