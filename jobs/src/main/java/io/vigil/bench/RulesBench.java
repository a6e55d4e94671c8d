package io.vigil.bench;

import io.vigil.cli.VigilCli;
import io.vigil.detect.DetectorOperator;
import io.vigil.generator.GeneratorSource;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.RuleSource;
import io.vigil.rules.RuleCodec;
import io.vigil.rules.RuleSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil bench rules}: records/s per core of the whole detection job with 1, 10 and 50 active rules (or
 * {@code --counts}), next to the same job with no rules (source, decoding, dead-letter split, routing) measured in the
 * same run, on the heap or RocksDB state backend, with copies of the starter rules that match as they do or with
 * copies that pin services of their own ({@code --mix}). Every job runs at parallelism 1 in a local cluster, so
 * records/s is per core; each case (no rules, then each count) runs in a JVM of its own unless {@code --no-fork},
 * warms up and then runs a few rounds, and reports its best. Rules are taken from the given folder and repeated (with
 * new ids) up to each count.
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
            names = "--density",
            defaultValue = "1",
            description = "each 10-second tick's records this many times, each copy in its own part of the tick: a "
                    + "history with as many times the records per window and key. A run replays a simulated day in "
                    + "seconds, so work done per window (timers, window ends) weighs more per record than in a live "
                    + "stream of the same rate; the targets are measured at 1 (default: ${DEFAULT-VALUE})")
    int density;

    @Option(
            names = "--mix",
            defaultValue = "copies",
            description = "copies: every extra rule matches like the rule it copies (the worst case); distinct: every "
                    + "extra rule pins a service of its own, as a real pack's rules do, so it misses the demo's "
                    + "records (default: ${DEFAULT-VALUE})")
    Mix mix;

    @Option(
            names = "--state-cache-entries",
            description = "detector state the detectors keep on the heap between write-backs on RocksDB, as the job's "
                    + "state-cache-entries (default: the job's default, ${DEFAULT-VALUE})")
    int stateCacheEntries = DetectorOperator.STATE_CACHE_CAPACITY;

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

    @Option(
            names = "--fork",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "run each case (no rules, then each count) in a JVM of its own, as JMH forks; --no-fork "
                    + "runs them one after another in this JVM (to record them in one profile), where the JIT's "
                    + "profile of one case carries into the next (default: ${DEFAULT-VALUE})")
    boolean fork;

    @Option(
            names = "--forks",
            defaultValue = "1",
            description = "JVMs per case with --fork, the best of them reported and each one's records/s listed: "
                    + "the code the JIT compiles differs between JVMs of one build, which moved the no-rules case "
                    + "from 214,376 to 270,422 records/s between two commands (default: ${DEFAULT-VALUE})")
    int forks;

    /**
     * Runs of a case before its rounds. One was not enough on two cores: the JIT's compile time in each run of the
     * 20-rule case (the JVM's {@code CompilationMXBean}) was 13.3 s, 4.8 s, 1.5 s, then 0.6 to 0.9 s a run, what
     * deploying a job costs (the no-rules case: 7.8 s, 1.4 s, 0.9 s, then 0.6 to 1.5 s); the compiler threads took a
     * core's share from the job in the first two runs after a one-run warm-up, and their records/s (117,653 against
     * 160,574 for the third) decided a best of two.
     */
    static final int WARM_UP_RUNS = 3;

    /** Set in a forked JVM: the one case it runs (0 is no rules), whose result it prints for the command that forked. */
    @Option(names = "--case", hidden = true)
    Integer onlyCase;

    /** How a forked case's result line starts. */
    static final String RESULT = "bench-rules-case-result";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || forks < 1 || !(hours > 0) || counts.stream().anyMatch(c -> c < 1)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--rounds, --forks and every --counts value must be at least 1, and --hours more than 0");
        }
        if (density < 1 || density > 1000) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--density must be from 1 (the demo's records) to 1000, e.g. 10, not " + density);
        }
        if (stateCacheEntries < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--state-cache-entries must be at least 1, e.g. 200000");
        }
        // Compiled where the files are (this also inlines list files of kind list), before the copies are made.
        List<RuleSpec> pool = job.enabledRules(spec);
        GeneratorSource source = BenchJobs.demoSource(hours).denser(density);
        if (onlyCase != null) {
            Result r = measure(source, take(pool, onlyCase, mix));
            System.out.println(String.join(
                    " ",
                    RESULT,
                    Long.toString(ProcessHandle.current().pid()),
                    Long.toString(source.total()),
                    Double.toString(r.perSecond),
                    Double.toString(r.perCpuSecond),
                    r.cpuPerRecord));
            return 0;
        }
        System.out.printf(
                "%,d records of demo telemetry per run%s, parallelism 1, each case %d warm-up runs and the best of %d "
                        + "rounds, %s, %s state, %s, mix %s; rules drawn from %d in %s%n",
                source.total(),
                density == 1 ? "" : " (--density " + density + ": the demo's records " + density + " times a window)",
                WARM_UP_RUNS,
                rounds,
                fork
                        ? (forks == 1 ? "in a JVM of its own" : "in each of " + forks + " JVMs of its own (the best)")
                        : "all in this JVM",
                job.stateBackend == BenchStateBackend.heap
                        ? job.stateBackend
                        : String.format(
                                Locale.ROOT,
                                "%s (its cache %,d entries, %s)",
                                job.stateBackend,
                                stateCacheEntries,
                                BenchJobs.rocksDbTimers()),
                BenchJobs.networkBuffers(),
                mix,
                pool.size(),
                job.rules);
        Result baseline = fork ? bestOfForks(0, source.total()) : measure(source, List.of());
        System.out.printf(
                "%-12s %,12.0f records/s per core   %,12.0f records per CPU-second%s%n",
                "no rules", baseline.perSecond, baseline.perCpuSecond, baseline.where());
        System.out.printf("%-12s CPU per record, microseconds: %s%n", "", baseline.cpuPerRecord);
        for (int n : counts) {
            Result rate = fork ? bestOfForks(n, source.total()) : measure(source, take(pool, n, mix));
            System.out.printf(
                    "%-12s %,12.0f records/s per core   ratio to no rules %.2f   %,12.0f records per CPU-second   "
                            + "ratio %.2f%s%n",
                    n + " rules",
                    rate.perSecond,
                    rate.perSecond / baseline.perSecond,
                    rate.perCpuSecond,
                    rate.perCpuSecond / baseline.perCpuSecond,
                    rate.where());
            System.out.printf("%-12s CPU per record, microseconds: %s%n", "", rate.cpuPerRecord);
        }
        return 0;
    }

    /**
     * A case's best records/s of its rounds (net job runtime), its best records per CPU-second of the process (see
     * {@link BenchJobs#execute}; the steadier of the two on a shared machine), the CPU per record of each task in its
     * fastest round, and when forked the JVMs it ran in with each one's records/s (empty when not).
     */
    private record Result(double perSecond, double perCpuSecond, String cpuPerRecord, String jvms) {
        String where() {
            return jvms.isEmpty() ? "" : "   (JVM " + jvms + ")";
        }
    }

    /**
     * Runs a case in this JVM: {@link #WARM_UP_RUNS} runs to warm up, then the rounds. The warm-up is the case itself:
     * the JIT compiles the paths of its rules' kinds before it is measured. A warm-up of one rule, as before, left the
     * other kinds' paths to be compiled during the first case with rules (on one core the compiler threads took a third
     * of it for twelve seconds of a 20-rule case); a warm-up of every rule, tried next, slowed the no-rules case
     * measured after it from 287,799 to 179,369 records/s, its code compiled for the rules' paths.
     */
    private Result measure(GeneratorSource source, List<RuleSpec> specs) throws Exception {
        for (int i = 0; i < WARM_UP_RUNS; i++) {
            run(source, specs);
        }
        double bestPerCpu = 0;
        BenchJobs.Run fastest = null;
        for (int i = 0; i < rounds; i++) {
            BenchJobs.Run run = run(source, specs);
            if (fastest == null || run.millis() < fastest.millis()) {
                fastest = run;
            }
            bestPerCpu = Math.max(bestPerCpu, run.perCpuSecond(source.total()));
        }
        return new Result(fastest.perSecond(source.total()), bestPerCpu, fastest.cpuPerRecord(source.total()), "");
    }

    private BenchJobs.Run run(GeneratorSource source, List<RuleSpec> specs) throws Exception {
        StreamExecutionEnvironment env = job.environment();
        DetectionConfig config = new DetectionConfig();
        config.stateCacheEntries = stateCacheEntries;
        new DetectionJob(config, source, RuleSource.of(specs), BenchJobs.discardingSinks()).build(env);
        // Net runtime: from job start to end, without starting the MiniCluster.
        return BenchJobs.execute(env, "bench rules");
    }

    /** The case of {@code n} rules in {@code --forks} new JVMs, one after another: the fastest, and the best per CPU. */
    private Result bestOfForks(int n, long records) throws IOException, InterruptedException {
        Result best = null;
        double bestPerCpu = 0;
        List<String> jvms = new ArrayList<>();
        for (int f = 0; f < forks; f++) {
            Result r = forked(n, records);
            if (best == null || r.perSecond > best.perSecond) {
                best = r;
            }
            bestPerCpu = Math.max(bestPerCpu, r.perCpuSecond);
            jvms.add(forks == 1 ? r.jvms : String.format(Locale.ROOT, "%s %,.0f/s", r.jvms, r.perSecond));
        }
        return new Result(best.perSecond, bestPerCpu, best.cpuPerRecord, String.join(", ", jvms));
    }

    /**
     * Runs the case of {@code n} rules in a new JVM with this one's settings and class path (a profiler's or a
     * debugger's agent left out) and reads back its result. Why: in one JVM every case runs on code the JIT compiled
     * for the cases before it, which moved a case's records/s by more than a third depending on what ran first.
     */
    private Result forked(int n, long records) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-XX:StartFlightRecording")
                    && !arg.startsWith("-XX:FlightRecorderOptions")
                    && !arg.startsWith("-agentlib")
                    && !arg.startsWith("-agentpath")
                    && !arg.startsWith("-javaagent")) {
                command.add(arg);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), VigilCli.class.getName()));
        command.addAll(List.of("bench", "rules", "--case", Integer.toString(n), "--hours", Double.toString(hours)));
        command.addAll(List.of("--mix", mix.name(), "--rounds", Integer.toString(rounds)));
        command.addAll(List.of("--density", Integer.toString(density)));
        command.addAll(List.of("--state-backend", job.stateBackend.name()));
        command.addAll(List.of("--state-cache-entries", Integer.toString(stateCacheEntries)));
        for (Path r : job.rules) {
            command.addAll(List.of("--rules", r.toString()));
        }
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String result = null;
        try (BufferedReader out = p.inputReader(StandardCharsets.UTF_8)) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(RESULT + " ")) {
                    result = line;
                }
            }
        }
        int exit = p.waitFor();
        if (exit != 0 || result == null) {
            throw new IllegalStateException("the case with " + n + " rules failed in its own JVM (exit " + exit
                    + "; its errors are above): " + String.join(" ", command));
        }
        String[] f = result.split(" ", 6);
        if (Long.parseLong(f[2]) != records) {
            // A flag that shapes the history was not passed on: the ratios would compare different runs.
            throw new IllegalStateException("the case with " + n + " rules ran " + f[2]
                    + " records in its own JVM, not " + records + ": " + String.join(" ", command));
        }
        return new Result(Double.parseDouble(f[3]), Double.parseDouble(f[4]), f[5], f[1]);
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
