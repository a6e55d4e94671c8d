package io.vigil.sink.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bulk retry and dead-letter logic against a scripted HTTP fake (answers a real cluster gives only under load or
 * with broken data). The real-server behaviour is checked by SearchSinkIT against OpenSearch.
 */
class BulkClientTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private HttpServer server;
    private final Deque<String[]> script = new ArrayDeque<>(); // {status, body}
    private final List<String> bodies = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/_bulk", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String[] answer = script.removeFirst();
            byte[] b = answer[1].getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(Integer.parseInt(answer[0]), b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private SearchConfig config() {
        SearchConfig c =
                SearchConfig.of("http://127.0.0.1:" + server.getAddress().getPort());
        c.initialBackoff = Duration.ofMillis(1);
        c.maxBackoff = Duration.ofMillis(5);
        c.maxRetries = 3;
        return c.validate();
    }

    private static String item(int status, String errorType) {
        String err = errorType == null ? "" : ",\"error\":{\"type\":\"" + errorType + "\",\"reason\":\"because\"}";
        return "{\"index\":{\"status\":" + status + err + "}}";
    }

    private static String answer(String... items) {
        return "{\"errors\":true,\"items\":[" + String.join(",", items) + "]}";
    }

    private static List<BulkItem> docs(int n) {
        List<BulkItem> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(new BulkItem(
                    "vigil-alerts-2026.11.02", "a" + i, ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return l;
    }

    @Test
    void throttledRequestsAndFailedDocumentsAreRetriedAndRejectedOnesDeadLettered() throws Exception {
        script.add(new String[] {"429", "{\"error\":\"too many requests\"}"});
        script.add(new String[] {
            "200",
            answer(item(201, null), item(503, "unavailable_shards_exception"), item(400, "mapper_parsing_exception"))
        });
        script.add(new String[] {"200", answer(item(200, null), item(201, null))});
        try (BulkClient c = new BulkClient(config())) {
            BulkClient.Outcome o = c.deliver(docs(3));
            assertEquals(2, o.indexed);
            assertEquals(1, o.deadLettered);
            assertEquals(3 + 1, o.retried);
            assertEquals(3, o.requests);
        }
        assertEquals(3, bodies.size());
        String[] first = bodies.get(0).split("\n");
        assertEquals(6, first.length, "NDJSON: an action line and a source line per document");
        assertEquals("{\"index\":{\"_index\":\"vigil-alerts-2026.11.02\",\"_id\":\"a0\"}}", first[0]);
        assertEquals("{\"n\":0}", first[1]);
        assertTrue(bodies.get(0).endsWith("\n"), "bulk bodies end with a newline");
        String[] last = bodies.get(2).split("\n");
        assertEquals("{\"index\":{\"_index\":\"vigil-alerts-2026.11.02\",\"_id\":\"a1\"}}", last[0]);
        assertEquals("{\"index\":{\"_index\":\"vigil-deadletters\",\"_id\":\"vigil-alerts-2026.11.02/a2\"}}", last[2]);
        JsonNode dl = MAPPER.readTree(last[3]);
        assertEquals("mapper_parsing_exception", dl.path("error").path("type").asText());
        assertEquals("because", dl.path("error").path("message").asText());
        assertEquals(400, dl.path("http").path("response").path("status_code").asInt());
        assertEquals("{\"n\":2}", dl.path("event").path("original").asText());
        assertEquals("vigil.alerts", dl.path("event").path("dataset").asText());
    }

    @Test
    void exhaustedRetriesFailLoudlySoTheJobReplays() throws Exception {
        for (int i = 0; i < 4; i++) {
            script.add(new String[] {"503", "{}"});
        }
        try (BulkClient c = new BulkClient(config())) {
            IOException e = assertThrows(IOException.class, () -> c.deliver(docs(2)));
            assertTrue(e.getMessage().contains("gave up after 3 retries with 2 documents unsent"), e.getMessage());
        }
        assertEquals(4, bodies.size());
    }

    @Test
    void aRefusedRequestThatRetryingCannotFixFailsAtOnce() throws Exception {
        script.add(new String[] {"401", "{\"error\":\"unauthorized\"}"});
        try (BulkClient c = new BulkClient(config())) {
            IOException e = assertThrows(IOException.class, () -> c.deliver(docs(1)));
            assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
        }
    }

    @Test
    void wrongSettingsAreNamed() {
        SearchConfig c = SearchConfig.of("localhost:9200");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::validate);
        assertTrue(e.getMessage().contains("http:// or https://"), e.getMessage());
        SearchConfig p = SearchConfig.of("http://h:9200");
        p.indexPrefix = "Vigil";
        assertTrue(assertThrows(IllegalArgumentException.class, p::validate)
                .getMessage()
                .contains("lower case"));
    }
}
