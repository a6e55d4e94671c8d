package io.vigil.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.cli.VigilCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code vigil bench rules} runs each case in JVMs of its own ({@code --forks} of them: the JIT's profile of one case
 * must not carry into the next) and prints, for each, its ratio to the no-rules case and its CPU per record by task.
 */
class RulesBenchTest {
    private static final String[] ARGS = {
        "bench",
        "rules",
        "--counts",
        "2",
        "--forks",
        "2",
        "--hours",
        "0.02",
        "--density",
        "2",
        "--rounds",
        "1",
        "--rules",
        "../rules"
    };

    @Test
    void eachCaseRunsInJvmsOfItsOwnAndReportsItsCpuByTask() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, UTF_8));
            exit = VigilCli.commandLine().execute(ARGS);
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(UTF_8);
        assertEquals(0, exit, out);
        Set<Long> jvms = new HashSet<>();
        Matcher m = Pattern.compile("(\\d+) [\\d,]+/s[,)]").matcher(out);
        while (m.find()) {
            jvms.add(Long.parseLong(m.group(1)));
        }
        assertEquals(4, jvms.size(), "no rules and 2 rules, each in two JVMs of its own:\n" + out);
        assertFalse(jvms.contains(ProcessHandle.current().pid()), out);
        // Each JVM ran the history this command describes (a case whose record count differs fails the command).
        assertTrue(out.contains("(--density 2: the demo's records 2 times a window)"), out);
        // The figures are printed in the machine's locale: any grouping and decimal mark.
        assertTrue(out.matches("(?s).*\\n2 rules +\\S+ records/s per core +ratio to no rules \\d+[.,]\\d\\d.*"), out);
        Matcher cpu = Pattern.compile("CPU per record, microseconds: .*rest of the process \\d+\\.\\d\\d\\n")
                .matcher(out);
        int lines = 0;
        while (cpu.find()) {
            lines++;
        }
        assertEquals(2, lines, "a line of CPU per task for each case:\n" + out);
    }

    @Test
    void aDensityBelowOneIsAUsageErrorThatSaysWhatToGive() {
        CommandLine cl = VigilCli.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("bench", "rules", "--counts", "1", "--density", "0", "--rules", "../rules");
        assertEquals(2, exit, err.toString());
        assertTrue(
                err.toString().contains("--density must be from 1 (the demo's records) to 1000, e.g. 10, not 0"),
                err.toString());
    }

    @Test
    void aRulesPathThatDoesNotExistIsAUsageErrorThatSaysWhatToGive() {
        CommandLine cl = VigilCli.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("bench", "rules", "--counts", "1", "--rules", "no-such-rules-folder");
        assertEquals(2, exit, err.toString());
        assertTrue(
                err.toString().contains("--rules: no such file or folder: ")
                        && err.toString().contains("no-such-rules-folder (give a rule file or a folder of them"),
                err.toString());
    }
}
