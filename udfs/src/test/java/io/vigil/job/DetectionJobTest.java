package io.vigil.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.generator.GeneratorSource;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.generator.TelemetryGenerator.Incident;
import io.vigil.model.Alert;
import io.vigil.rules.RuleUpdate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on the demo's generated day with the repository's starter rules: each scripted incident that a
 * threshold or frequency rule can see raises its alert, the quiet services raise none, and the generator's broken
 * records end as dead letters with their reasons. Runs with generic types disabled.
 */
class DetectionJobTest {
    static final Path RULES = Path.of("..", "rules");
    static JobRun run;
    static long start;

    @BeforeAll
    static void runDemoDay(@TempDir Path out) throws Exception {
        TelemetryGenerator generator = TelemetryGenerator.defaults();
        start = generator.startMs();
        run = JobRun.run(new GeneratorSource(generator), RuleSource.directory(RULES), out);
    }

    @Test
    void latencyRegressionOnCheckoutAlerts() {
        Alert a = only("service-latency-p95", "checkout");
        assertWithin(a, Incident.CHECKOUT_LATENCY);
        assertTrue(a.observed > 500, "p95 above the bound: " + a.observed);
        assertEquals(500, a.expected, 1e-9);
        assertFalse(a.evidence.isEmpty(), "evidence kept");
        assertTrue(resolvedFor(a), "the incident resolves after the rollback");
    }

    @Test
    void errorBurstOnPaymentsAlerts() {
        Alert a = only("service-error-burst", "payments");
        assertWithin(a, Incident.PAYMENTS_ERRORS);
        assertTrue(a.observed >= 20, "at least 20 errors: " + a.observed);
        assertTrue(resolvedFor(a));
    }

    @Test
    void quietServicesAndQuietTimesRaiseNothing() {
        for (Alert a : run.firing()) {
            boolean explained = false;
            for (Incident i : Incident.values()) {
                boolean who =
                        i.service.equals(a.service) || i.sourceIp != null && a.keyFields.containsValue(i.sourceIp);
                if (who
                        && a.eventTime
                                >= start + i.fromMs - Duration.ofMinutes(10).toMillis()
                        && a.eventTime
                                <= start + i.toMs + Duration.ofMinutes(20).toMillis()) {
                    explained = true;
                }
            }
            assertTrue(explained, "alert outside every scripted incident: " + a);
        }
    }

    @Test
    void brokenRecordsEndAsDeadLettersWithReasons() {
        Map<String, Long> reasons = run.deadLetters.stream()
                .collect(Collectors.groupingBy(d -> d.get("reason").asText(), Collectors.counting()));
        assertEquals(Map.of("parse_error", 1L, "invalid_type", 1L, "missing_field", 1L), reasons);
        for (JsonNode d : run.deadLetters) {
            assertTrue(d.get("origin").asText().startsWith("generator:"), d.toString());
            assertFalse(d.get("raw_base64").asText().isEmpty(), "raw bytes kept: " + d);
            assertFalse(d.get("detail").asText().isEmpty());
        }
    }

    @Test
    void alertIdsAreUniqueAndCarryEcsEssentials() {
        List<String> ids = run.alerts.stream().map(a -> a.id).toList();
        assertEquals(ids.size(), ids.stream().distinct().count(), "no duplicate alert ids: " + ids);
        for (Alert a : run.alerts) {
            assertTrue(a.id.startsWith(a.ruleId + "-"), a.id);
            assertFalse(a.ruleName.contains("{{"), "name rendered: " + a.ruleName);
            assertTrue(a.processingTime > 0);
        }
    }

    /**
     * With rules that can change while the job runs, the router's and the detectors' broadcast input is the update
     * stream instead of one derived from the telemetry; an update that changes nothing (the deletion of a rule the job
     * does not have) leaves every alert as it was.
     */
    @Test
    void withARuleUpdateStreamTheSameAlerts(@TempDir Path out) throws Exception {
        RuleSource updatable = RuleSource.directory(RULES)
                .withUpdates(env -> env.fromData(
                        List.of(RuleUpdate.deletion("no-such-rule")), TypeInformation.of(RuleUpdate.class)));
        JobRun withUpdates = JobRun.run(new GeneratorSource(TelemetryGenerator.defaults()), updatable, out);
        assertEquals(ids(run), ids(withUpdates));
        assertEquals(run.deadLetters.size(), withUpdates.deadLetters.size());
    }

    private static List<String> ids(JobRun r) {
        return r.alerts.stream().map(a -> a.id + " " + a.status).sorted().toList();
    }

    private static Alert only(String rule, String service) {
        List<Alert> found = run.firing().stream()
                .filter(a -> a.ruleId.equals(rule) && service.equals(a.keyFields.get("service.name")))
                .toList();
        assertEquals(
                1,
                found.size(),
                "one firing " + rule + " alert for " + service + ", got " + found + "; all alerts: " + run.alerts);
        return found.get(0);
    }

    private static void assertWithin(Alert a, Incident i) {
        assertTrue(
                a.eventTime >= start + i.fromMs && a.eventTime <= start + i.toMs,
                a + " should fire during " + i + " [" + i.fromMs + ", " + i.toMs + ") after start");
    }

    private static boolean resolvedFor(Alert firing) {
        return run.alerts.stream()
                .anyMatch(a -> Alert.RESOLVED.equals(a.status) && a.incidentId.equals(firing.incidentId));
    }
}
