package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code vigil --help} names every command: the Java ones and those {@code bin/vigil} runs itself as shell. */
class VigilCliHelpTest {
    @Test
    void helpListsEveryCommandOfTheLauncher() throws IOException {
        String help = VigilCli.commandLine().getUsageMessage();
        Set<String> commands =
                new LinkedHashSet<>(VigilCli.commandLine().getSubcommands().keySet());
        // The launcher's own commands: the case labels of bin/vigil that do not go to the Java command line.
        String launcher = Files.readString(Path.of("..", "bin", "vigil"));
        Matcher m = Pattern.compile("(?m)^\\s+([a-z]+)\\) shift;").matcher(launcher);
        Set<String> shell = new LinkedHashSet<>();
        while (m.find()) {
            shell.add(m.group(1));
        }
        assertTrue(shell.containsAll(Set.of("stack", "submit", "deploy")), "bin/vigil's own commands: " + shell);
        commands.addAll(shell);
        for (String c : commands) {
            assertTrue(Pattern.compile("(?m)^\\s+" + c + "\\s").matcher(help).find(), c + " missing from:\n" + help);
        }
        assertFalse(help.contains("\t"), help);
    }
}
