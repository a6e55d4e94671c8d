package io.vigil.bench;

import io.vigil.generator.GeneratorSource;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.RuleSource;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleSpec;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil bench state}: the keyed state each rule kind leaves after a run of demo telemetry, in bytes per (rule,
 * key) pair. For each kind the job runs with the starter rules of that kind only, and once with no rules; when the
 * source has emitted its last record (it then stays open, so the job keeps its state) the job is stopped with a
 * canonical savepoint, whose metadata gives each operator's state size. The detectors' bytes, less the no-rules run's,
 * are divided by the (rule, key) pairs the run's records matched: a lower bound for the bytes a live pair costs, since
 * a pair whose window closed long ago may hold nothing by then.
 */
@Command(
        name = "state",
        mixinStandardHelpOptions = true,
        description = "Keyed state bytes per (rule, key) pair for each rule kind, from a savepoint after a run.")
public final class StateBench implements Callable<Integer> {
    @CommandLine.Mixin
    BenchJobs job;

    @Option(
            names = "--hours",
            defaultValue = "2",
            description = "simulated hours of demo telemetry per run (default: ${DEFAULT-VALUE})")
    double hours;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The source's "last record emitted" signal; the job runs in this JVM, so a static reaches it. */
    private static volatile CountDownLatch drained;

    /** (rule, key) pairs the run's records matched, filled by {@link MatchedPairs} in this JVM. */
    private static final Set<String> PAIRS = ConcurrentHashMap.newKeySet();

    @Override
    public Integer call() throws Exception {
        if (!(hours > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--hours must be more than 0, e.g. 2");
        }
        List<RuleSpec> pool = job.enabledRules(spec);
        Map<String, List<RuleSpec>> byKind =
                pool.stream().collect(Collectors.groupingBy(r -> r.kind, TreeMap::new, Collectors.toList()));
        GeneratorSource source = BenchJobs.demoSource(hours);
        System.out.printf(
                "%,d records of demo telemetry per run, parallelism 1, %s state; detector state from a canonical "
                        + "savepoint after the last record%n",
                source.total(), job.stateBackend);
        Map<String, Long> baseline = run(source, List.of());
        System.out.printf(
                "%-17s %6s %12s %16s %16s %18s%n",
                "kind", "rules", "rule-keys", "detector bytes", "bytes/rule-key", "other ops' bytes");
        for (Map.Entry<String, List<RuleSpec>> k : byKind.entrySet()) {
            Map<String, Long> sizes = run(source, k.getValue());
            long detectors = sizes.getOrDefault(DetectionJob.DETECTORS_UID, 0L)
                    - baseline.getOrDefault(DetectionJob.DETECTORS_UID, 0L);
            long others = 0;
            for (Map.Entry<String, Long> op : sizes.entrySet()) {
                if (!op.getKey().equals(DetectionJob.DETECTORS_UID)) {
                    others += op.getValue() - baseline.getOrDefault(op.getKey(), 0L);
                }
            }
            int pairs = PAIRS.size();
            System.out.printf(
                    "%-17s %6d %,12d %,16d %16s %,18d%n",
                    k.getKey(),
                    k.getValue().size(),
                    pairs,
                    detectors,
                    pairs == 0 ? "-" : String.format("%,.0f", detectors / (double) pairs),
                    others);
        }
        System.out.println("other ops' bytes: state of every other operator (realert, sequence operators, sources) "
                + "beyond the no-rules run's");
        return 0;
    }

    /** Runs the job on {@code specs} and returns each stateful operator's savepoint state size, by uid. */
    private Map<String, Long> run(GeneratorSource source, List<RuleSpec> specs) throws Exception {
        PAIRS.clear();
        drained = new CountDownLatch(1);
        Path savepoints = Files.createTempDirectory("vigil-bench-state");
        try {
            StreamExecutionEnvironment env = job.environment();
            DetectionJob.Sinks sinks = BenchJobs.discardingSinks();
            // A watermark with every record: the timers its last record makes due have fired before the savepoint's
            // barrier, so what is measured does not depend on when a periodic watermark happened to be sent.
            DetectionConfig config = new DetectionConfig();
            config.watermarkEveryRecord = true;
            DetectionJob.Streams streams = new DetectionJob(
                            config, source.heldOpen(new StopAfter(source.total())), RuleSource.of(specs), sinks)
                    .build(env);
            streams.telemetry()
                    .flatMap(new MatchedPairs(specs), Types.STRING)
                    .uid("bench-matched-pairs")
                    .sinkTo(new DiscardingSink<>())
                    .uid("bench-matched-pairs-discard");
            JobClient job = env.executeAsync("bench state");
            if (!drained.await(30, TimeUnit.MINUTES)) {
                job.cancel();
                throw new IllegalStateException("the source did not emit its " + source.total()
                        + " records within 30 minutes; try fewer --hours");
            }
            // Aligned barriers follow every record already emitted, so the savepoint holds the state after all of them.
            String savepoint = job.stopWithSavepoint(
                            false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(10, TimeUnit.MINUTES);
            return stateSizes(Path.of(java.net.URI.create(savepoint)));
        } finally {
            try (var files = Files.walk(savepoints)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Map<String, Long> stateSizes(Path savepoint) throws Exception {
        CheckpointMetadata metadata;
        try (InputStream in = Files.newInputStream(savepoint.resolve("_metadata"))) {
            metadata = Checkpoints.loadCheckpointMetadata(
                    new DataInputStream(in), StateBench.class.getClassLoader(), savepoint.toString());
        }
        Map<String, Long> sizes = new TreeMap<>();
        for (OperatorState op : metadata.getOperatorStates()) {
            String uid = op.getOperatorUid().orElse(op.getOperatorID().toString());
            sizes.merge(uid, op.getStateSize(), Long::sum);
        }
        return sizes;
    }

    /** Grants the source its records and then never again, signalling {@link #drained} when it is asked past them. */
    private static final class StopAfter implements RateLimiterStrategy<NumberSequenceSplit> {
        private static final long serialVersionUID = 1L;

        private final long records;

        StopAfter(long records) {
            this.records = records;
        }

        @Override
        public RateLimiter<NumberSequenceSplit> createRateLimiter(int parallelism) {
            AtomicLong granted = new AtomicLong();
            CompletableFuture<Void> never = new CompletableFuture<>();
            return permits -> {
                if (granted.addAndGet(permits) <= records) {
                    return CompletableFuture.completedFuture(null);
                }
                drained.countDown();
                return never;
            };
        }
    }

    /** Notes each (rule, key) pair a record matches, as the router would route it. */
    private static final class MatchedPairs extends RichFlatMapFunction<Telemetry, String> {
        private static final long serialVersionUID = 1L;

        private final List<RuleSpec> specs;
        private transient List<CompiledRule> compiled;

        MatchedPairs(List<RuleSpec> specs) {
            this.specs = specs;
        }

        @Override
        public void open(OpenContext openContext) {
            compiled = RuleCompiler.compileAll(specs);
        }

        @Override
        public void flatMap(Telemetry record, Collector<String> out) {
            for (CompiledRule r : compiled) {
                if (r.filter.test(record)) {
                    PAIRS.add(r.keyOf(record));
                }
            }
        }
    }
}
