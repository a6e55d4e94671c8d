package io.vigil.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.checkpoint.CheckpointType;
import org.apache.flink.runtime.state.AbstractKeyedStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmarks' jobs run one after another on one local cluster ({@link BenchJobs#execute}); each keeps the settings
 * its environment gave it, the state backend above all, which the cluster was not started with.
 */
class BenchJobsTest {
    /** The keyed state backend each probe job ran on, and the task manager it ran in, by job. */
    private static final Map<String, String> BACKENDS = new ConcurrentHashMap<>();

    private static final Map<String, Integer> TASK_MANAGERS = new ConcurrentHashMap<>();

    /** Whether each probe job's timers were on the heap (RocksDB then writes them whole in each checkpoint). */
    private static final Map<String, Boolean> TIMERS_ON_HEAP = new ConcurrentHashMap<>();

    @Test
    void jobsRunOnOneClusterEachWithItsOwnStateBackend() throws Exception {
        for (BenchStateBackend backend : List.of(BenchStateBackend.rocksdb, BenchStateBackend.heap)) {
            StreamExecutionEnvironment env = BenchJobs.localEnvironment(backend);
            env.fromData(1, 2, 3)
                    .keyBy(i -> i % 2, Types.INT)
                    .transform("probe", Types.INT, new Probe(backend.name()))
                    .sinkTo(new DiscardingSink<>());
            BenchJobs.Run run = BenchJobs.execute(env, "probe " + backend);
            assertTrue(run.millis() >= 0 && run.cpuSeconds() > 0, run.toString());
        }
        assertEquals("RocksDBKeyedStateBackend", BACKENDS.get("rocksdb"));
        assertEquals("HeapKeyedStateBackend", BACKENDS.get("heap"));
        assertEquals(TASK_MANAGERS.get("rocksdb"), TASK_MANAGERS.get("heap"), "both jobs ran in one task manager");
    }

    /**
     * A job on RocksDB keeps its timers where the cluster configuration says, on the heap or in RocksDB (Flink's
     * default), and takes none of the file's other settings.
     */
    @Test
    void aJobOnRocksDbKeepsItsTimersWhereTheClusterConfigurationSays(@TempDir Path conf) throws Exception {
        Files.writeString(conf.resolve("config.yaml"), """
                state:
                  backend:
                    rocksdb:
                      timer-service:
                        factory: HEAP
                      localdir: /nowhere
                rest:
                  port: 8081
                """);
        Configuration rocksDb = BenchJobs.clusterRocksDb(conf);
        assertEquals(
                EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP,
                rocksDb.get(RocksDBOptions.TIMER_SERVICE_FACTORY));
        assertEquals(1, rocksDb.keySet().size(), rocksDb.toString());
        assertTrue(BenchJobs.clusterRocksDb(conf.resolve("absent")).keySet().isEmpty(), "no file: Flink's defaults");

        for (Path folder : List.of(conf, conf.resolve("absent"))) {
            StreamExecutionEnvironment env = BenchJobs.localEnvironment(BenchStateBackend.rocksdb, folder);
            env.fromData(1, 2, 3)
                    .keyBy(i -> i % 2, Types.INT)
                    .transform("probe", Types.INT, new Probe("timers " + folder))
                    .sinkTo(new DiscardingSink<>());
            BenchJobs.execute(env, "probe timers " + folder);
        }
        assertEquals(true, TIMERS_ON_HEAP.get("timers " + conf), "the file's HEAP");
        assertEquals(false, TIMERS_ON_HEAP.get("timers " + conf.resolve("absent")), "Flink's default, RocksDB");
    }

    /**
     * A run reports the CPU of each task under the name of its first operator: the probe's task (probe, then the sink,
     * chained) burns a known amount of CPU in its own thread, and the run must count at least that for it, and no more
     * for all tasks together than the process used.
     */
    @Test
    void aRunCountsTheCpuOfEachTaskUnderItsFirstOperator() throws Exception {
        StreamExecutionEnvironment env = BenchJobs.localEnvironment(BenchStateBackend.heap);
        env.fromData(1, 2, 3)
                .keyBy(i -> i % 2, Types.INT)
                .transform("probe", Types.INT, new Probe("burn", BURN_NANOS))
                .sinkTo(new DiscardingSink<>());
        BenchJobs.Run run = BenchJobs.execute(env, "burn");
        Double probe = run.taskCpuSeconds().get("probe");
        assertNotNull(probe, "the probe's task by its first operator's name: " + run.taskCpuSeconds());
        assertTrue(probe >= BURN_NANOS / 1e9, "the probe burned " + BURN_NANOS / 1e9 + " s of CPU: " + run);
        double tasks = run.taskCpuSeconds().values().stream()
                .mapToDouble(Double::doubleValue)
                .sum();
        assertTrue(tasks <= run.cpuSeconds(), "the tasks used no more CPU than the process: " + run);
        assertTrue(run.cpuPerRecord(3).startsWith("probe "), run.cpuPerRecord(3));
    }

    /**
     * The local cluster takes the network settings of a cluster configuration and nothing else from it: its ports and
     * addresses are a standalone cluster's, which may be running beside.
     */
    @Test
    void theLocalClusterTakesOnlyTheNetworkSettingsOfAClusterConfiguration(@TempDir Path conf) throws Exception {
        Files.writeString(conf.resolve("config.yaml"), """
                taskmanager:
                  data:
                    port: 6121
                  memory:
                    segment-size: 64kb
                    network:
                      min: 96m
                      max: 96m
                rest:
                  port: 8081
                """);
        Configuration network = BenchJobs.clusterNetwork(conf);
        assertEquals(MemorySize.parse("64kb"), network.get(TaskManagerOptions.MEMORY_SEGMENT_SIZE));
        assertEquals(MemorySize.parse("96m"), network.get(TaskManagerOptions.NETWORK_MEMORY_MIN));
        assertEquals(MemorySize.parse("96m"), network.get(TaskManagerOptions.NETWORK_MEMORY_MAX));
        assertEquals(3, network.keySet().size(), network.toString());
        assertTrue(BenchJobs.clusterNetwork(conf.resolve("absent")).keySet().isEmpty(), "no file: Flink's defaults");
    }

    /**
     * The checkout's cluster configuration gives each network buffer more room than Flink's default (32 kb): the
     * benchmarks run with it, as the cluster does.
     */
    @Test
    void theCheckoutsClusterConfigurationGivesLargerNetworkBuffers() {
        Configuration network = BenchJobs.clusterNetwork(Path.of("../flink-conf"));
        MemorySize segment = network.get(TaskManagerOptions.MEMORY_SEGMENT_SIZE);
        assertTrue(
                network.contains(TaskManagerOptions.MEMORY_SEGMENT_SIZE)
                        && segment.compareTo(TaskManagerOptions.MEMORY_SEGMENT_SIZE.defaultValue()) > 0,
                "segment size " + segment);
    }

    /** CPU the probe of {@link #aRunCountsTheCpuOfEachTaskUnderItsFirstOperator} burns, in nanoseconds. */
    private static final long BURN_NANOS = 300_000_000L;

    /**
     * Notes the keyed state backend and the task manager of the job it runs in; on opening, burns {@code burnNanos} of
     * its thread's CPU, then sleeps for twenty of {@link TaskCpu}'s reading periods, so the whole burn is read before
     * the thread ends even on a busy machine.
     */
    private static final class Probe extends AbstractStreamOperator<Integer>
            implements OneInputStreamOperator<Integer, Integer> {
        private final String job;
        private final long burnNanos;

        Probe(String job) {
            this(job, 0);
        }

        Probe(String job, long burnNanos) {
            this.job = job;
            this.burnNanos = burnNanos;
        }

        @Override
        public void open() throws Exception {
            super.open();
            BACKENDS.put(job, getKeyedStateBackend().getClass().getSimpleName());
            TIMERS_ON_HEAP.put(
                    job,
                    ((AbstractKeyedStateBackend<?>) getKeyedStateBackend())
                            .requiresLegacySynchronousTimerSnapshots(CheckpointType.CHECKPOINT));
            // The task manager's runtime settings are one object per task manager.
            TASK_MANAGERS.put(
                    job,
                    System.identityHashCode(getContainingTask().getEnvironment().getTaskManagerInfo()));
            if (burnNanos > 0) {
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                long until = threads.getCurrentThreadCpuTime() + burnNanos;
                while (threads.getCurrentThreadCpuTime() < until) {
                    // reads the thread's CPU clock each turn, which the JIT cannot drop
                }
                Thread.sleep(20 * TaskCpu.PERIOD_MILLIS);
            }
        }

        @Override
        public void processElement(StreamRecord<Integer> element) {
            output.collect(element);
        }
    }
}
