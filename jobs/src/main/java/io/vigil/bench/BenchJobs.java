package io.vigil.bench;

import io.vigil.generator.GeneratorSource;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.job.DetectionJob;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What the benchmarks that run the whole detection job in this JVM share: the {@code --rules} and
 * {@code --state-backend} options (a picocli mixin), the local environment at parallelism 1, the demo telemetry
 * source and sinks that discard, so every such benchmark measures the same job the same way.
 */
final class BenchJobs {
    @Option(
            names = "--rules",
            defaultValue = "rules",
            paramLabel = "DIR",
            description = "rule files or folders to draw the rules from (default: ${DEFAULT-VALUE})")
    List<Path> rules;

    @Option(
            names = "--state-backend",
            defaultValue = "heap",
            description = "heap or rocksdb (default: ${DEFAULT-VALUE})")
    BenchStateBackend stateBackend;

    /**
     * The enabled rules of {@code --rules}, compiled once where their files are, so every problem is reported with
     * its file:line before any run (copies made from JSON later no longer know their file).
     */
    List<RuleSpec> enabledRules(CommandLine.Model.CommandSpec spec) throws IOException {
        List<RuleSpec> pool =
                RuleLoader.load(rules).stream().filter(r -> r.enabled).toList();
        if (pool.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no enabled rules in " + rules);
        }
        RuleCompiler.compileAll(pool);
        return pool;
    }

    /** A local environment at parallelism 1 on the chosen state backend, without Kryo, REST on a free port. */
    StreamExecutionEnvironment environment() {
        return localEnvironment(stateBackend);
    }

    static StreamExecutionEnvironment localEnvironment(BenchStateBackend backend) {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(StateBackendOptions.STATE_BACKEND, backend.flinkName);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return StreamExecutionEnvironment.createLocalEnvironment(1, conf);
    }

    /** The demo's telemetry for {@code hours} simulated hours, from the generator's default seed and start. */
    static GeneratorSource demoSource(double hours) {
        return new GeneratorSource(new TelemetryGenerator(
                TelemetryGenerator.DEFAULT_SEED,
                TelemetryGenerator.DEFAULT_START,
                Duration.ofMillis(Math.round(hours * 3_600_000))));
    }

    /** Sinks that discard alerts, rollups and dead letters: a benchmark measures the job, not an output. */
    static DetectionJob.Sinks discardingSinks() {
        return new DetectionJob.Sinks(
                List.of(DetectionJob.NamedSink.of("discard", new DiscardingSink<>())),
                List.of(DetectionJob.NamedSink.of("discard", new DiscardingSink<>())),
                List.of(DetectionJob.NamedSink.of("discard", new DiscardingSink<>())));
    }
}
