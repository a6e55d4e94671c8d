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

/** {@code vigil replay} end to end on a small recording: alerts and dead letters land in the output folder. */
class ReplayCommandTest {
    static final Path RULES = RulesCommandTest.rules();

    @TempDir
    Path dir;

    @Test
    void replaysARecordingIntoJsonLines() throws Exception {
        List<String> lines = new ArrayList<>();
        long t0 = 1_793_588_400_000L; // 2026-11-02T03:00:00Z
        for (int i = 0; i < 25; i++) {
            lines.add("{\"signal\":\"log\",\"timestamp\":" + (t0 + i * 1000L) + ",\"resource\":{\"service.name\":"
                    + "\"payments\"},\"severity\":\"ERROR\",\"body\":\"upstream timeout\"}");
        }
        lines.add(12, "{\"signal\":\"log\",\"timestamp\":");
        lines.add("{\"signal\":\"log\",\"timestamp\":" + (t0 + 900_000L) + ",\"resource\":{\"service.name\":"
                + "\"payments\"},\"severity\":\"INFO\",\"body\":\"later\"}");
        Path input = dir.resolve("recording.jsonl");
        Files.write(input, lines);
        Path out = dir.resolve("out");

        ReplayRun.replay(input, RULES.resolve("errors/error-burst.yaml"), out);

        String alerts = Files.readString(out.resolve("alerts.jsonl"));
        assertTrue(alerts.contains("\"id\":\"service-error-burst\""), alerts);
        assertTrue(alerts.contains("\"name\":\"payments\""), alerts);
        List<String> dead = Files.readAllLines(out.resolve("dead-letters.jsonl"));
        assertEquals(1, dead.size(), dead.toString());
        assertTrue(dead.get(0).contains("\"origin\":\"file:" + input.toAbsolutePath() + ":13\""), dead.get(0));
        assertTrue(dead.get(0).contains("\"reason\":\"parse_error\""), dead.get(0));
    }

    @Test
    void aWrongFormatSaysWhatWouldBeRight() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = VigilCli.commandLine()
                .setErr(new java.io.PrintWriter(new PrintStream(err), true))
                .execute("replay", "--input", dir.toString(), "--format", "xml");
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, e);
        assertTrue(e.contains("--format") && e.contains("json") && e.contains("otlp-proto"), e);
    }

    @Test
    void aWrongUntilSaysWhatWouldBeRight() throws Exception {
        Path input = dir.resolve("recording.jsonl");
        Files.writeString(input, "");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = VigilCli.commandLine()
                .setErr(new java.io.PrintWriter(new PrintStream(err), true))
                .execute("replay", "--input", input.toString(), "--until", "tomorrow");
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, e);
        assertTrue(e.contains("--until: expected an ISO-8601 instant such as 2026-11-02T01:00:00Z, not 'tomorrow'"), e);
    }

    @Test
    void aWrongTlsFileForTheSearchSinkIsNamedBeforeAnythingRuns() throws Exception {
        Path input = dir.resolve("recording.jsonl");
        Files.writeString(input, "{\"signal\":\"log\",\"timestamp\":1793588400000,\"body\":\"x\"}\n");
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, "not a certificate\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = VigilCli.commandLine()
                .setErr(new java.io.PrintWriter(new PrintStream(err), true))
                .execute(
                        "replay",
                        "--quiet",
                        "--input",
                        input.toString(),
                        "--format",
                        "json",
                        "--rules",
                        RULES.resolve("errors/error-burst.yaml").toString(),
                        "--out",
                        dir.resolve("out").toString(),
                        "--search-url",
                        "https://127.0.0.1:9",
                        "--search-ca-cert",
                        ca.toString());
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, e);
        assertTrue(e.contains("search-ca-cert '" + ca + "' is not a PEM certificate file"), e);
    }
}
