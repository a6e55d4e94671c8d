package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code vigil replay} of a JSON-lines recording in the test's JVM, with what it prints captured: for the tests of
 * what a local run writes and says ({@link RunSummaryTest}, {@link PrivacyDemoTest}).
 */
final class ReplayRun {
    /** 2026-11-02T03:00:00Z: the recordings' first event time. */
    static final long T0 = 1_793_588_400_000L;

    private ReplayRun() {}

    /** A canonical-JSON log record of service {@code service} at {@code time}. */
    static String logLine(long time, String service, String severity, String body) {
        return "{\"signal\":\"log\",\"timestamp\":" + time + ",\"resource\":{\"service.name\":\"" + service
                + "\"},\"severity\":\"" + severity + "\",\"body\":\"" + body + "\"}";
    }

    /**
     * Runs {@code vigil replay --quiet --input INPUT --format json --rules RULES --out OUT MORE...}, asserts it
     * succeeded, and returns what it printed on standard output and standard error together.
     */
    static String replay(Path input, Path rules, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "replay",
                "--quiet",
                "--input",
                input.toString(),
                "--format",
                "json",
                "--rules",
                rules.toString(),
                "--out",
                out.toString()));
        args.addAll(List.of(more));
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int exit;
        try (PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            System.setErr(capture);
            exit = VigilCli.commandLine().execute(args.toArray(String[]::new));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String printed = console.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, printed);
        return printed;
    }
}
