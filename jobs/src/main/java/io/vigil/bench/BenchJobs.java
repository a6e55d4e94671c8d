package io.vigil.bench;

import io.vigil.cli.VigilHome;
import io.vigil.generator.GeneratorSource;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.job.DetectionJob;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamGraph;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What the benchmarks that run the whole detection job in this JVM share: the {@code --rules} and
 * {@code --state-backend} options (a picocli mixin), the local environment at parallelism 1, the demo telemetry
 * source and sinks that discard, so every such benchmark measures the same job the same way.
 */
final class BenchJobs {
    private static final com.sun.management.OperatingSystemMXBean CPU = (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /**
     * A job's run: its net runtime, the CPU-seconds of this process from the job's submission to its end, and those
     * of each of the job's tasks (see {@link TaskCpu}), most first.
     */
    record Run(long millis, double cpuSeconds, Map<String, Double> taskCpuSeconds) {
        double perSecond(long records) {
            return records * 1000.0 / millis;
        }

        double perCpuSecond(long records) {
            return records / cpuSeconds;
        }

        /**
         * CPU microseconds per record of each task and of the rest of the process (the JIT, the GC, the cluster), as
         * {@code "Source: Telemetry generator 4.21, Detectors 3.05, other tasks 0.12, rest of the process 1.10"}; a
         * task with under 2% of the process's CPU counts among the other tasks.
         */
        String cpuPerRecord(long records) {
            StringBuilder out = new StringBuilder();
            double tasks = 0;
            double small = 0;
            for (Map.Entry<String, Double> e : taskCpuSeconds.entrySet()) {
                tasks += e.getValue();
                if (e.getValue() < cpuSeconds / 50) {
                    small += e.getValue(); // under 2% of the process: listed together
                } else {
                    out.append(String.format(Locale.ROOT, "%s %.2f, ", e.getKey(), e.getValue() * 1e6 / records));
                }
            }
            return out.append(String.format(
                            Locale.ROOT,
                            "other tasks %.2f, rest of the process %.2f",
                            small * 1e6 / records,
                            Math.max(0, cpuSeconds - tasks) * 1e6 / records))
                    .toString();
        }
    }

    /**
     * Runs the job of {@code env} and measures it. CPU counts every thread of this process (the job's, the GC's, the
     * JIT's) from the job's submission to its end. On a shared machine other processes take cores from the job, which
     * lowers records/s between runs of one build by up to a third, and records per CPU-second less (by up to a sixth
     * in runs seen), so the latter is the steadier figure to compare builds with.
     *
     * <p>Every job of a command runs on one local cluster ({@link #cluster}), started with the first, as jobs run on a
     * cluster that stays up. A local environment's own {@code execute} starts a cluster per job, and each cluster
     * loads Flink's RPC system (Pekko, Scala) in a class loader of its own, which the JIT then compiled again: in
     * {@code bench e2e} the compiler threads took 10 to 75% of a core during every measured round, on a machine of two.
     */
    static Run execute(StreamExecutionEnvironment env, String name) throws Exception {
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(name);
        JobGraph job = graph.getJobGraph();
        MiniCluster cluster = cluster(env.getParallelism());
        long before = CPU.getProcessCpuTime();
        JobExecutionResult result;
        TaskCpu tasks = TaskCpu.start();
        try (tasks) {
            result = cluster.executeJobBlocking(job);
        }
        long cpu = CPU.getProcessCpuTime() - before;
        return new Run(result.getNetRuntime(TimeUnit.MILLISECONDS), cpu / 1e9, tasks.byTask());
    }

    private static MiniCluster cluster;
    private static int slots;

    /**
     * The local cluster of this command, with slots for jobs of up to {@code parallelism} (a job's operators share
     * a slot per parallel instance); jobs carry their own settings (state backend, generic types, checkpoints), so one
     * cluster serves every case. Closed when the JVM exits.
     */
    private static synchronized MiniCluster cluster(int parallelism) throws Exception {
        if (cluster != null && cluster.isRunning() && slots >= parallelism) {
            return cluster;
        }
        if (cluster != null) {
            cluster.close();
        } else {
            Runtime.getRuntime().addShutdownHook(new Thread(BenchJobs::closeCluster, "bench-cluster-shutdown"));
        }
        slots = Math.max(parallelism, 1);
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder() // as RuleTestRunner's
                .setConfiguration(clusterNetwork(VigilHome.flinkConf()))
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .withRandomPorts()
                .build());
        cluster.start();
        return cluster;
    }

    /** The network settings the local cluster takes from a cluster configuration: see {@link #clusterNetwork}. */
    private static final List<ConfigOption<MemorySize>> NETWORK_SETTINGS = List.of(
            TaskManagerOptions.MEMORY_SEGMENT_SIZE,
            TaskManagerOptions.NETWORK_MEMORY_MIN,
            TaskManagerOptions.NETWORK_MEMORY_MAX);

    /**
     * The network settings of the cluster configuration in {@code flinkConf} (the checkout's {@code flink-conf/}), for
     * the local cluster, so a benchmark runs the job with the buffers the cluster gives it; none (Flink's defaults)
     * where there is no {@code config.yaml}. Only these: the file's ports and addresses are a standalone cluster's,
     * which may be running beside. They matter because Flink 2 fixes how many buffers a channel may fill (ten), so
     * their size is all a task can hand on while the task after it is busy (see flink-conf/config.yaml).
     */
    static Configuration clusterNetwork(Path flinkConf) {
        return clusterSettings(flinkConf, NETWORK_SETTINGS);
    }

    /** The RocksDB settings a benchmark's job takes from a cluster configuration: see {@link #clusterRocksDb}. */
    private static final List<ConfigOption<?>> ROCKSDB_SETTINGS = List.of(
            RocksDBOptions.TIMER_SERVICE_FACTORY,
            RocksDBOptions.ROCKSDB_TIMER_SERVICE_FACTORY_CACHE_SIZE,
            RocksDBOptions.PREDEFINED_OPTIONS,
            RocksDBOptions.OPTIONS_FACTORY);

    /**
     * The RocksDB settings of the cluster configuration in {@code flinkConf} (the checkout's {@code flink-conf/}), for a
     * benchmark's job on RocksDB, so it keeps its timers and tunes RocksDB as the cluster does: where the timers live
     * decided a fifth to a quarter of the detectors' time with 200 rules (docs/operations/cluster.md). None (Flink's
     * defaults) where there is no {@code config.yaml}; not the local directories, which are the cluster's.
     */
    static Configuration clusterRocksDb(Path flinkConf) {
        return clusterSettings(flinkConf, ROCKSDB_SETTINGS);
    }

    /** Those of {@code options} the cluster configuration in {@code flinkConf} sets; none without a file there. */
    private static Configuration clusterSettings(Path flinkConf, List<? extends ConfigOption<?>> options) {
        Configuration settings = new Configuration();
        if (Files.isRegularFile(flinkConf.resolve(GlobalConfiguration.FLINK_CONF_FILENAME))) {
            Configuration all = GlobalConfiguration.loadConfiguration(flinkConf.toString());
            for (ConfigOption<?> option : options) {
                copy(option, all, settings);
            }
        }
        return settings;
    }

    private static <T> void copy(ConfigOption<T> option, Configuration from, Configuration to) {
        from.getOptional(option).ifPresent(value -> to.set(option, value));
    }

    /** Where a job on RocksDB keeps its timers, for a benchmark's header: "timers in ROCKSDB (.../config.yaml)". */
    static String rocksDbTimers() {
        return "timers in "
                + fromClusterFile(RocksDBOptions.TIMER_SERVICE_FACTORY, clusterRocksDb(VigilHome.flinkConf()));
    }

    /** A setting of the checkout's cluster file for a header, with where it came from: "256 kb (.../config.yaml)". */
    private static String fromClusterFile(ConfigOption<?> option, Configuration settings) {
        Path file = VigilHome.flinkConf().resolve(GlobalConfiguration.FLINK_CONF_FILENAME);
        return settings.get(option)
                + (settings.contains(option) ? " (" + file + ")" : " (Flink's default; not set in " + file + ")");
    }

    /** The local cluster's network buffers, for a benchmark's header: "network buffers of 256 kb (.../config.yaml)". */
    static String networkBuffers() {
        return "network buffers of "
                + fromClusterFile(TaskManagerOptions.MEMORY_SEGMENT_SIZE, clusterNetwork(VigilHome.flinkConf()));
    }

    private static synchronized void closeCluster() {
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception e) {
                // The JVM is exiting; a cluster that cannot stop cleanly leaves nothing behind that matters.
            }
        }
    }

    @Option(
            names = "--rules",
            defaultValue = "${sys:vigil.home:-.}/rules",
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
        for (Path p : rules) {
            if (!Files.exists(p)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--rules: no such file or folder: " + p.toAbsolutePath()
                                + " (give a rule file or a folder of them; the default is the checkout's rules/)");
            }
        }
        List<RuleSpec> pool =
                RuleLoader.load(rules).stream().filter(r -> r.enabled).toList();
        if (pool.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no enabled rules in " + rules);
        }
        RuleCompiler.compileAll(pool);
        return pool;
    }

    /**
     * A local environment at parallelism 1 on the chosen state backend (RocksDB with the cluster's settings), without
     * Kryo, REST on a free port.
     */
    StreamExecutionEnvironment environment() {
        return localEnvironment(stateBackend);
    }

    static StreamExecutionEnvironment localEnvironment(BenchStateBackend backend) {
        return localEnvironment(backend, VigilHome.flinkConf());
    }

    /** {@link #localEnvironment(BenchStateBackend)} with the RocksDB settings of the cluster configuration in a folder. */
    static StreamExecutionEnvironment localEnvironment(BenchStateBackend backend, Path flinkConf) {
        Configuration conf = stateBackendSettings(backend, flinkConf);
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return StreamExecutionEnvironment.createLocalEnvironment(1, conf);
    }

    /** A job's state backend settings: the backend, and on RocksDB the cluster's {@link #clusterRocksDb settings}. */
    static Configuration stateBackendSettings(BenchStateBackend backend) {
        return stateBackendSettings(backend, VigilHome.flinkConf());
    }

    private static Configuration stateBackendSettings(BenchStateBackend backend, Path flinkConf) {
        Configuration conf = backend == BenchStateBackend.rocksdb ? clusterRocksDb(flinkConf) : new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, backend.flinkName);
        return conf;
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
