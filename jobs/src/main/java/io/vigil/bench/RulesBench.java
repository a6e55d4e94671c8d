package io.vigil.bench;

import io.vigil.generator.GeneratorSource;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.RuleSource;
import io.vigil.rules.RuleCodec;
import io.vigil.rules.RuleSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil bench rules}: records/s per core of the whole detection job with 1, 10 and 50 active rules (or
 * {@code --counts}), next to the same job with no rules (source, decoding, dead-letter split, routing) measured in the
 * same run, on the heap or RocksDB state backend, with copies of the starter rules that match as they do or with
 * copies that pin services of their own ({@code --mix}). Everything runs at
 * parallelism 1 in a MiniCluster in this JVM, so records/s is per core. Rules are taken from the given folder and
 * repeated (with new ids) up to each count; each count runs a few rounds and reports its best.
 */
@Command(
        name = "rules",
        mixinStandardHelpOptions = true,
        description = "Records/s per core of the detection job with N active rules vs no rules, in the same run.")
public final class RulesBench implements Callable<Integer> {
    @CommandLine.Mixin
    BenchJobs job;

    @Option(
            names = "--counts",
            defaultValue = "1,10,50",
            split = ",",
            description = "numbers of active rules (default: ${DEFAULT-VALUE})")
    List<Integer> counts;

    // A day, not the demo's six hours: six hours (106,541 records) ran for one to three seconds on the heap, so job
    // start-up (every operator compiling every rule) and timing noise moved the ratios by up to 0.4 between runs of the
    // same build; a day (868,865 records) runs long enough for them to settle.
    @Option(
            names = "--hours",
            defaultValue = "24",
            description =
                    "simulated hours of demo telemetry per run; 6 (an eighth of the records) is quicker, on RocksDB "
                            + "above all, but its ratios are noisier (default: ${DEFAULT-VALUE})")
    double hours;

    @Option(
            names = "--mix",
            defaultValue = "copies",
            description = "copies: every extra rule matches like the rule it copies (the worst case); distinct: every "
                    + "extra rule pins a service of its own, as a real pack's rules do, so it misses the demo's "
                    + "records (default: ${DEFAULT-VALUE})")
    Mix mix;

    /** How the rules beyond the pool are made. */
    enum Mix {
        copies,
        distinct
    }

    @Option(
            names = "--rounds",
            defaultValue = "2",
            description = "runs per case; the best is reported (default: ${DEFAULT-VALUE})")
    int rounds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || !(hours > 0) || counts.stream().anyMatch(c -> c < 1)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--rounds and every --counts value must be at least 1, and --hours more than 0");
        }
        // Compiled where the files are (this also inlines list files of kind list), before the copies are made.
        List<RuleSpec> pool = job.enabledRules(spec);
        GeneratorSource source = BenchJobs.demoSource(hours);
        System.out.printf(
                "%,d records of demo telemetry per run, parallelism 1, best of %d rounds, %s state, mix %s; rules "
                        + "drawn from %d in %s%n",
                source.total(), rounds, job.stateBackend, mix, pool.size(), job.rules);
        // Warm-up with every rule of the pool, so the JIT has compiled the paths of every rule kind before the first
        // case is measured. With one rule it compiled the other kinds' paths during the first case with rules: on one
        // core the compiler threads took a third of it for twelve seconds of a 20-rule case, as a job that runs for
        // days pays once.
        best(source, take(pool, pool.size(), mix));
        Best baseline = best(source, List.of());
        System.out.printf(
                "%-12s %,12.0f records/s per core   %,12.0f records per CPU-second%n",
                "no rules", baseline.perSecond, baseline.perCpuSecond);
        System.out.printf(
                "%-12s CPU per record, microseconds: %s%n", "", baseline.fastest.cpuPerRecord(source.total()));
        for (int n : counts) {
            Best rate = best(source, take(pool, n, mix));
            System.out.printf(
                    "%-12s %,12.0f records/s per core   ratio to no rules %.2f   %,12.0f records per CPU-second   "
                            + "ratio %.2f%n",
                    n + " rules",
                    rate.perSecond,
                    rate.perSecond / baseline.perSecond,
                    rate.perCpuSecond,
                    rate.perCpuSecond / baseline.perCpuSecond);
            System.out.printf(
                    "%-12s CPU per record, microseconds: %s%n", "", rate.fastest.cpuPerRecord(source.total()));
        }
        return 0;
    }

    /**
     * The best records/s of a case's rounds (net job runtime), the best records per CPU-second of this process (see
     * {@link BenchJobs#execute}; the steadier of the two on a shared machine), and the fastest round, whose CPU per
     * task is printed.
     */
    private record Best(double perSecond, double perCpuSecond, BenchJobs.Run fastest) {}

    private Best best(GeneratorSource source, List<RuleSpec> specs) throws Exception {
        double bestPerCpu = 0;
        BenchJobs.Run fastest = null;
        for (int i = 0; i < rounds; i++) {
            StreamExecutionEnvironment env = job.environment();
            new DetectionJob(new DetectionConfig(), source, RuleSource.of(specs), BenchJobs.discardingSinks())
                    .build(env);
            // Net runtime: from job start to end, without starting the MiniCluster.
            BenchJobs.Run run = BenchJobs.execute(env, "bench rules");
            if (fastest == null || run.millis() < fastest.millis()) {
                fastest = run;
            }
            bestPerCpu = Math.max(bestPerCpu, run.perCpuSecond(source.total()));
        }
        return new Best(fastest.perSecond(source.total()), bestPerCpu, fastest);
    }

    /**
     * The first n rules of the pool, cycling through it with new ids when n is larger. With {@link Mix#distinct} each
     * copy also pins a service of its own (one no record of the demo has), as the rules of a real pack pin their own
     * service or action.
     */
    static List<RuleSpec> take(List<RuleSpec> pool, int n, Mix mix) {
        List<RuleSpec> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RuleSpec s = RuleCodec.fromJson(RuleCodec.toJson(pool.get(i % pool.size())));
            if (i >= pool.size()) {
                s.id = s.id + "-copy" + (i / pool.size());
                if (mix == Mix.distinct) {
                    s.match = s.match == null ? new LinkedHashMap<>() : new LinkedHashMap<>(s.match);
                    s.match.put("service.name", "bench-service-" + i);
                }
            }
            out.add(s);
        }
        return out;
    }
}
