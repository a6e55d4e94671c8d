package io.vigil.cli;

import io.vigil.ingest.Decoders;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.file.TelemetryFileSource;
import io.vigil.job.RuleSource;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vigil replay}: the detection job, bounded, over recorded telemetry files (backtesting rules). */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Run the detection job over recorded telemetry files and write alerts, rollups and dead letters "
                    + "as JSON lines.",
            "json and otlp-json files hold one record per line; otlp-proto files hold length-prefixed export "
                    + "requests (4-byte big-endian length), as the OpenTelemetry Collector's file exporter writes."
        })
public final class ReplayCommand implements Callable<Integer> {
    @Option(
            names = "--input",
            required = true,
            paramLabel = "PATH",
            description = "a file or a folder of files (repeatable)")
    List<Path> input;

    @Option(
            names = "--format",
            defaultValue = "json",
            paramLabel = "FORMAT",
            description = "json, otlp-json[:signal] or otlp-proto[:signal] (default: ${DEFAULT-VALUE})")
    String format;

    @CommandLine.Mixin
    LocalRunOptions run;

    @CommandLine.Mixin
    ResultSinkOptions results;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            Decoders.forFormat(format);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format: " + e.getMessage());
        }
        TelemetryFileSource source;
        try {
            // Recorded files may be replayed long after (or, for synthetic data, before) the wall clock.
            source = new TelemetryFileSource(
                    input, format, IngestLimits.defaults().withoutFutureBound());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--input: " + e.getMessage());
        }
        RuleSource ruleSource = run.load(spec);
        if (ruleSource == null) {
            return 1;
        }
        System.out.printf(
                "Vigil replay: %d file(s) as %s, %d rules%n",
                source.files().size(), format, ruleSource.initial().size());
        run.run(spec, "Vigil replay", source, ruleSource, results);
        return 0;
    }
}
