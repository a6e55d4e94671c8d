package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The Alertmanager and webhook flags of the commands that run the job ({@link ResultSinkOptions}). */
class NotifyOptionsTest {
    @TempDir
    Path dir;

    private static ResultSinkOptions.NotifyOutputs parse(String... args) {
        return CommandLine.populateCommand(new ResultSinkOptions(), args).notifyOutputs();
    }

    @Test
    void theAlertmanagerPasswordComesFromAFile() throws Exception {
        // Without the file the password could only come from the environment; make sure it does not here.
        assertNull(System.getenv("VIGIL_ALERTMANAGER_PASSWORD"), "the test needs $VIGIL_ALERTMANAGER_PASSWORD unset");
        Path password = dir.resolve("alertmanager-password");
        Files.writeString(password, "s3cret\n");
        var outputs = parse(
                "--alertmanager-url=http://127.0.0.1:9093",
                "--alertmanager-user=vigil",
                "--alertmanager-password-file=" + password);
        assertEquals("vigil", outputs.alertmanager().username);
        assertEquals("s3cret", outputs.alertmanager().password, "the file's content without its newline");
        assertNull(outputs.webhook());
    }

    @Test
    void aWrongPasswordFileNamesTheFlagsNotTheSecret() throws Exception {
        Path empty = dir.resolve("alertmanager-password");
        Files.writeString(empty, "");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> parse(
                        "--alertmanager-url=http://127.0.0.1:9093",
                        "--alertmanager-user=vigil",
                        "--alertmanager-password-file=" + empty));
        assertTrue(e.getMessage().contains("--alertmanager-password-file '" + empty + "' is empty"), e.getMessage());
        assertTrue(e.getMessage().contains("--alertmanager-user vigil"), e.getMessage());

        Path password = dir.resolve("password");
        Files.writeString(password, "s3cret\n");
        e = assertThrows(
                IllegalArgumentException.class,
                () -> parse("--alertmanager-url=http://127.0.0.1:9093", "--alertmanager-password-file=" + password));
        assertTrue(
                e.getMessage().contains("--alertmanager-password-file is set but --alertmanager-user is not"),
                e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }
}
