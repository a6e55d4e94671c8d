package io.vigil.cli;

import io.vigil.ingest.Decoders;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.file.TelemetryFileSource;
import io.vigil.job.RuleSource;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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

    @Option(
            names = "--until",
            paramLabel = "INSTANT",
            description =
                    "event time the replay ends at, e.g. 2026-11-02T01:00:00Z: the windows that closed by then are"
                            + " judged, later records are ignored (default: the newest record's time)")
    String until;

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
        Long end = null;
        if (until != null) {
            try {
                end = Instant.parse(until.trim()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--until: expected an ISO-8601 instant such as 2026-11-02T01:00:00Z, not '" + until + "'");
            }
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
        run.run(spec, "Vigil replay", source, ruleSource, results, end);
        return 0;
    }
}
