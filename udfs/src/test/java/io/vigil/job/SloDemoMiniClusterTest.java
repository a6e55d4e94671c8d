package io.vigil.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.generator.GeneratorSource;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.generator.TelemetryGenerator.Incident;
import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole detection job in a local MiniCluster over the demo's six generated hours, with the starter rules of the
 * slo, percentage_match, spike, flatline and change kinds: the scripted checkout latency regression and payments error
 * burst page through their SLOs at the times the burn-rate arithmetic predicts, resolve after recovery, and the quiet
 * services raise nothing.
 */
class SloDemoMiniClusterTest {
    static final List<String> RULE_FILES = List.of("slo", "spike", "flatline", "change", "errors/error-ratio.yaml");
    static final Set<String> QUIET = Set.of("frontend", "cart", "search", "auth");
    static final long MIN = 60_000;

    static List<Alert> alerts = new ArrayList<>();
    static List<Rollup> rollups = new ArrayList<>();
    static long start;

    @BeforeAll
    static void runTheDemo() throws Exception {
        Path rules = Path.of("..", "rules");
        assertTrue(Files.isDirectory(rules), "rules/ next to the udfs module");
        Path[] paths = RULE_FILES.stream().map(rules::resolve).toArray(Path[]::new);
        TelemetryGenerator generator = TelemetryGenerator.defaults();
        start = generator.startMs();

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        DetectionConfig config = new DetectionConfig();
        // A watermark after every record, not every 200 ms of wall-clock time: the same alerts on any machine.
        config.watermarkEveryRecord = true;
        DetectionJob.Streams streams = new DetectionJob(
                        config, new GeneratorSource(generator), RuleSource.directory(paths), DetectionJob.Sinks.none())
                .build(env);
        CloseableIterator<Alert> a = streams.alerts().collectAsync();
        CloseableIterator<Rollup> r = streams.rollups().collectAsync();
        env.execute("slo-demo-test");
        try {
            a.forEachRemaining(alerts::add);
            r.forEachRemaining(rollups::add);
        } finally {
            a.close();
            r.close();
        }
        // What the run raised, for people reading the test's output (target/ is not committed).
        Files.writeString(Path.of("target", "slo-demo-alerts.txt"), describe(alerts) + "\n");
    }

    static List<Alert> of(String ruleId, String service) {
        List<Alert> out = new ArrayList<>();
        for (Alert x : alerts) {
            if (x.ruleId.equals(ruleId) && service.equals(x.service)) {
                out.add(x);
            }
        }
        return out;
    }

    static long offset(long t) {
        return t - start;
    }

    static String describe(List<Alert> list) {
        StringBuilder b = new StringBuilder();
        for (Alert x : list) {
            b.append('\n')
                    .append(x.ruleId)
                    .append(' ')
                    .append(x.service)
                    .append(' ')
                    .append(x.status)
                    .append(' ')
                    .append(x.labels.getOrDefault("slo.alert", ""))
                    .append(" at +")
                    .append(offset(x.windowEnd) / (double) MIN)
                    .append("min observed ")
                    .append(x.observed);
        }
        return b.toString();
    }

    @Test
    void checkoutLatencySloPagesDuringTheRegressionAndResolvesAfterTheRollback() {
        List<Alert> page = of("slo-checkout-latency", "checkout");
        assertEquals(2, page.size(), describe(alerts));
        Alert fired = page.get(0);
        assertEquals(Alert.FIRING, fired.status);
        assertEquals("page", fired.labels.get("slo.alert"));
        long from = Incident.CHECKOUT_LATENCY.fromMs;
        // ~45% of requests slow against a 0.5% budget: 14.4x over 1h after about 10 minutes.
        assertTrue(
                offset(fired.windowEnd) > from + 5 * MIN && offset(fired.windowEnd) <= from + 15 * MIN, describe(page));
        Alert resolved = page.get(1);
        assertEquals(Alert.RESOLVED, resolved.status);
        long to = Incident.CHECKOUT_LATENCY.toMs;
        assertTrue(offset(resolved.windowEnd) > to && offset(resolved.windowEnd) <= to + 31 * MIN, describe(page));
    }

    @Test
    void paymentsAvailabilitySloPagesForTheErrorBurstAndResolves() {
        List<Alert> page = of("slo-payments-availability", "payments");
        assertEquals(2, page.size(), describe(alerts));
        long from = Incident.PAYMENTS_ERRORS.fromMs;
        long to = Incident.PAYMENTS_ERRORS.toMs;
        assertTrue(offset(page.get(0).windowEnd) > from && offset(page.get(0).windowEnd) <= to + MIN, describe(page));
        assertEquals(Alert.RESOLVED, page.get(1).status);
        assertTrue(
                offset(page.get(1).windowEnd) > to && offset(page.get(1).windowEnd) <= to + 31 * MIN, describe(page));
    }

    @Test
    void theErrorRatioRuleCatchesThePaymentsBurst() {
        List<Alert> ratio = of("service-error-ratio", "payments");
        assertFalse(ratio.isEmpty(), describe(alerts));
        long fired = offset(ratio.get(0).windowEnd);
        assertTrue(
                fired > Incident.PAYMENTS_ERRORS.fromMs && fired <= Incident.PAYMENTS_ERRORS.toMs + 2 * MIN,
                describe(ratio));
    }

    @Test
    void theCheckoutReleaseAndRollbackShowAsVersionChanges() {
        List<Alert> changes = of("service-version-change", "checkout");
        assertEquals(2, changes.size(), describe(changes));
        assertEquals("1.9.0", changes.get(0).annotations.get("current"));
        assertEquals("1.8.1", changes.get(1).annotations.get("current"));
    }

    @Test
    void quietServicesRaiseNothing() {
        List<Alert> noisy = new ArrayList<>();
        for (Alert x : alerts) {
            if (QUIET.contains(x.service)) {
                noisy.add(x);
            }
        }
        assertTrue(noisy.isEmpty(), "alerts for quiet services:" + describe(noisy));
    }

    @Test
    void burnRatesAndBudgetsArePublishedForEveryService() {
        Set<String> services = new java.util.TreeSet<>();
        double paymentsBudget = Double.NaN;
        for (Rollup r : rollups) {
            if (r.metric.equals("slo_burn_rate") && "slo-service-availability".equals(r.labels.get("slo"))) {
                services.add(r.service);
            }
            if (r.metric.equals("slo_error_budget_remaining")
                    && "slo-payments-availability".equals(r.labels.get("slo"))) {
                paymentsBudget = r.value;
            }
        }
        assertEquals(Set.of("frontend", "checkout", "cart", "payments", "search", "auth"), services);
        assertTrue(paymentsBudget < 0.5, "the burst spent most of what six hours of traffic earned: " + paymentsBudget);
    }
}
