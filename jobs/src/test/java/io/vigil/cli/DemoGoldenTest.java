package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's alerts are pinned: every alert's id, status, rule, key, window, values, severity and message must stay as
 * recorded in {@code golden/demo-alerts.tsv}. Changes to the hot path (routing, keying, serialization) must not change
 * a single alert. Evidence is left out: which sample records an alert carries may depend on the order in which parallel
 * instances hand them over.
 *
 * <p>When a change is meant to alter alerts, regenerate the file with {@code -Dvigil.golden.update=true} and review its
 * diff.
 */
class DemoGoldenTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden/demo-alerts.tsv");

    @TempDir
    Path dir;

    @Test
    void theDemoRaisesExactlyThePinnedAlerts() throws Exception {
        Path out = dir.resolve("out");
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
