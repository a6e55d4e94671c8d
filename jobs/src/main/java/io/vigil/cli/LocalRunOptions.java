package io.vigil.cli;

import io.vigil.ingest.geo.GeoIpSettings;
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

    @Option(
            names = "--geoip-db",
            paramLabel = "MMDB",
            description = "MaxMind-format city or country database (GeoLite2, DB-IP Lite): adds source.geo.* (and "
                    + "client./destination.) at ingest; reloaded when the file is replaced")
    Path geoipDb;

    @Option(
            names = "--asn-db",
            paramLabel = "MMDB",
            description = "MaxMind-format ASN database (GeoLite2-ASN, DB-IP ASN Lite): adds source.as.number and "
                    + "source.as.organization.name at ingest")
    Path asnDb;

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
        geoIp = geoIp(spec);
        try {
            return RuleSource.directory(ruleDirs().toArray(Path[]::new));
        } catch (RuleException e) {
            System.err.println(e.getMessage());
            return null;
        }
    }

    /** Checked by {@link #load}. */
    private GeoIpSettings geoIp;

    /** The GeoIP settings of {@code --geoip-db}/{@code --asn-db}, each database opened once; null when neither. */
    private GeoIpSettings geoIp(CommandLine.Model.CommandSpec spec) {
        if (geoipDb == null && asnDb == null) {
            return null;
        }
        GeoIpSettings settings = GeoIpSettings.of(geoipDb, asnDb, "--geoip-db", "--asn-db");
        try {
            settings.check();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return settings;
    }

    /** Runs the job over {@code source} with these options and the result sinks; a bad sink setting is a bad flag. */
    void run(
            CommandLine.Model.CommandSpec spec,
            String title,
            TelemetrySource source,
            RuleSource rules,
            ResultSinkOptions results)
            throws Exception {
        Path dir = out != null ? out : Path.of("out", spec.name());
        LocalRun run = new LocalRun(title, source, rules, dir, parallelism, quiet, System.out, System.err)
                .with(results, ruleDirs().get(0))
                .with(geoIp);
        try {
            run.run();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
