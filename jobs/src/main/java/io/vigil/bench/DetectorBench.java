package io.vigil.bench;

import io.vigil.generator.GeneratorSource;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.RuleSource;
import io.vigil.model.Alert;
import io.vigil.model.DeadLetter;
import io.vigil.model.Rollup;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleSpec;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Detector benchmark: records per CPU-second through the whole detection job (generator source, decode, routing,
 * keyed detectors, realert) in a local Flink MiniCluster at parallelism 1, with 1, 10 and 50 active rules of the slo,
 * percentage_match, spike, flatline and change kinds, against the same job with no rules (the baseline: source,
 * decoding and routing) measured in the same run. The rules cycle through the five kinds and all match the demo's
 * server spans, ERROR logs or request-rate metrics, so with 50 rules a span meets about 30 of them: a heavy load.
 *
 * <p>CPU time is the whole process's (every Flink thread), so "per core" means per CPU-second actually used; the wall
 * figure is what one job slot achieved on this machine. The cost of starting and stopping the MiniCluster, measured
 * on one minute of telemetry in the same run, is taken off both.
 */
@Command(name = "detectors", mixinStandardHelpOptions = true,
        description = "Records/s per core through the detection job with 1, 10 and 50 rules of the slo, spike, "
                + "flatline, change and percentage_match kinds vs the same job without rules.")
public final class DetectorBench implements Callable<Integer> {
    @Option(names = "--hours", defaultValue = "2", description = "Hours of demo telemetry per run (default ${DEFAULT-VALUE}).")
    int hours;

    @Option(names = "--rules", split = ",", defaultValue = "1,10,50",
            description = "Rule counts to measure, comma-separated (default ${DEFAULT-VALUE}).")
    List<Integer> ruleCounts;

    @Option(names = "--kinds", split = ",", defaultValue = "slo,percentage_match,spike,flatline,change",
            description = "Kinds the rules cycle through (default ${DEFAULT-VALUE}).")
    List<String> kinds;

    @Option(names = "--rounds", defaultValue = "2",
            description = "Runs per case; the median counts (default ${DEFAULT-VALUE}).")
    int rounds;

    static final List<String> KINDS = List.of("slo", "percentage_match", "spike", "flatline", "change");

    private static final com.sun.management.OperatingSystemMXBean CPU =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    @Override
    public Integer call() throws Exception {
        if (hours <= 0 || rounds <= 0 || ruleCounts.stream().anyMatch(n -> n <= 0)) {
            System.err.println("--hours, --rounds and every --rules count must be positive");
            return 2;
        }
        for (String k : kinds) {
            if (!KINDS.contains(k)) {
                System.err.println("--kinds: unknown kind '" + k + "'; one or more of " + String.join(", ", KINDS));
                return 2;
            }
        }
        TelemetryGenerator generator = new TelemetryGenerator(TelemetryGenerator.DEFAULT_SEED,
                TelemetryGenerator.DEFAULT_START, Duration.ofHours(hours));
        long records = new GeneratorSource(generator).total();
        System.out.printf(Locale.ROOT, "%,d generated records (%d h of demo telemetry), parallelism 1, heap state%n",
                records, hours);
        run(generator, 0, kinds); // warm-up: class loading and JIT
        // Starting and stopping a MiniCluster costs seconds whatever the input: measured on one minute of telemetry and
        // taken off every run, so the figures are the records' cost.
        TelemetryGenerator minute = new TelemetryGenerator(TelemetryGenerator.DEFAULT_SEED,
                TelemetryGenerator.DEFAULT_START, Duration.ofMinutes(1));
        double[] overhead = run(minute, 0, kinds);
        for (int i = 1; i < rounds; i++) {
            double[] o = run(minute, 0, kinds);
            overhead[0] = Math.min(overhead[0], o[0]);
            overhead[1] = Math.min(overhead[1], o[1]);
        }
        System.out.printf(Locale.ROOT, "Job start and stop: %.1f s wall, %.1f cpu-s (taken off each run)%n",
                overhead[0], overhead[1]);
        List<Integer> cases = new ArrayList<>();
        cases.add(0);
        cases.addAll(ruleCounts);
        Map<Integer, double[]> results = new LinkedHashMap<>();
        for (int n : cases) {
            double[] perCore = new double[rounds];
            double[] wall = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                double[] m = run(generator, n, kinds);
                perCore[r] = records / Math.max(1e-3, m[1] - overhead[1]);
                wall[r] = records / Math.max(1e-3, m[0] - overhead[0]);
                System.out.printf(Locale.ROOT, "  %2d rules, run %d: %,10.0f records/cpu-s  %,10.0f records/s wall%n",
                        n, r + 1, perCore[r], wall[r]);
            }
            results.put(n, new double[] {median(perCore), median(wall)});
        }
        double base = results.get(0)[0];
        System.out.println();
        System.out.println("Detector benchmark (median of " + rounds + " runs; ratio = records/cpu-s vs no rules)");
        System.out.printf(Locale.ROOT, "  %-22s %16s %16s %8s%n", "case", "records/cpu-s", "records/s wall", "ratio");
        for (Map.Entry<Integer, double[]> e : results.entrySet()) {
            String name = e.getKey() == 0 ? "no rules (baseline)" : e.getKey() + " rules";
            System.out.printf(Locale.ROOT, "  %-22s %,16.0f %,16.0f %8.2f%n", name, e.getValue()[0], e.getValue()[1],
                    e.getValue()[0] / base);
        }
        return 0;
    }

    /** Runs the job once over the generator with {@code n} rules; returns {wall seconds, process CPU seconds}. */
    private static double[] run(TelemetryGenerator generator, int n, List<String> kinds) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestOptions.BIND_PORT, "0");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        List<RuleSpec> rules = rules(n, kinds);
        RuleCompiler.compileAll(rules); // fail here, with the problems, rather than inside the job
        new DetectionJob(new DetectionConfig(), new GeneratorSource(generator), RuleSource.of(rules),
                new DetectionJob.Sinks(List.<org.apache.flink.api.connector.sink2.Sink<Alert>>of(new DiscardingSink<>()),
                        List.<org.apache.flink.api.connector.sink2.Sink<Rollup>>of(new DiscardingSink<>()),
                        List.<org.apache.flink.api.connector.sink2.Sink<DeadLetter>>of(new DiscardingSink<>())))
                .build(env);
        long cpu0 = CPU.getProcessCpuTime();
        long wall0 = System.nanoTime();
        env.execute("detector-bench-" + n);
        return new double[] {(System.nanoTime() - wall0) / 1e9, (CPU.getProcessCpuTime() - cpu0) / 1e9};
    }

    /** {@code n} distinct rules cycling through {@code kinds}, all matching the demo's telemetry. */
    static List<RuleSpec> rules(int n, List<String> kinds) {
        List<RuleSpec> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RuleSpec r = new RuleSpec();
            r.keyBy = new ArrayList<>(List.of("service.name"));
            r.match.put("signal", "span");
            r.match.put("kind", "server");
            switch (kinds.get(i % kinds.size())) {
                case "slo":
                    r.kind = "slo";
                    r.params.put("objective", 99.5);
                    r.params.put("bad", Map.of("status", "error"));
                    break;
                case "percentage_match":
                    r.kind = "percentage_match";
                    r.params.put("matching", Map.of("status", "error"));
                    r.params.put("window", "5m");
                    r.params.put("slide", "1m");
                    r.params.put("bound", 5 + i);
                    break;
                case "spike":
                    r.kind = "spike";
                    r.match.clear();
                    r.match.put("signal", "log");
                    r.match.put("severity", "ERROR");
                    r.params.put("window", "5m");
                    r.params.put("baseline", 6);
                    r.params.put("ratio", 5);
                    break;
                case "flatline":
                    r.kind = "flatline";
                    r.match.clear();
                    r.match.put("signal", "metric");
                    r.match.put("name", "http.server.request.rate");
                    r.params.put("window", "2m");
                    break;
                default:
                    r.kind = "change";
                    r.params.put("field", "service.version");
                    break;
            }
            r.id = "bench-" + r.kind.replace('_', '-') + "-" + i;
            r.name = r.id;
            out.add(r);
        }
        return out;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
