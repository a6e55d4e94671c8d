package io.vigil.cli;

import io.vigil.job.RuleSource;
import io.vigil.job.TelemetrySource;
import io.vigil.rules.RuleException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Options of the commands that run the job in this JVM over a bounded input ({@code demo}, {@code replay}), a picocli
 * mixin: the rules, the output folder (default {@code out/<command>}), the detectors' parallelism and the progress
 * line, with the checks and the rule loading they share.
 */
public final class LocalRunOptions {
    @Option(
            names = "--rules",
            paramLabel = "DIR",
            description = "rule files or folders (default: the repository's rules/)")
    List<Path> rules;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: out/<command>)")
    Path out;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "parallelism of the detectors (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Option(names = "--quiet", description = "no progress line")
    boolean quiet;

    /** The rule files or folders: those given, or the repository's {@code rules/}. */
    List<Path> ruleDirs() {
        return rules != null && !rules.isEmpty() ? rules : List.of(VigilHome.rules());
    }

    /**
     * Checks the options and loads the rules; null (after printing every problem with file:line) when a rule is
     * wrong, which the command turns into exit code 1.
     */
    RuleSource load(CommandLine.Model.CommandSpec spec) {
        if (parallelism < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--parallelism must be at least 1");
        }
        try {
            return RuleSource.directory(ruleDirs().toArray(Path[]::new));
        } catch (RuleException e) {
            System.err.println(e.getMessage());
            return null;
        }
    }

    /** Runs the job over {@code source} with these options and the result sinks; a bad sink setting is a bad flag. */
    void run(
            CommandLine.Model.CommandSpec spec,
            String title,
            TelemetrySource source,
            RuleSource rules,
            ResultSinkOptions results)
            throws Exception {
        run(spec, title, source, rules, results, null);
    }

    /** As {@link #run}, ending the run at event time {@code until} (epoch ms; null: the newest record's time). */
    void run(
            CommandLine.Model.CommandSpec spec,
            String title,
            TelemetrySource source,
            RuleSource rules,
            ResultSinkOptions results,
            Long until)
            throws Exception {
        Path dir = out != null ? out : Path.of("out", spec.name());
        LocalRun run = new LocalRun(title, source, rules, dir, parallelism, quiet, System.out, System.err)
                .with(results, ruleDirs().get(0))
                .until(until);
        try {
            run.run();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
