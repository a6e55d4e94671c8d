package io.vigil.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CPU time of a job's tasks while it runs, per task: how a run's CPU splits between the source's chain, the
 * detectors and the rest of the process, which records/s alone does not tell. At parallelism 1 on two cores the
 * detection job's ratio to its no-rules baseline is set by the source's thread, and that thread also waits for a core
 * while the detectors, the JIT and the GC take the other; its CPU per record is what the router adds, without the
 * waits.
 *
 * <p>A task runs in a thread of its own named after it ({@code "Detectors (1/2)#0"}), which ends with the job, and the
 * JVM reports no CPU time for a thread that has ended; so the threads are read every {@link #PERIOD_MILLIS} while the
 * job runs, and a task's last moments (up to one period of its thread) are not counted. The JDK's thread MXBean reads
 * each thread's CPU clock in about a microsecond; a shorter period would take more of the cores being measured.
 */
final class TaskCpu implements AutoCloseable {
    static final long PERIOD_MILLIS = 50;

    /**
     * A Flink task thread's name: the task's, then its subtask and attempt; or the name of one of the task's helper
     * threads (which flushes its output buffers, which fires its processing-time timers), which counts as the task.
     */
    private static final Pattern TASK_THREAD = Pattern.compile(
            "^(?:OutputFlusher for |System Time Trigger for |Time Trigger for )?(.*) \\(\\d+/\\d+\\)(?:#\\d+)?$");

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Each thread's CPU nanoseconds when first seen: threads of the cluster that outlive the job count from there. */
    private final Map<Long, Long> first = new HashMap<>();

    /** Each task thread's CPU nanoseconds when last read. */
    private final Map<Long, Long> last = new HashMap<>();

    private final Map<Long, String> taskOf = new HashMap<>();
    private Map<String, Double> byTask;
    private final Thread sampler;
    private volatile boolean running = true;

    private TaskCpu() {
        read(true);
        sampler = new Thread(this::sample, "bench-task-cpu");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Starts reading the task threads' CPU; {@link #close} stops it. */
    static TaskCpu start() {
        return new TaskCpu();
    }

    /**
     * The task of a thread named {@code threadName}: the name of its first operator (a chain's name lists them all),
     * or null for a thread that runs no task.
     */
    static String task(String threadName) {
        Matcher m = TASK_THREAD.matcher(threadName);
        if (!m.matches()) {
            return null;
        }
        String chain = m.group(1);
        int arrow = chain.indexOf(" -> ");
        return arrow < 0 ? chain : chain.substring(0, arrow);
    }

    private void sample() {
        while (running) {
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            read(false);
        }
    }

    /**
     * Reads every thread's CPU time. On the first read ({@code atStart}) a thread's time so far is not the job's; a
     * thread first seen later started during the job, and all of its time is.
     */
    private synchronized void read(boolean atStart) {
        for (long id : THREADS.getAllThreadIds()) {
            long cpu = THREADS.getThreadCpuTime(id);
            if (cpu < 0) {
                continue; // ended since the ids were listed
            }
            if (!first.containsKey(id)) {
                first.put(id, atStart ? cpu : 0L);
                ThreadInfo info = THREADS.getThreadInfo(id);
                String task = info == null ? null : task(info.getThreadName());
                if (task != null) {
                    taskOf.put(id, task);
                }
            }
            if (taskOf.containsKey(id)) {
                last.put(id, cpu);
            }
        }
    }

    /**
     * Stops reading and adds up the CPU-seconds of each task while it ran (the threads of its parallel instances
     * together), for {@link #byTask}.
     */
    @Override
    public synchronized void close() {
        running = false;
        sampler.interrupt();
        read(false);
        Map<String, Double> seconds = new HashMap<>();
        last.forEach((id, cpu) -> seconds.merge(taskOf.get(id), (cpu - first.get(id)) / 1e9, Double::sum));
        byTask = new LinkedHashMap<>();
        seconds.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> byTask.put(e.getKey(), e.getValue()));
    }

    /** The CPU-seconds of each task, most first; read after {@link #close}. */
    Map<String, Double> byTask() {
        if (byTask == null) {
            throw new IllegalStateException("read the tasks' CPU after close()");
        }
        return byTask;
    }
}
