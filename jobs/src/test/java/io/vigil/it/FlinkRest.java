package io.vigil.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The few Flink REST calls the integration tests need to know where a job is. */
final class FlinkRest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    FlinkRest(String base) {
        this.base = base;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("GET " + path + " -> " + r.statusCode() + ": " + r.body());
        return MAPPER.readTree(r.body());
    }

    String state(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    long completedCheckpoints(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints")
                .path("counts")
                .path("completed")
                .asLong();
    }

    /** How often the job restarted (its failover count as the web UI shows it). */
    long restarts(String jobId) throws IOException, InterruptedException {
        JsonNode n = get("/jobs/" + jobId + "/exceptions");
        return n.path("exceptionHistory").path("entries").size();
    }

    void cancel(String jobId) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
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
    void awaitRunning(String jobId, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode j = get("/jobs/" + jobId);
            boolean all = "RUNNING".equals(j.path("state").asText());
            for (JsonNode v : j.path("vertices")) {
                String status = v.path("status").asText();
                all &= "RUNNING".equals(status) || "FINISHED".equals(status);
            }
            if (all) return;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + " not running after " + timeout + ": " + j);
            }
            Thread.sleep(500);
        }
    }

    /** Waits until {@code n} more checkpoints than {@code after} have completed. */
    void awaitCheckpoints(String jobId, long after, int n, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (completedCheckpoints(jobId) < after + n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + ": fewer than " + n + " checkpoints after " + after
                        + " within " + timeout + " (state " + state(jobId) + ")");
            }
            Thread.sleep(500);
        }
    }
}
