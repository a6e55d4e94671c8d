package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's alerts and incidents are pinned (one demo run for both: it takes minutes on a busy machine). The alerts: every alert's id, status, rule, key, window, values, severity and message must stay as
 * recorded in {@code golden/demo-alerts.tsv}. Changes to the hot path (routing, keying, serialization) must not change
 * a single alert. Evidence is left out: which sample records an alert carries may depend on the order in which parallel
 * instances hand them over.
 *
 * <p>The incidents: each incident's latest revision (id, status, severity, group, times, member count, rules and
 * suspected cause) must stay as recorded in {@code golden/demo-incidents.tsv}; its sampled error logs and trace ids are
 * left out of the file for the same reason as evidence, and only checked to be there.
 *
 * <p>When a change is meant to alter alerts or incidents, regenerate the files with
 * {@code -Dvigil.golden.update=true} and review their diff.
 */
class DemoGoldenTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden/demo-alerts.tsv");
    private static final Path GOLDEN_INCIDENTS = Path.of("src/test/resources/golden/demo-incidents.tsv");

    @TempDir
    static Path dir;

    static Path out;

    @BeforeAll
    static void runTheDemo() {
        out = dir.resolve("out");
        int exit = VigilCli.commandLine()
                .execute(
                        "demo",
                        "--quiet",
                        "--no-privacy",
                        "--rules",
                        RulesCommandTest.rules().toString(),
                        "--out",
                        out.toString());
        assertEquals(0, exit);
    }

    @Test
    void theDemoRaisesExactlyThePinnedAlerts() throws Exception {
        List<String> rows = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(out.resolve("alerts.jsonl"))) {
            rows.add(row(json.readTree(line)));
        }
        rows.sort(null);
        String actual = String.join("\n", rows) + "\n";
        if (Boolean.getBoolean("vigil.golden.update")) {
            Files.writeString(GOLDEN, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(GOLDEN, StandardCharsets.UTF_8), actual);
    }

    @Test
    void theDemoGroupsItsAlertsIntoThePinnedIncidents() throws Exception {
        Map<String, JsonNode> latest = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(out.resolve("incidents.jsonl"))) {
            JsonNode i = json.readTree(line).path("incident");
            JsonNode seen = latest.get(i.path("id").asText());
            if (seen == null
                    || seen.path("revision").asLong() < i.path("revision").asLong()) {
                latest.put(i.path("id").asText(), i);
            }
        }
        List<String> rows = new ArrayList<>();
        for (JsonNode i : latest.values()) {
            rows.add(incidentRow(i));
        }
        rows.sort(null);
        String actual = String.join("\n", rows) + "\n";
        if (Boolean.getBoolean("vigil.golden.update")) {
            Files.writeString(GOLDEN_INCIDENTS, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(GOLDEN_INCIDENTS, StandardCharsets.UTF_8), actual);

        // The six scripted incidents, the checkout release and its latency regression being one.
        assertEquals(6, latest.size(), () -> "incidents: " + rows);
        JsonNode checkout = latest.values().stream()
                .filter(i -> i.path("group").path("value").asText().equals("checkout"))
                .findFirst()
                .orElseThrow();
        assertTrue(
                checkout.path("suspected_cause").path("message").asText().contains("1.8.0 to 1.9.0"),
                () -> "checkout's suspected cause: " + checkout.path("suspected_cause"));
        JsonNode payments = latest.values().stream()
                .filter(i -> i.path("group").path("value").asText().equals("payments"))
                .findFirst()
                .orElseThrow();
        assertFalse(payments.path("error_logs").isEmpty(), "payments' incident samples its error logs");
        assertFalse(payments.path("trace_ids").isEmpty(), "payments' incident names failed traces");
        for (JsonNode log : payments.path("error_logs")) {
            assertTrue(
                    payments.path("trace_ids")
                                    .toString()
                                    .contains(log.path("trace_id").asText("none"))
                            || payments.path("trace_ids").size() == 20,
                    () -> "an error log's trace is among the incident's trace ids (or they are full): " + log);
        }
    }

    private static String incidentRow(JsonNode i) {
        List<String> ruleIds = new ArrayList<>();
        i.path("rule_ids").forEach(r -> ruleIds.add(r.asText()));
        ruleIds.sort(null);
        return String.join(
                "\t",
                i.path("id").asText(),
                i.path("status").asText(),
                i.path("severity").asText(),
                i.path("group").path("field").asText() + "="
                        + i.path("group").path("value").asText(),
                i.path("first_seen").asText(),
                i.path("last_seen").asText(),
                i.path("resolved_at").asText("-"),
                i.path("alert_count").asText(),
                String.join(",", ruleIds),
                i.path("suspected_cause").path("alert_id").asText("-"));
    }

    private static String row(JsonNode a) {
        JsonNode v = a.path("vigil");
        return String.join(
                "\t",
                a.path("event").path("id").asText(),
                v.path("status").asText(),
                a.path("rule").path("id").asText(),
                v.path("key").asText().replace('\u001f', '|'),
                v.path("window_start").asText(),
                v.path("window_end").asText(),
                v.path("observed").asText(),
                v.path("expected").asText(),
                v.path("severity").asText(),
                a.path("message").asText());
    }
}
