package io.vigil.cli;

import io.vigil.ingest.Decoders;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.file.TelemetryFileSource;
import io.vigil.job.RuleSource;
import io.vigil.rules.RuleException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vigil replay}: the detection job, bounded, over recorded telemetry files (backtesting rules). */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Run the detection job over recorded telemetry files and write alerts, rollups and dead letters "
                + "as JSON lines.",
                "json and otlp-json files hold one record per line; otlp-proto files hold length-prefixed export "
                        + "requests (4-byte big-endian length), as the OpenTelemetry Collector's file exporter writes."})
public final class ReplayCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "PATH",
            description = "a file or a folder of files (repeatable)")
    List<Path> input;

    @Option(names = "--format", defaultValue = "json", paramLabel = "FORMAT",
            description = "json, otlp-json[:signal] or otlp-proto[:signal] (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--rules", paramLabel = "DIR", description = "rule files or folders (default: the repository's rules/)")
    List<Path> rules;

    @Option(names = "--out", defaultValue = "out/replay", paramLabel = "DIR",
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
        if (parallelism < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--parallelism must be at least 1");
        }
        try {
            Decoders.forFormat(format);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format: " + e.getMessage());
        }
        TelemetryFileSource source;
        try {
            // Recorded files may be replayed long after (or, for synthetic data, before) the wall clock.
            source = new TelemetryFileSource(input, format, IngestLimits.defaults().withoutFutureBound());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--input: " + e.getMessage());
        }
        RuleSource ruleSource;
        try {
            ruleSource = RuleSource.directory((rules != null ? rules : List.of(VigilHome.rules())).toArray(Path[]::new));
        } catch (RuleException e) {
            System.err.println(e.getMessage());
            return 1;
        }
        System.out.printf("Vigil replay: %d file(s) as %s, %d rules%n", source.files().size(), format,
                ruleSource.initial().size());
        LocalRun run = new LocalRun("Vigil replay", source, ruleSource, out, parallelism, quiet, System.out, System.err)
                .with(results, rules != null && !rules.isEmpty() ? rules.get(0) : VigilHome.rules());
        try {
            run.run();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return 0;
    }
}
