package io.vigil.cli;

import io.vigil.ingest.geo.GeoIpSettings;
import io.vigil.job.RuleSource;
import io.vigil.job.TelemetrySource;
import io.vigil.privacy.PolicyLoader;
import io.vigil.privacy.PrivacyPolicy;
import io.vigil.privacy.PrivacySettings;
import io.vigil.rules.RuleException;
import java.io.IOException;
import java.nio.file.Files;
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
            names = "--privacy",
            paramLabel = "FILE",
            description = "privacy policy (default: _privacy.yaml in the first rules folder, when there is one)")
    Path privacy;

    @Option(names = "--no-privacy", description = "run without a privacy policy: outputs hold raw values")
    boolean noPrivacy;

    @Option(
            names = "--privacy-key-file",
            paramLabel = "FILE",
            description = "hash key of the privacy policy, unless $" + PrivacySettings.DEFAULT_KEY_ENV
                    + " is set (default: .vigil/privacy.key in the Vigil folder, generated with mode 0600 if absent)")
    Path privacyKeyFile;

    /**
     * The privacy settings these options select, or null without a policy; a wrong policy prints its problems
     * (file:line:col) and throws {@link RuleException}.
     */
    PrivacySettings privacy(CommandLine.Model.CommandSpec spec) throws IOException {
        if (noPrivacy) {
            if (privacy != null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--privacy and --no-privacy contradict each other; give one");
            }
            return null;
        }
        Path file = privacy != null ? privacy : ruleDirs().get(0).resolve(PolicyLoader.FILE_NAME);
        if (privacy == null && !Files.isRegularFile(file)) {
            return null;
        }
        if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--privacy " + file + ": no such file");
        }
        PrivacyPolicy policy = PolicyLoader.load(file);
        Path key = privacyKeyFile != null ? privacyKeyFile : VigilHome.root().resolve(".vigil/privacy.key");
        String env = System.getenv(PrivacySettings.DEFAULT_KEY_ENV);
        if (policy.usesHash()
                && (env == null || env.isEmpty())
                && privacyKeyFile == null
                && PrivacySettings.generateKeyIfAbsent(key)) {
            System.err.println("Generated a privacy hash key in " + key + " (mode 0600)");
        }
        try {
            return new PrivacySettings(policy, key.toString(), PrivacySettings.DEFAULT_KEY_ENV).validate();
        } catch (IllegalStateException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

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
        PrivacySettings settings;
        try {
            settings = privacy(spec);
        } catch (RuleException e) {
            System.err.println(e.getMessage());
            throw new CommandLine.ParameterException(spec.commandLine(), "the privacy policy has problems (above)");
        }
        if (settings != null && !quiet) {
            System.out.println("Privacy policy: " + settings.policy.source + " (" + settings.policy.fields.size()
                    + " field rules, " + settings.policy.detectors.size() + " detectors; --no-privacy turns it off)");
        }
        LocalRun run = new LocalRun(title, source, rules, dir, parallelism, quiet, System.out, System.err)
                .with(results, ruleDirs().get(0))
                .until(until)
                .privacy(settings)
                .with(geoIp);
        try {
            run.run();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
