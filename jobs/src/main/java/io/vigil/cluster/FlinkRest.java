package io.vigil.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client of Flink's REST API (the endpoints the web UI uses), for the soak and the integration tests: running jobs
 * and their state, waiting for a job to run or checkpoint, cancelling, canonical savepoints, JVM heap of the
 * JobManager and TaskManagers, the latest completed checkpoint (and its size per operator), and each vertex's record
 * counters. Plain {@code java.net.http} over the documented JSON, rather than Flink's {@code RestClusterClient}, whose
 * message classes are not Flink's public API.
 */
public final class FlinkRest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String HEAP_USED = "Status.JVM.Memory.Heap.Used";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public FlinkRest(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    public String base() {
        return base;
    }

    /** The JSON answer of {@code GET <base><path>}; an IOException for any status but 200. */
    public JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200)
            throw new IOException("GET " + base + path + " -> " + r.statusCode() + ": " + r.body());
        return MAPPER.readTree(r.body());
    }

    private JsonNode post(String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("POST " + base + path + " -> " + r.statusCode() + ": " + r.body());
        }
        return MAPPER.readTree(r.body());
    }

    /** A completed savepoint: its checkpoint id, where it is, and its full size in bytes. */
    public record Savepoint(long id, String location, long stateSize) {}

    /**
     * Takes a savepoint in Flink's canonical format while the job keeps running, and waits for it. Unlike an
     * incremental RocksDB checkpoint, whose size counts every SST file it references (small files of each memtable
     * flush, not yet compacted), a canonical savepoint holds exactly the live state: its size is the state's.
     */
    public Savepoint canonicalSavepoint(String jobId, String targetDirectory, Duration timeout)
            throws IOException, InterruptedException {
        String body = MAPPER.createObjectNode()
                .put("formatType", "CANONICAL")
                .put("cancel-job", false)
                .put("target-directory", targetDirectory)
                .toString();
        String request =
                post("/jobs/" + jobId + "/savepoints", body).path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode s = get("/jobs/" + jobId + "/savepoints/" + request);
            if ("COMPLETED".equals(s.path("status").path("id").asText())) {
                JsonNode op = s.path("operation");
                if (op.has("failure-cause")) {
                    throw new IOException("savepoint failed: "
                            + op.path("failure-cause").path("stack-trace").asText());
                }
                String location = op.path("location").asText();
                // The REST API serves checkpoint statistics from a cache refreshed every few seconds: the savepoint
                // shows up there a little after its trigger reports it complete.
                while (true) {
                    for (JsonNode h : get("/jobs/" + jobId + "/checkpoints").path("history")) {
                        if (location.equals(h.path("external_path").asText())) {
                            return new Savepoint(
                                    h.path("id").asLong(),
                                    location,
                                    h.path("state_size").asLong());
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IOException("savepoint " + location + " is not in the job's checkpoint history");
                    }
                    Thread.sleep(500);
                }
            }
            if (System.nanoTime() > deadline) throw new IOException("savepoint not complete after " + timeout);
            Thread.sleep(200);
        }
    }

    /** The Flink version the cluster reports; throws if nothing answers. */
    public String version() throws IOException, InterruptedException {
        return get("/config").path("flink-version").asText("?");
    }

    /**
     * Ids and names of the jobs that have not ended: running, or on their way there (created, initializing,
     * restarting after a failure).
     */
    public Map<String, String> runningJobs() throws IOException, InterruptedException {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode j : get("/jobs/overview").path("jobs")) {
            String state = j.path("state").asText();
            if (!ENDED.contains(state))
                out.put(j.path("jid").asText(), j.path("name").asText());
        }
        return out;
    }

    private static final java.util.Set<String> ENDED = java.util.Set.of("FINISHED", "CANCELED", "FAILED", "SUSPENDED");

    /** Whether the job is RUNNING with each of its vertices running (or finished, as a bounded side input may). */
    public boolean allTasksRunning(String jobId) throws IOException, InterruptedException {
        return allTasksRunning(get("/jobs/" + jobId));
    }

    private static boolean allTasksRunning(JsonNode job) {
        boolean all = "RUNNING".equals(job.path("state").asText());
        for (JsonNode v : job.path("vertices")) {
            String status = v.path("status").asText();
            all &= "RUNNING".equals(status) || "FINISHED".equals(status);
        }
        return all;
    }

    /** The job's state (RUNNING, FINISHED, CANCELED, ...). */
    public String state(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** How many checkpoints of the job have completed. */
    public long completedCheckpoints(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints")
                .path("counts")
                .path("completed")
                .asLong();
    }

    /** How often the job restarted (its failover count as the web UI shows it). */
    public long restarts(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/exceptions")
                .path("exceptionHistory")
                .path("entries")
                .size();
    }

    /** Cancels the job and waits (at most a minute) until it is CANCELED. */
    public void cancel(String jobId) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                        .timeout(Duration.ofSeconds(10))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) throw new IOException("cancel " + jobId + " -> " + r.statusCode());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!"CANCELED".equals(state(jobId))) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("job " + jobId + " did not cancel");
            Thread.sleep(300);
        }
    }

    /**
     * Waits until the job is RUNNING with all its tasks running or finished (a bounded input of the job may end by
     * design while the rest runs on).
     */
    public void awaitRunning(String jobId, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode j = get("/jobs/" + jobId);
            if (allTasksRunning(j)) return;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + " not running after " + timeout + ": " + j);
            }
            Thread.sleep(500);
        }
    }

    /** Waits until {@code n} more checkpoints than {@code after} have completed. */
    public void awaitCheckpoints(String jobId, long after, int n, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (completedCheckpoints(jobId) < after + n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + ": fewer than " + n + " checkpoints after " + after
                        + " within " + timeout + " (state " + state(jobId) + ")");
            }
            Thread.sleep(500);
        }
    }

    /** Heap used by the JobManager, bytes; NaN if the metric is not there yet. */
    public double jobManagerHeapUsed() throws IOException, InterruptedException {
        return metric(get("/jobmanager/metrics?get=" + HEAP_USED), HEAP_USED);
    }

    /** Heap used by all TaskManagers together, bytes; NaN if none reports it. */
    public double taskManagersHeapUsed() throws IOException, InterruptedException {
        double sum = 0;
        boolean any = false;
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
            double v = metric(get("/taskmanagers/" + tm.path("id").asText() + "/metrics?get=" + HEAP_USED), HEAP_USED);
            if (!Double.isNaN(v)) {
                sum += v;
                any = true;
            }
        }
        return any ? sum : Double.NaN;
    }

    private static double metric(JsonNode list, String id) {
        for (JsonNode m : list)
            if (id.equals(m.path("id").asText())) return m.path("value").asDouble(Double.NaN);
        return Double.NaN;
    }

    /**
     * The latest completed checkpoint: id, full state size (bytes), checkpointed size (bytes, what this checkpoint
     * wrote; with incremental RocksDB checkpoints the new files only) and end-to-end duration (ms). Null before the
     * first.
     */
    public record Checkpoint(long id, long stateSize, long checkpointedSize, long durationMs) {}

    public Checkpoint latestCheckpoint(String jobId) throws IOException, InterruptedException {
        JsonNode c = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
        if (c.isMissingNode() || c.isNull() || !c.has("id")) return null;
        return new Checkpoint(
                c.path("id").asLong(),
                c.path("state_size").asLong(),
                c.path("checkpointed_size").asLong(),
                c.path("end_to_end_duration").asLong());
    }

    /** One operator chain's (vertex's) share of a checkpoint. */
    public record VertexState(String vertex, long stateSize, long checkpointedSize) {}

    /** Each vertex's full state size in a completed checkpoint, in the job graph's order, by vertex name. */
    public List<VertexState> checkpointByVertex(String jobId, long checkpointId)
            throws IOException, InterruptedException {
        Map<String, String> names = new LinkedHashMap<>();
        for (JsonNode v : get("/jobs/" + jobId).path("vertices"))
            names.put(v.path("id").asText(), v.path("name").asText());
        JsonNode tasks =
                get("/jobs/" + jobId + "/checkpoints/details/" + checkpointId).path("tasks");
        List<VertexState> out = new ArrayList<>();
        for (Map.Entry<String, String> e : names.entrySet()) {
            JsonNode t = tasks.path(e.getKey());
            if (t.isMissingNode()) continue;
            out.add(new VertexState(
                    e.getValue(),
                    t.path("state_size").asLong(),
                    t.path("checkpointed_size").asLong()));
        }
        return out;
    }

    /**
     * Records per second that the vertices whose name starts with {@code prefix} (e.g. {@code Source: Kafka telemetry})
     * emit, summed over their subtasks: Flink's {@code numRecordsOutPerSecond}, a rate over the last 60 s measured in
     * the TaskManager, so it does not depend on when the web UI's cached counters were last refreshed. NaN if no
     * vertex matches or none reports it yet.
     */
    public double recordsOutPerSecond(String jobId, String prefix) throws IOException, InterruptedException {
        double sum = Double.NaN;
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            if (!v.path("name").asText().startsWith(prefix)) continue;
            JsonNode m = get("/jobs/" + jobId + "/vertices/" + v.path("id").asText()
                    + "/subtasks/metrics?get=numRecordsOutPerSecond&agg=sum");
            for (JsonNode n : m) {
                if (!"numRecordsOutPerSecond".equals(n.path("id").asText()) || !n.has("sum")) continue;
                sum = (Double.isNaN(sum) ? 0 : sum) + n.path("sum").asDouble();
            }
        }
        return sum;
    }
}
