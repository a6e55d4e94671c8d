package io.vigil.cli;

import io.vigil.generator.GeneratorSource;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.job.RuleSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil demo}: the detection job in an embedded MiniCluster over the built-in generator's scripted day of
 * incidents, with the starter rules.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run Vigil locally over generated telemetry with scripted incidents (a latency regression, an "
                    + "error burst, an SSH brute force, a port scan, password spraying, an anomalous metric).",
            "Alerts print as they fire; alerts, rollups and dead letters are written as JSON lines to --out."
        })
public final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--hours",
            defaultValue = "6",
            paramLabel = "H",
            description = "simulated hours of traffic (default: ${DEFAULT-VALUE})")
    double hours;

    @Option(names = "--seed", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--start",
            defaultValue = "2026-11-02T00:00:00Z",
            paramLabel = "INSTANT",
            description = "event time of the first record, ISO-8601 (default: ${DEFAULT-VALUE})")
    String start;

    @CommandLine.Mixin
    LocalRunOptions run;

    @CommandLine.Mixin
    ResultSinkOptions results;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!(hours > 0) || hours > 24 * 30) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--hours must be more than 0 and at most 720 (30 days), got " + hours);
        }
        Instant from;
        try {
            from = Instant.parse(start);
        } catch (DateTimeParseException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--start '" + start + "' is not an ISO-8601 instant; write e.g. 2026-11-02T00:00:00Z");
        }
        RuleSource ruleSource = run.load(spec);
        if (ruleSource == null) {
            return 1;
        }
        TelemetryGenerator generator =
                new TelemetryGenerator(seed, from, Duration.ofMillis(Math.round(hours * 3_600_000)));
        GeneratorSource source = new GeneratorSource(generator);
        System.out.printf(
                "Vigil demo: %s of simulated traffic from %s (seed %d), %,d records, %d rules from %s%n",
                Duration.ofMillis(Math.round(hours * 3_600_000))
                        .toString()
                        .substring(2)
                        .toLowerCase(),
                from,
                seed,
                source.total(),
                ruleSource.initial().size(),
                String.join(", ", run.ruleDirs().stream().map(Path::toString).toList()));
        System.out.println("Scripted incidents:");
        for (TelemetryGenerator.Incident i : TelemetryGenerator.Incident.values()) {
            if (i.fromMs < hours * 3_600_000) {
                System.out.printf("  %s  %s%n", from.plusMillis(i.fromMs), i.description);
            }
        }
        System.out.println();
        run.run(spec, "Vigil demo", source, ruleSource, results);
        return 0;
    }
}
