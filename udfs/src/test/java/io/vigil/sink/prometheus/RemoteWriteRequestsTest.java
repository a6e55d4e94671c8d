package io.vigil.sink.prometheus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vigil.model.Rollup;
import io.vigil.sink.prometheus.proto.RemoteWrite;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/** Remote-write encoding, and the client's answers to a scripted receiver (the real one is in RemoteWriteSinkIT). */
class RemoteWriteRequestsTest {

    private static Rollup r(String metric, long end, double v) {
        return new Rollup(metric, "checkout", end - 60_000, end, v, 1).label("window", "1m");
    }

    @Test
    void seriesHaveSortedLabelsAndTheirSamplesOldestFirstOncePerTimestamp() throws Exception {
        List<Rollup> in = List.of(
                r("error_ratio", 180_000, 0.3),
                r("error_ratio", 120_000, 0.2),
                r("latency_seconds", 120_000, 0.5).label("quantile", "0.99").label("http.route", "/x"),
                r("error_ratio", 180_000, 0.35));
        RemoteWrite.WriteRequest req = RemoteWriteRequests.build("vigil_", in);
        RemoteWrite.WriteRequest back =
                RemoteWrite.WriteRequest.parseFrom(Snappy.uncompress(RemoteWriteRequests.body(req)));
        assertEquals(req, back);
        assertEquals(2, back.getTimeseriesCount());
        RemoteWrite.TimeSeries errors = back.getTimeseries(0);
        List<String> names = new ArrayList<>();
        errors.getLabelsList().forEach(l -> names.add(l.getName() + "=" + l.getValue()));
        assertEquals(List.of("__name__=vigil_error_ratio", "service=checkout", "window=1m"), names);
        assertEquals(2, errors.getSamplesCount(), "one sample per timestamp");
        assertEquals(120_000, errors.getSamples(0).getTimestamp());
        assertEquals(180_000, errors.getSamples(1).getTimestamp());
        assertEquals(0.35, errors.getSamples(1).getValue(), "the last value for a timestamp wins");
        List<String> latency = new ArrayList<>();
        back.getTimeseries(1).getLabelsList().forEach(l -> latency.add(l.getName()));
        assertEquals(List.of("__name__", "http_route", "quantile", "service", "window"), latency);
    }

    @Test
    void namesFollowPrometheusRules() {
        assertEquals("vigil_latency_seconds", RemoteWriteRequests.metricName("vigil_", "latency.seconds"));
        assertEquals("service_name", RemoteWriteRequests.labelName("service.name"));
        assertEquals("label__name__", RemoteWriteRequests.labelName("__name__"));
        assertEquals("_5xx", RemoteWriteRequests.labelName("5xx"));
    }

    @Test
    void clientRetriesServerErrorsDropsRejectionsAndGivesUpLoudly() throws Exception {
        Deque<Integer> statuses = new ArrayDeque<>(List.of(503, 204, 400, 500, 500, 599));
        List<byte[]> bodies = new ArrayList<>();
        List<String> encodings = new ArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/write", ex -> {
            bodies.add(ex.getRequestBody().readAllBytes());
            encodings.add(ex.getRequestHeaders().getFirst("Content-Encoding") + " "
                    + ex.getRequestHeaders().getFirst("X-Prometheus-Remote-Write-Version"));
            int status = statuses.removeFirst();
            byte[] msg = (status == 400 ? "out of order sample" : status == 599 ? "too old sample" : "").getBytes();
            ex.sendResponseHeaders(status, status == 204 ? -1 : msg.length);
            if (status != 204) {
                ex.getResponseBody().write(msg);
            }
            ex.close();
        });
        server.start();
        try {
            RemoteWriteConfig c = RemoteWriteConfig.of(
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write");
            c.initialBackoff = Duration.ofMillis(1);
            c.maxRetries = 1;
            RemoteWriteClient client = new RemoteWriteClient(c.validate());
            byte[] body = RemoteWriteRequests.body(RemoteWriteRequests.build("vigil_", List.of(r("x", 60_000, 1))));
            assertEquals(RemoteWriteClient.Result.SENT, client.send(body, 1));
            assertEquals(1, client.retries);
            assertArrayEquals(body, bodies.get(1));
            assertEquals("snappy 0.1.0", encodings.get(0));
            assertEquals(RemoteWriteClient.Result.REJECTED, client.send(body, 1));
            assertTrue(client.lastRejection.contains("400 out of order sample"), client.lastRejection);
            Exception e = assertThrows(java.io.IOException.class, () -> client.send(body, 1));
            assertTrue(e.getMessage().contains("gave up after 1 retries"), e.getMessage());
            // Prometheus 2.42 answers samples past its out-of-order window with a 5xx "too old sample".
            assertEquals(RemoteWriteClient.Result.REJECTED, client.send(body, 1));
            assertTrue(client.lastRejection.contains("too old sample"), client.lastRejection);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void wrongSettingsAreNamed() {
        Exception e = assertThrows(
                IllegalArgumentException.class,
                () -> RemoteWriteConfig.of("127.0.0.1:9090").validate());
        assertTrue(e.getMessage().contains("http://127.0.0.1:9090/api/v1/write"), e.getMessage());
    }
}
