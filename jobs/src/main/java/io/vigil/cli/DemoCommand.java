package io.vigil.cli;

import io.vigil.generator.GeneratorSource;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.job.RuleSource;
import io.vigil.rules.RuleException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;

/**
 * {@code vigil demo}: the detection job in an embedded MiniCluster over the built-in generator's scripted day of
 * incidents, with the starter rules.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run Vigil locally over generated telemetry with scripted incidents (a latency regression, an "
                + "error burst, an SSH brute force, a port scan, password spraying, an anomalous metric).",
                "Alerts print as they fire; alerts, rollups and dead letters are written as JSON lines to --out."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--hours", defaultValue = "6", paramLabel = "H",
            description = "simulated hours of traffic (default: ${DEFAULT-VALUE})")
    double hours;

    @Option(names = "--seed", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--start", defaultValue = "2026-11-02T00:00:00Z", paramLabel = "INSTANT",
            description = "event time of the first record, ISO-8601 (default: ${DEFAULT-VALUE})")
    String start;

    @Option(names = "--rules", paramLabel = "DIR", description = "rule files or folders (default: the repository's rules/)")
    Path[] rules;

    @Option(names = "--out", defaultValue = "out/demo", paramLabel = "DIR",
            description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--parallelism", defaultValue = "2", description = "parallelism of the detectors (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Option(names = "--quiet", description = "no progress line")
    boolean quiet;

    @CommandLine.Mixin
    ResultSinkOptions results;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!(hours > 0) || hours > 24 * 30) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--hours must be more than 0 and at most 720 (30 days), got " + hours);
        }
        if (parallelism < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--parallelism must be at least 1");
        }
        Instant from;
        try {
            from = Instant.parse(start);
        } catch (DateTimeParseException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--start '" + start + "' is not an ISO-8601 instant; write e.g. 2026-11-02T00:00:00Z");
        }
        Path[] ruleDirs = rules != null ? rules : new Path[] {VigilHome.rules()};
        RuleSource ruleSource;
        try {
            ruleSource = RuleSource.directory(ruleDirs);
        } catch (RuleException e) {
            System.err.println(e.getMessage());
            return 1;
        }
        TelemetryGenerator generator = new TelemetryGenerator(seed, from,
                Duration.ofMillis(Math.round(hours * 3_600_000)));
        GeneratorSource source = new GeneratorSource(generator);
        System.out.printf("Vigil demo: %s of simulated traffic from %s (seed %d), %,d records, %d rules from %s%n",
                Duration.ofMillis(Math.round(hours * 3_600_000)).toString().substring(2).toLowerCase(),
                from, seed, source.total(), ruleSource.initial().size(), String.join(", ",
                        java.util.Arrays.stream(ruleDirs).map(Path::toString).toList()));
        System.out.println("Scripted incidents:");
        for (TelemetryGenerator.Incident i : TelemetryGenerator.Incident.values()) {
            if (i.fromMs < hours * 3_600_000) {
                System.out.printf("  %s  %s%n", from.plusMillis(i.fromMs), i.description);
            }
        }
        System.out.println();
        LocalRun run = new LocalRun("Vigil demo", source, ruleSource, out, parallelism, quiet, System.out, System.err)
                .with(results, ruleDirs[0]);
        try {
            run.run();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return 0;
    }
}
