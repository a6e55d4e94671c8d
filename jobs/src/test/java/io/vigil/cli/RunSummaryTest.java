package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The summary of a local run counts each input record once: a record that was decoded and then failed a rule's CEL
 * condition is telemetry that also became a {@code rule_error} dead letter, not a second record.
 */
class RunSummaryTest {
    @TempDir
    Path dir;

    @Test
    void aRuleErrorIsNotCountedTwiceInRecordsIn() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            lines.add(ReplayRun.logLine(ReplayRun.T0 + i * 1000L, "sshd", "INFO", "no user"));
        }
        lines.add("{\"signal\":\"log\",\"timestamp\":"); // truncated: a parse_error dead letter
        Path input = dir.resolve("recording.jsonl");
        Files.write(input, lines);
        // A missing map key is a CEL error, so each of the five records becomes a rule_error dead letter as well.
        Path rule = dir.resolve("root-login.yaml");
        Files.writeString(
                rule,
                String.join(
                        "\n",
                        "id: root-login",
                        "name: Root login",
                        "kind: frequency",
                        "match: {signal: log}",
                        "where: attributes['user.name'] == 'root'",
                        "params: {count: 1, window: 1m}",
                        ""));
        Path out = dir.resolve("out");

        String stdout = ReplayRun.replay(input, rule, out);

        List<String> dead = Files.readAllLines(out.resolve("dead-letters.jsonl"));
        assertEquals(
                5,
                dead.stream()
                        .filter(d -> d.contains("\"reason\":\"rule_error\""))
                        .count(),
                dead.toString());
        assertEquals(
                1,
                dead.stream()
                        .filter(d -> d.contains("\"reason\":\"parse_error\""))
                        .count(),
                dead.toString());
        assertTrue(stdout.contains("records in:    6 (5 telemetry, 1 dead letters)"), stdout);
        assertTrue(stdout.contains("rule_error") && stdout.contains("5"), stdout);
    }

    @Test
    void recordsInSubtractsRuleErrorsFromDeadLetters() {
        assertEquals(6, LocalRun.recordsIn(5, 6, 5));
        assertEquals(11, LocalRun.recordsIn(10, 1, 0));
    }

    @Test
    void theSummaryCountsInhibitedAndSilencedAlerts() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            lines.add(ReplayRun.logLine(ReplayRun.T0 + i * 120_000L, "sshd", "INFO", "login"));
        }
        Path input = dir.resolve("recording.jsonl");
        Files.write(input, lines);
        Path rules = Files.createDirectories(dir.resolve("rules"));
        // Three rules fire on every record: the first inhibits the second, a silence covers the third.
        for (String[] r :
                new String[][] {{"login-page", "critical"}, {"login-noise", "low"}, {"login-audit", "info"}}) {
            Files.writeString(
                    rules.resolve(r[0] + ".yaml"),
                    String.join(
                            "\n",
                            "id: " + r[0],
                            "name: " + r[0],
                            "kind: frequency",
                            "severity: " + r[1],
                            "match: {signal: log}",
                            "params: {count: 1, window: 1m}",
                            ""));
        }
        Files.writeString(
                rules.resolve("_inhibit.yaml"),
                String.join(
                        "\n",
                        "inhibit_rules:",
                        "  - name: page-inhibits-noise",
                        "    source_matchers: ['alertname=\"login-page\"']",
                        "    target_matchers: ['alertname=\"login-noise\"']",
                        "    equal: [service]",
                        ""));
        Path silences = dir.resolve("silences.yaml");
        Files.writeString(
                silences,
                String.join(
                        "\n",
                        "silences:",
                        "  - id: audit-quiet",
                        "    matchers: ['alertname=\"login-audit\"']",
                        "    starts_at: 2026-11-01T00:00:00Z",
                        "    ends_at: 2026-11-03T00:00:00Z",
                        ""));
        Path out = dir.resolve("out");

        String stdout = ReplayRun.replay(input, rules, out, "--silences", silences.toString());

        long inhibited = 0;
        long silenced = 0;
        long noise = 0;
        long audit = 0;
        for (String line : Files.readAllLines(out.resolve("alerts.jsonl"))) {
            if (!line.contains("\"status\":\"firing\"")) continue;
            if (line.contains("\"inhibited_by\"")) inhibited++;
            if (line.contains("\"silenced_by\"")) silenced++;
            if (line.contains("login-noise")) noise++;
            if (line.contains("login-audit")) audit++;
        }
        assertTrue(noise > 0 && audit > 0, stdout);
        assertEquals(noise, inhibited, "every firing login-noise alert is inhibited: " + stdout);
        assertEquals(audit, silenced, "every firing login-audit alert is silenced: " + stdout);
        assertTrue(stdout.contains("suppressed:    " + inhibited + " inhibited, " + silenced + " silenced"), stdout);
    }
}
