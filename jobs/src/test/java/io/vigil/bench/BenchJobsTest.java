package io.vigil.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks' jobs run one after another on one local cluster ({@link BenchJobs#execute}); each keeps the settings
 * its environment gave it, the state backend above all, which the cluster was not started with.
 */
class BenchJobsTest {
    /** The keyed state backend each probe job ran on, and the task manager it ran in, by job. */
    private static final Map<String, String> BACKENDS = new ConcurrentHashMap<>();

    private static final Map<String, Integer> TASK_MANAGERS = new ConcurrentHashMap<>();

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

    /** Notes the keyed state backend and the task manager of the job it runs in. */
    private static final class Probe extends AbstractStreamOperator<Integer>
            implements OneInputStreamOperator<Integer, Integer> {
        private final String job;

        Probe(String job) {
            this.job = job;
        }

        @Override
        public void open() throws Exception {
            super.open();
            BACKENDS.put(job, getKeyedStateBackend().getClass().getSimpleName());
            // The task manager's runtime settings are one object per task manager.
            TASK_MANAGERS.put(
                    job,
                    System.identityHashCode(getContainingTask().getEnvironment().getTaskManagerInfo()));
        }

        @Override
        public void processElement(StreamRecord<Integer> element) {
            output.collect(element);
        }
    }
}
