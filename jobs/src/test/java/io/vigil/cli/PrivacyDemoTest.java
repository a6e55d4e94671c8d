package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The starter privacy policy end to end: a user name, an email address, a card number and a bearer token go through
 * the job with the starter rules (an SSH password-guessing alert keyed by the user name, its evidence, rollups, and a
 * dead letter holding the same values) and none of them appears in the clear in any output file; the hash key appears
 * in no output and nowhere on the console.
 */
class PrivacyDemoTest {
    static final String USER = "mallory.k";
    static final String EMAIL = "mallory.k@example.com";
    static final String CARD = "4111 1111 1111 1111";
    static final String TOKEN = "abcDEF123456ghiJKL";
    static final String CLIENT = "203.0.113.9";

    @TempDir
    Path dir;

    @Test
    void noRawValueLeavesTheJobAndTheKeyIsNeverPrinted() throws Exception {
        List<String> lines = new ArrayList<>();
        long t0 = ReplayRun.T0;
        String body = "Failed password for " + USER + " from " + CLIENT + " port 22 ssh2; contact " + EMAIL + " card "
                + CARD + " Authorization: Bearer " + TOKEN;
        for (int i = 0; i < 25; i++) {
            lines.add("{\"signal\":\"log\",\"timestamp\":" + (t0 + i * 1000L)
                    + ",\"resource\":{\"service.name\":\"sshd\",\"host.name\":\"bastion\"},\"severity\":\"WARN\","
                    + "\"body\":\"" + body + "\",\"attributes\":{\"event.action\":\"ssh_login\","
                    + "\"event.outcome\":\"failure\",\"user.name\":\"" + USER + "\",\"source.ip\":\"" + CLIENT
                    + "\"}}");
        }
        // the same values in a record that cannot be used: its bytes go to the dead letters
        lines.add("{\"signal\":\"log\",\"timestamp\":\"yesterday\",\"body\":\"" + body
                + "\",\"attributes\":{\"user.name\":\"" + USER + "\"}}");
        lines.add(ReplayRun.logLine(t0 + 3_600_000L, "sshd", "INFO", "later"));
        // the starter policy and the rule that keys on the user name, as a rules folder of their own (the whole
        // starter set takes a minute here for nothing more)
        Path rules = Files.createDirectories(dir.resolve("rules"));
        Files.copy(RulesCommandTest.rules().resolve("_privacy.yaml"), rules.resolve("_privacy.yaml"));
        Files.copy(
                RulesCommandTest.rules().resolve("security/ssh-failed-login-user.yaml"),
                rules.resolve("ssh-failed-login-user.yaml"));
        Path input = dir.resolve("recording.jsonl");
        Files.write(input, lines);
        // the demo's key goes to .vigil/ in the Vigil folder: here a folder of this test's own
        Path key = dir.resolve("home/.vigil/privacy.key");
        String home = System.getProperty("vigil.home");
        System.setProperty("vigil.home", dir.resolve("home").toString());
        Path out = dir.resolve("out");

        String printed;
        try {
            printed = ReplayRun.replay(input, rules, out);
        } finally {
            if (home == null) {
                System.clearProperty("vigil.home");
            } else {
                System.setProperty("vigil.home", home);
            }
        }

        // the key was generated owner-only, and is not printed
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        String secret = Files.readString(key).strip();
        assertTrue(secret.length() >= 32, "a generated key of 32 bytes, hex");
        assertFalse(printed.contains(secret), "the hash key was printed");

        String alerts = Files.readString(out.resolve("alerts.jsonl"));
        assertTrue(alerts.contains("\"id\":\"ssh-failed-login-user\""), alerts);
        assertTrue(alerts.contains("\"evidence\""), alerts);
        assertTrue(alerts.contains("h:"), "the user name as its pseudonym: " + alerts);
        // the evidence carried the log body, with each secret replaced by its placeholder
        for (String placeholder : List.of("<email>", "<card>", "<token>")) {
            assertTrue(alerts.contains(placeholder), placeholder + " in " + alerts);
        }
        String dead = Files.readString(out.resolve("dead-letters.jsonl"));
        assertEquals(1, dead.lines().count(), dead);
        assertTrue(decodedRaw(dead).contains("<email>"), "the dead letter's bytes, redacted: " + decodedRaw(dead));

        List<Path> files;
        try (Stream<Path> s = Files.walk(out)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        assertTrue(files.size() >= 3, files.toString());
        for (Path f : files) {
            String text = Files.readString(f);
            // dead letters carry raw bytes base64-encoded: decode them as well
            String decoded = text + decodedRaw(text);
            for (String raw : List.of(USER, EMAIL, CARD, CARD.replace(" ", ""), TOKEN, CLIENT, secret)) {
                assertFalse(decoded.contains(raw), "'" + raw + "' in the clear in " + f.getFileName() + ":\n" + text);
            }
        }
        assertFalse(printed.contains(EMAIL) || printed.contains(TOKEN) || printed.contains(CARD), printed);
    }

    /** Every base64 value of a {@code "raw_base64"} field in JSON lines, decoded. */
    private static String decodedRaw(String jsonLines) throws Exception {
        StringBuilder b = new StringBuilder();
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String line : jsonLines.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            com.fasterxml.jackson.databind.JsonNode n = m.readTree(line);
            for (com.fasterxml.jackson.databind.JsonNode raw : n.findValues("raw_base64")) {
                if (raw.isTextual()) {
                    try {
                        b.append('\n')
                                .append(new String(
                                        java.util.Base64.getDecoder().decode(raw.asText()), StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException notBase64) {
                        b.append('\n').append(raw.asText());
                    }
                }
            }
        }
        return b.toString();
    }
}
