package io.vigil.bench;

import io.vigil.generator.GeneratorSource;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.RuleSource;
import io.vigil.rules.RuleCodec;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSpec;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code vigil bench security}: records/s of the whole detection job on one core (parallelism 1, MiniCluster) over
 * the demo generator's telemetry, with 0 rules (the baseline: generator, dead-letter split, router, realert) and with
 * 1, 10 and 50 rules of the security kinds (copies of rules/security and the CEP rule under rules/errors, cycled, so
 * sequence rules each add a CEP operator). Each count runs {@code --rounds} times; the best counts.
 */
@Command(name = "security", mixinStandardHelpOptions = true,
        description = "Records/s per core of the detection job with 0, 1, 10 and 50 security rules.")
public final class SecurityBench implements Callable<Integer> {
    @Option(names = "--hours", defaultValue = "24", description = "simulated hours of demo telemetry (default: ${DEFAULT-VALUE})")
    int hours;

    @Option(names = "--rules", split = ",", defaultValue = "0,1,10,50",
            description = "rule counts to measure (default: ${DEFAULT-VALUE})")
    List<Integer> counts;

    @Option(names = "--rounds", defaultValue = "2", description = "runs per rule count, best counts (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--rules-dir", defaultValue = "rules", description = "the repository's rules folder (default: ${DEFAULT-VALUE})")
    Path rulesDir;

    @Override
    public Integer call() throws Exception {
        List<RuleSpec> starters = RuleLoader.load(List.of(rulesDir.resolve("security"),
                rulesDir.resolve("errors").resolve("error-burst-then-deploy.yaml")));
        RuleCompiler.compileAll(starters); // checks them and inlines list files, so copies need no file
        TelemetryGenerator generator = new TelemetryGenerator(TelemetryGenerator.DEFAULT_SEED,
                TelemetryGenerator.DEFAULT_START, Duration.ofHours(hours));
        long records = new GeneratorSource(generator).total();
        System.out.printf("%,d records (%d simulated hours), parallelism 1%n", records, hours);
        double baseline = 0;
        for (int n : counts) {
            List<RuleSpec> rules = copies(starters, n);
            double best = 0;
            for (int round = 0; round < rounds; round++) {
                StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1,
                        new Configuration());
                DetectionJob.Streams s = new DetectionJob(new DetectionConfig(), new GeneratorSource(generator),
                        RuleSource.of(rules), DetectionJob.Sinks.none()).build(env);
                s.alerts().sinkTo(new DiscardingSink<>());
                JobExecutionResult r = env.execute("vigil bench security " + n);
                best = Math.max(best, records * 1000.0 / r.getNetRuntime());
            }
            if (n == 0) {
                baseline = best;
            }
            System.out.printf("%2d rules: %,10.0f records/s%s%n", n, best,
                    baseline > 0 ? String.format(" (%.2f of the 0-rule baseline)", best / baseline) : "");
        }
        return 0;
    }

    /** {@code n} rules: the starters cycled, each copy with its own id. */
    static List<RuleSpec> copies(List<RuleSpec> starters, int n) {
        List<RuleSpec> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RuleSpec s = RuleCodec.fromJson(RuleCodec.toJson(starters.get(i % starters.size())));
            s.id = s.id + "-" + i;
            out.add(s);
        }
        return out;
    }

}
