package io.vigil.cli;

import io.vigil.bench.SteadyTelemetry;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vigil generate}: writes demo telemetry to Kafka at a steady rate, event time = now. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = "Write demo telemetry (metrics, spans, logs, login events, with periodic error bursts) to Kafka.")
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--kafka", paramLabel = "HOST:PORT", required = true, description = "Kafka bootstrap servers")
    String kafka;

    @Option(
            names = "--rate",
            paramLabel = "N",
            defaultValue = "100",
            converter = Flags.RateConverter.class,
            description = "records per second (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(
            names = "--duration",
            paramLabel = "D",
            defaultValue = "1m",
            converter = Flags.PositiveDurationConverter.class,
            description = "how long, e.g. 30s, 5m, 1h (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--format", defaultValue = "json", description = "record format: json (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--topic", defaultValue = "vigil-telemetry", description = "topic (default: ${DEFAULT-VALUE})")
    String topic;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!format.equals("json")) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--format '" + format + "' is not supported by the generator; use json");
        }
        long total = Math.max(1, duration.toMillis() * rate / 1000);
        try (SteadyTelemetry out = new SteadyTelemetry(kafka, new Properties(), topic, rate, seed)) {
            out.run(total, () -> false, n -> System.err.printf("%,d records written%n", n));
            if (out.failed() > 0) {
                System.err.printf(
                        "vigil generate: %,d of %,d records were not written to %s: %s%n",
                        out.failed(), total, topic, out.firstFailure());
                return 1;
            }
        }
        System.err.printf("%,d records written to %s on %s%n", total, topic, kafka);
        return 0;
    }
}
