package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vigil privacy test}: what a policy does to samples, and the expected-output mode that fails on a change. */
class PrivacyCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return VigilCli.commandLine()
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
    }

    private Path samples() throws Exception {
        Path s = dir.resolve("samples.jsonl");
        Files.write(
                s,
                List.of(
                        "{\"signal\":\"log\",\"timestamp\":1793588400000,\"resource\":{\"service.name\":\"shop\"},"
                                + "\"body\":\"order by ann@example.com paid with 4111-1111-1111-1111\","
                                + "\"attributes\":{\"user.name\":\"ann\"}}",
                        "{\"signal\":\"log\",\"timestamp\":\"yesterday\",\"body\":\"?password=hunter2\"}"));
        return s;
    }

    @Test
    void showsWhatDetectionSeesAndWhatOutputsGet() throws Exception {
        Path key = dir.resolve("key");
        Files.writeString(key, "0123456789abcdef0123456789abcdef\n");
        int exit = run(
                "privacy",
                "test",
                RulesCommandTest.rules().resolve("_privacy.yaml").toString(),
                samples().toString(),
                "--key-file",
                key.toString());
        String o = out.toString();
        assertEquals(0, exit, o + err);
        assertTrue(o.contains("detection sees: ") && o.contains("order by <email> paid with <card>"), o);
        assertTrue(o.contains("\"user.name\":\"ann\""), "detection sees the user name: " + o);
        assertTrue(o.matches("(?s).*outputs get: .*\"user.name\":\"h:[0-9a-f]{16}\".*"), o);
        assertTrue(o.contains("?password=<password>"), "the dead letter's bytes, redacted: " + o);
        assertTrue(o.contains("detector email=1") || o.contains("detector email"), o);
    }

    @Test
    void expectModePassesOnTheSameOutputsAndFailsOnAnother() throws Exception {
        Path policy = dir.resolve("_privacy.yaml");
        Files.writeString(policy, "detectors:\n  email: {action: placeholder}\n  card: {}\n  password: {}\n");
        Path expect = dir.resolve("expect.jsonl");
        Files.write(
                expect,
                List.of(
                        "{\"signal\":\"log\",\"timestamp\":1793588400000,\"resource\":{\"service.name\":\"shop\"},"
                                + "\"attributes\":{\"user.name\":\"ann\"},"
                                + "\"body\":\"order by <email> paid with <card>\"}",
                        "{\"signal\":\"log\",\"timestamp\":\"yesterday\",\"body\":\"?password=<password>\"}"));
        assertEquals(
                0,
                run("privacy", "test", policy.toString(), samples().toString(), "--expect", expect.toString()),
                out.toString() + err);
        assertTrue(out.toString().contains("SUCCESS: 2 of 2"), out.toString());

        Files.writeString(policy, "detectors:\n  email: {action: placeholder}\n");
        assertEquals(1, run("privacy", "test", policy.toString(), samples().toString(), "--expect", expect.toString()));
        assertTrue(err.toString().contains("FAIL " + samples() + ":1"), err.toString());
    }

    @Test
    void aWrongPolicyIsReportedWithFileLineAndColumn() throws Exception {
        Path policy = dir.resolve("bad.yaml");
        Files.writeString(policy, "fields:\n  user.name: {action: hash, where: before}\n");
        assertEquals(1, run("privacy", "test", policy.toString(), samples().toString()));
        assertTrue(err.toString().contains(policy + ":2:"), err.toString());
        assertTrue(err.toString().contains("one of: before_detection, outputs"), err.toString());
    }
}
