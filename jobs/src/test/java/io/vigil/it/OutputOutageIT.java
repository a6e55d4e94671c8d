package io.vigil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.cluster.FlinkRest;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import io.vigil.sink.prometheus.RemoteWriteRequests;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outputs go away and come back while the real job runs on the real stack ({@code bin/vigil stack up}: Kafka, a
 * Flink standalone cluster, OpenSearch and Prometheus as separate processes, port offset 22800): with input flowing
 * steadily, OpenSearch is stopped while 40 s of input arrive, then Prometheus while 20 s arrive, then the Kafka broker
 * is restarted. Afterwards every alert is in the index exactly once (by id), every rollup the job committed to its
 * rollups topic is a sample in Prometheus with its value, every alert is in the alerts topic exactly once for a
 * read_committed reader, and the job is running: it never failed, or it recovered by itself (both are reported).
 *
 * <p>Event time is the wall clock, since Prometheus refuses samples older than about an hour.
 */
class OutputOutageIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final int SERVICES = 4;
    static final String INPUT = "outage-telemetry";
    static final String ALERTS = "outage-alerts";
    static final String ROLLUPS = "outage-rollups";

    static LocalStack stack;
    static KafkaTestClient kafka;
    static FlinkRest rest;
    static String search;
    static String prometheus;

    @BeforeAll
    static void up() throws Exception {
        stack = new LocalStack("outage", 22800).upWithOutputs();
        kafka = new KafkaTestClient(stack.bootstrap());
        rest = new FlinkRest(stack.rest());
        search = "http://127.0.0.1:" + (9200 + stack.portOffset);
        prometheus = "http://127.0.0.1:" + (9090 + stack.portOffset);
    }

    @AfterAll
    static void down() throws Exception {
        if (kafka != null) kafka.close();
        if (stack != null) stack.close();
    }

    static byte[] log(long t, String service, String severity) {
        return TelemetryJson.write(Telemetry.log(t, service, severity, severity + " in " + service))
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One second of input at event time {@code t} (ms, whole second), in order per partition: one INFO per service
     * and, during a service's bursts (15 s in every 45 s, staggered), two ERRORs, enough for the 8-in-10 s rule.
     */
    static void writeSecond(long t) {
        long second = t / 1000;
        for (int s = 0; s < SERVICES; s++) {
            String svc = "svc-" + s;
            kafka.send(INPUT, s % 2, log(t, svc, "INFO"));
            if (((second / 15) + s) % 3 == 0) {
                kafka.send(INPUT, s % 2, log(t + 300, svc, "ERROR"));
                kafka.send(INPUT, s % 2, log(t + 600, svc, "ERROR"));
            }
        }
    }

    static JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("GET " + url + " -> " + r.statusCode() + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /** The input producer, checked while waiting: a failed producer fails the test with its own error. */
    static Future<?> flowing;

    static void await(String what, Duration timeout, java.util.concurrent.Callable<Boolean> condition)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (flowing != null && flowing.isDone()) flowing.get(); // throws what stopped the input

            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " not within " + timeout + "; logs: " + stack.logs());
            }
            Thread.sleep(500);
        }
    }

    @Test
    void everyAlertAndRollupArrivesOnceAfterOutputsGoAwayAndComeBack() throws Exception {
        long testStart = System.nanoTime();
        kafka.createTopic(INPUT, 2);
        String job = stack.submit(List.of(
                "--bootstrap-servers=" + stack.bootstrap(),
                "--topic=" + INPUT + "=json",
                "--rules-dir=" + LocalStack.ROOT.resolve("jobs/src/test/resources/it-rules"),
                "--job-name=outage",
                "--alerts-topic=" + ALERTS,
                "--rollups-topic=" + ROLLUPS,
                "--dead-letters-topic=outage-dead-letters",
                "--search-url=" + search,
                "--prometheus-url=" + prometheus + "/api/v1/write",
                "--start-offsets=earliest",
                "--parallelism=2",
                "--checkpoint-interval=2s",
                "--watermark-delay=1s",
                "--watermark-idleness=10min",
                "--transaction-timeout=2min"));
        rest.awaitRunning(job, Duration.ofMinutes(2));

        // Steady input, one event-time second per wall-clock second, until told to stop.
        AtomicInteger seconds = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        long[] last = new long[1];
        ExecutorService producer = Executors.newSingleThreadExecutor();
        flowing = producer.submit(() -> {
            while (!stop.get()) {
                long t = System.currentTimeMillis() / 1000 * 1000;
                writeSecond(t);
                last[0] = t;
                seconds.incrementAndGet();
                // pacing, as in production: the next second of input when it is due
                Thread.sleep(Math.max(0, t + 1000 - System.currentTimeMillis()));
            }
            kafka.flush();
            return null;
        });

        // The outputs are in use before they go away: an alert committed and indexed.
        await(
                "a committed alert",
                Duration.ofMinutes(2),
                () -> !kafka.readCommitted(ALERTS).isEmpty());
        await("an indexed alert", Duration.ofMinutes(1), () -> searchIds().size() > 0);

        stack.vigil(List.of("stack", "stop", "opensearch"), 120);
        int before = seconds.get();
        await("40 s of input during the OpenSearch outage", Duration.ofMinutes(2), () -> seconds.get() >= before + 40);
        stack.vigil(List.of("stack", "start", "opensearch"), 300);

        stack.vigil(List.of("stack", "stop", "prometheus"), 120);
        int before2 = seconds.get();
        await("20 s of input during the Prometheus outage", Duration.ofMinutes(1), () -> seconds.get() >= before2 + 20);
        stack.vigil(List.of("stack", "start", "prometheus"), 120);

        stack.vigil(List.of("stack", "stop", "kafka"), 120);
        stack.vigil(List.of("stack", "start", "kafka"), 180);
        int before3 = seconds.get();
        await("20 s of input after the broker restart", Duration.ofMinutes(1), () -> seconds.get() >= before3 + 20);
        stop.set(true);
        flowing.get();
        flowing = null;
        producer.shutdown();
        // Far enough ahead on both partitions that every window of the input closes (rollups are per minute).
        for (int p = 0; p < 2; p++) kafka.send(INPUT, p, log(last[0] + 90_000, "end-" + p, "INFO"));
        kafka.flush();

        await("the job reading the whole input", Duration.ofMinutes(3), () -> kafka.groupCaughtUp("outage", INPUT));
        rest.awaitRunning(job, Duration.ofMinutes(2));
        // A completed checkpoint means every sink flushed what came before it (bulk requests, remote writes) and
        // the Kafka transactions before it commit.
        rest.awaitCheckpoints(job, rest.completedCheckpoints(job), 2, Duration.ofMinutes(2));
        long restarts = rest.restarts(job);
        String state = rest.state(job);

        // Alerts: exactly once in the topic for read_committed readers, and each in the index exactly once.
        List<String> topicIds = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(ALERTS)) {
            topicIds.add(JSON.readTree(r.value()).path("event").path("id").asText());
        }
        Set<String> distinct = new TreeSet<>(topicIds);
        assertEquals(topicIds.size(), distinct.size(), "an alert twice in the topic: " + topicIds);
        assertTrue(distinct.size() >= 10, "bursts through the whole run raise alerts: " + distinct);
        HTTP.send(
                HttpRequest.newBuilder(URI.create(search + "/vigil-*/_refresh"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        List<String> indexed = searchIds();
        assertEquals(indexed.size(), new HashSet<>(indexed).size(), "an alert indexed twice: " + indexed);
        assertEquals(distinct, new TreeSet<>(indexed), "the index holds exactly the committed alerts");

        // Rollups: every one the job committed to its topic is a sample in Prometheus, with its value.
        List<Rollup> rollups = new ArrayList<>();
        long minEnd = Long.MAX_VALUE;
        long maxEnd = Long.MIN_VALUE;
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(ROLLUPS)) {
            JsonNode n = JSON.readTree(r.value());
            Rollup ro = new Rollup(
                    n.path("metric").asText(),
                    n.path("service").asText(),
                    n.path("window_start").asLong(),
                    n.path("window_end").asLong(),
                    n.path("value").asDouble(),
                    n.path("count").asLong());
            n.path("labels")
                    .properties()
                    .forEach(e -> ro.label(e.getKey(), e.getValue().asText()));
            if (!Double.isFinite(ro.value)) continue; // the sink does not send these (see RemoteWriteSink)
            rollups.add(ro);
            minEnd = Math.min(minEnd, ro.windowEnd);
            maxEnd = Math.max(maxEnd, ro.windowEnd);
        }
        assertTrue(rollups.size() >= 20, "rollups of every minute of the run: " + rollups.size());
        Map<String, Double> samples = prometheusSamples(minEnd, maxEnd);
        List<String> missing = new ArrayList<>();
        for (Rollup r : rollups) {
            String key = RemoteWriteRequests.labels("vigil_", r) + "@" + r.windowEnd;
            Double v = samples.get(key);
            if (v == null || Math.abs(v - r.value) > Math.abs(r.value) * 1e-9) {
                missing.add(key + " = " + r.value + " (prometheus: " + v + ")");
            }
        }
        assertEquals(List.of(), missing, "rollups missing in Prometheus or with another value");

        assertEquals("RUNNING", state, "the job is running after the outages");
        System.out.printf(
                "OutputOutageIT: %d alerts, %d rollups, %d input seconds, job restarts %d, test took %d s%n",
                distinct.size(),
                rollups.size(),
                seconds.get(),
                restarts,
                (System.nanoTime() - testStart) / 1_000_000_000L);
        if (restarts > 0) {
            System.out.println("OutputOutageIT: the job recovered by itself from: "
                    + rest.get("/jobs/" + job + "/exceptions")
                            .path("exceptionHistory")
                            .path("entries")
                            .findValues("exceptionName"));
        }
    }

    /** Alert ids in every alerts index (the document id is the alert id). */
    static List<String> searchIds() throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        JsonNode hits;
        try {
            hits = get(search + "/vigil-alerts-*/_search?size=10000&_source=false")
                    .path("hits")
                    .path("hits");
        } catch (IOException e) {
            return ids; // no index yet
        }
        for (JsonNode h : hits) ids.add(h.path("_id").asText());
        return ids;
    }

    /** Every raw vigil_* sample between the two times, by its labels (sorted, {@code __name__} first) and time. */
    static Map<String, Double> prometheusSamples(long fromMs, long toMs) throws Exception {
        long range = (toMs - fromMs) / 1000 + 60;
        String q = "{__name__=~\"vigil_.+\"}[" + range + "s]";
        JsonNode result = get(prometheus + "/api/v1/query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8)
                        + "&time=" + (toMs / 1000.0))
                .path("data")
                .path("result");
        Map<String, Double> out = new HashMap<>();
        for (JsonNode series : result) {
            TreeMap<String, String> labels = new TreeMap<>();
            series.path("metric")
                    .properties()
                    .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            for (JsonNode v : series.path("values")) {
                long t = Math.round(v.get(0).asDouble() * 1000);
                out.put(labels + "@" + t, Double.parseDouble(v.get(1).asText()));
            }
        }
        return out;
    }
}
