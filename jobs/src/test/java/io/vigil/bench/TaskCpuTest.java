package io.vigil.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Which task a thread of the job runs, by the thread's name. */
class TaskCpuTest {
    @Test
    void aTaskIsNamedAfterItsFirstOperator() {
        assertEquals(
                "Source: Telemetry generator",
                TaskCpu.task("Source: Telemetry generator -> Split dead letters -> (No rule updates, Route to rules, "
                        + "rollup-events-telemetry, Incident error records) (1/1)#0"));
        assertEquals("Detectors", TaskCpu.task("Detectors (2/2)#0"));
        assertEquals("service-rollup-5m", TaskCpu.task("service-rollup-5m -> service-rollups-5m (1/1)#3"));
    }

    @Test
    void aTasksHelperThreadsCountAsTheTask() {
        assertEquals("Detectors", TaskCpu.task("OutputFlusher for Detectors (1/2)#0"));
        assertEquals("Realert", TaskCpu.task("System Time Trigger for Realert -> (rollup-events-alerts) (1/1)#0"));
        assertEquals(
                "Source: Telemetry generator", TaskCpu.task("Time Trigger for Source: Telemetry generator (1/1)#0"));
    }

    @Test
    void otherThreadsRunNoTask() {
        assertNull(TaskCpu.task("flink-pekko.actor.default-dispatcher-5"));
        assertNull(TaskCpu.task("main"));
        assertNull(TaskCpu.task("Detectors"));
    }
}
