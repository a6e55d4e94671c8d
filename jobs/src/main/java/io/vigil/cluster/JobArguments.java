package io.vigil.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The job's command line, made from {@link VigilJobConfig.Key} so flags and properties-file keys cannot drift apart:
 * {@code --<key> value} for every setting, {@code --config file.properties} (flags override it),
 * {@code --topic name=format} (repeatable, adds to topics) and {@code --kafka-property key=value} (repeatable).
 */
public final class JobArguments {
    private JobArguments() {}

    static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name("vigil-job").mixinStandardHelpOptions(true);
        spec.usageMessage().description("Vigil detection job: telemetry from Kafka, alerts to Kafka (exactly once).");
        spec.addOption(OptionSpec.builder("--config")
                .paramLabel("FILE")
                .type(Path.class)
                .description("properties file with the settings below (without --); flags override it")
                .build());
        for (VigilJobConfig.Key k : VigilJobConfig.Key.values()) {
            spec.addOption(OptionSpec.builder("--" + k.name)
                    .paramLabel("VALUE")
                    .type(String.class)
                    .description(k.help)
                    .build());
        }
        spec.addOption(OptionSpec.builder("--topic")
                .paramLabel("NAME=FORMAT")
                .type(List.class)
                .auxiliaryTypes(String.class)
                .description("a telemetry topic and its format (repeatable)")
                .build());
        spec.addOption(OptionSpec.builder("--kafka-property")
                .paramLabel("KEY=VALUE")
                .type(List.class)
                .auxiliaryTypes(String.class)
                .description("Kafka client property for consumer and producers, e.g. security.protocol=SASL_SSL "
                        + "(repeatable)")
                .build());
        return spec;
    }

    /**
     * Parses the arguments into a validated configuration.
     *
     * @return null when help was printed
     * @throws CommandLine.ParameterException for malformed flags
     * @throws VigilJobConfig.InvalidConfigException for wrong values
     */
    public static VigilJobConfig parse(String[] args) throws IOException {
        CommandLine cl = new CommandLine(spec());
        ParseResult r = cl.parseArgs(args);
        if (CommandLine.printHelpIfRequested(r)) return null;
        Map<String, String> settings = new LinkedHashMap<>();
        if (r.hasMatchedOption("--config")) {
            settings.putAll(VigilJobConfig.readProperties(r.matchedOptionValue("--config", null)));
        }
        for (VigilJobConfig.Key k : VigilJobConfig.Key.values()) {
            if (r.hasMatchedOption("--" + k.name)) settings.put(k.name, r.matchedOptionValue("--" + k.name, ""));
        }
        List<String> topics = r.matchedOptionValue("--topic", List.of());
        if (!topics.isEmpty()) {
            String before = settings.getOrDefault(VigilJobConfig.Key.TOPICS.name, "");
            settings.put(
                    VigilJobConfig.Key.TOPICS.name, (before.isEmpty() ? "" : before + ",") + String.join(",", topics));
        }
        for (String kv : r.<List<String>>matchedOptionValue("--kafka-property", List.of())) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(
                        cl, "--kafka-property '" + kv + "' is not key=value, e.g. security.protocol=SASL_SSL");
            }
            settings.put("kafka." + kv.substring(0, eq).trim(), kv.substring(eq + 1));
        }
        return VigilJobConfig.parse(settings);
    }
}
