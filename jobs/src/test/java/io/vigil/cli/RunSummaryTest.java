package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
        long t0 = 1_793_588_400_000L; // 2026-11-02T03:00:00Z
        for (int i = 0; i < 5; i++) {
            lines.add("{\"signal\":\"log\",\"timestamp\":" + (t0 + i * 1000L)
                    + ",\"resource\":{\"service.name\":\"sshd\"},\"severity\":\"INFO\",\"body\":\"no user\"}");
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

        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = VigilCli.commandLine()
                    .execute(
                            "replay",
                            "--quiet",
                            "--input",
                            input.toString(),
                            "--format",
                            "json",
                            "--rules",
                            rule.toString(),
                            "--out",
                            out.toString());
        } finally {
            System.setOut(original);
        }
        String stdout = captured.toString(StandardCharsets.UTF_8);

        assertEquals(0, exit, stdout);
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
}
