package io.vigil.sink.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer's in-flight logic (several bulk requests at once, backpressure, flush, retries, last version wins)
 * against a fake {@code _bulk} endpoint that answers each request on its own thread and can hold answers back.
 * Real-server behaviour is checked by SinksIT against OpenSearch.
 */
class SearchWriterTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** How long a test accepts that a blocked call stays blocked before calling it blocked. */
    private static final long BLOCKED_MS = 300;

    private HttpServer server;
    private ExecutorService serverThreads;
    /** Final source of each document id, as the fake index holds it. */
    private final Map<String, String> index = new ConcurrentHashMap<>();
    /** Successful index operations per id (more than one would be a duplicate delivery). */
    private final Map<String, AtomicInteger> acks = new ConcurrentHashMap<>();

    private final List<List<String>> requests = new ArrayList<>(); // ids per request, in arrival order
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    /** Requests containing a matching id wait for this gate before answering. */
    private volatile CountDownLatch gate = new CountDownLatch(0);

    private volatile Predicate<String> gated = id -> true;
    /** Ids whose next index operation answers 429 once (item level). */
    private final Map<String, Boolean> throttleItemOnce = new ConcurrentHashMap<>();
    /** Ids whose next request answers 429 as a whole, once. */
    private final Map<String, Boolean> throttleRequestOnce = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.createContext("/_bulk", this::bulk);
        server.start();
    }

    @AfterEach
    void stop() {
        gate.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    private void bulk(HttpExchange ex) throws IOException {
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        try {
            String[] lines = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("\n");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < lines.length; i += 2) {
                ids.add(MAPPER.readTree(lines[i]).path("index").path("_id").asText());
            }
            synchronized (requests) {
                requests.add(ids);
            }
            if (ids.stream().anyMatch(gated)) {
                gate.await();
            }
            if (ids.stream().anyMatch(id -> throttleRequestOnce.remove(id) != null)) {
                answer(ex, 429, "{\"error\":\"es_rejected_execution_exception\"}");
                return;
            }
            StringBuilder items = new StringBuilder();
            boolean errors = false;
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                int status = 201;
                if (throttleItemOnce.remove(id) != null) {
                    status = 429;
                    errors = true;
                } else {
                    index.put(id, lines[2 * i + 1]);
                    acks.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                }
                items.append(i == 0 ? "" : ",")
                        .append("{\"index\":{\"_id\":\"")
                        .append(id)
                        .append("\",\"status\":")
                        .append(status)
                        .append("}}");
            }
            answer(ex, 200, "{\"took\":1,\"errors\":" + errors + ",\"items\":[" + items + "]}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            concurrent.decrementAndGet();
            ex.close();
        }
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    /** A test document: its id and version; the source records the version. */
    static final class Doc {
        final String id;
        final int version;

        Doc(String id, int version) {
            this.id = id;
            this.version = version;
        }
    }

    static final class Docs implements SearchDocuments<Doc> {
        private static final long serialVersionUID = 1L;

        @Override
        public String index(Doc d) {
            return "vigil-test";
        }

        @Override
        public String id(Doc d) {
            return d.id;
        }

        @Override
        public byte[] source(Doc d) {
            return ("{\"v\":" + d.version + "}").getBytes(StandardCharsets.UTF_8);
        }
    }

    private SearchWriter<Doc> writer(int maxActions, int maxInFlight) throws IOException {
        SearchConfig c =
                SearchConfig.of("http://127.0.0.1:" + server.getAddress().getPort());
        c.installTemplates = false;
        c.maxActions = maxActions;
        c.maxInFlight = maxInFlight;
        c.initialBackoff = Duration.ofMillis(1);
        c.maxBackoff = Duration.ofMillis(5);
        c.maxRetries = 3;
        return new SearchWriter<>(
                c.validate(),
                new Docs(),
                new TestProcessingTimeService(),
                UnregisteredMetricsGroup.createSinkWriterMetricGroup());
    }

    private void write(SearchWriter<Doc> w, String id, int version) throws Exception {
        w.write(new Doc(id, version), null);
    }

    private int requestCount() {
        synchronized (requests) {
            return requests.size();
        }
    }

    private void awaitRequests(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (requestCount() < n) {
            assertTrue(System.nanoTime() < deadline, "the server got " + requestCount() + " requests, not " + n);
            Thread.sleep(5);
        }
    }

    /** Runs the action on another thread; the latch opens when it returns. */
    private static Thread background(ThrowingRunnable action, CountDownLatch done, List<Throwable> failures) {
        Thread t = new Thread(() -> {
            try {
                action.run();
            } catch (Throwable e) {
                failures.add(e);
            } finally {
                done.countDown();
            }
        });
        t.start();
        return t;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void severalRequestsRunAtOnceAndFlushWaitsForEverySlowOne() throws Exception {
        gate = new CountDownLatch(1);
        try (SearchWriter<Doc> w = writer(10, 4)) {
            for (int i = 0; i < 40; i++) {
                write(w, "d" + i, 1);
            }
            awaitRequests(4);
            assertEquals(4, w.inFlight());
            assertEquals(4, maxConcurrent.get(), "four bulk requests in flight at once");
            CountDownLatch flushed = new CountDownLatch(1);
            List<Throwable> failures = new ArrayList<>();
            background(() -> w.flush(false), flushed, failures);
            assertFalse(flushed.await(BLOCKED_MS, TimeUnit.MILLISECONDS), "flush returned before the answers came");
            assertTrue(index.isEmpty());
            gate.countDown();
            assertTrue(flushed.await(20, TimeUnit.SECONDS));
            assertTrue(failures.isEmpty(), failures.toString());
            assertEquals(0, w.inFlight());
            assertEquals(40, index.size(), "every document acknowledged when flush returns");
        }
    }

    @Test
    void theWriterBlocksWhenEverySenderIsBusyAndTheBufferFull() throws Exception {
        gate = new CountDownLatch(1);
        try (SearchWriter<Doc> w = writer(5, 2)) {
            for (int i = 0; i < 10; i++) {
                write(w, "d" + i, 1); // two full batches: both senders busy
            }
            awaitRequests(2);
            CountDownLatch written = new CountDownLatch(1);
            List<Throwable> failures = new ArrayList<>();
            background(
                    () -> {
                        for (int i = 10; i < 15; i++) {
                            write(w, "d" + i, 1); // the 15th fills the buffer: a third batch must wait for a sender
                        }
                    },
                    written,
                    failures);
            assertFalse(written.await(BLOCKED_MS, TimeUnit.MILLISECONDS), "write did not block at the limit");
            assertEquals(2, requestCount(), "no third request while two are in flight");
            gate.countDown();
            assertTrue(written.await(20, TimeUnit.SECONDS));
            assertTrue(failures.isEmpty(), failures.toString());
            w.flush(false);
            assertEquals(15, index.size());
            assertTrue(maxConcurrent.get() <= 2, "at most max-in-flight requests at once: " + maxConcurrent.get());
        }
    }

    @Test
    void throttledRequestsAndDocumentsAmongConcurrentOnesAreRetriedWithoutLossOrDuplication() throws Exception {
        throttleRequestOnce.put("d7", true); // the whole request holding d7 gets 429 once
        throttleItemOnce.put("d23", true); // d23 alone gets 429 once, its batch-mates succeed
        throttleItemOnce.put("d31", true);
        try (SearchWriter<Doc> w = writer(10, 4)) {
            for (int i = 0; i < 50; i++) {
                write(w, "d" + i, 1);
            }
            w.flush(false);
        }
        assertEquals(50, index.size(), "no document lost");
        acks.forEach((id, n) -> assertEquals(1, n.get(), id + " indexed " + n.get() + " times"));
        assertEquals(5 + 1 + 2, requestCount(), "five batches, one whole retry, two retries of one document each");
        assertTrue(
                requests.contains(List.of("d23")) && requests.contains(List.of("d31")),
                "item-level retries send only the failed documents: " + requests);
    }

    @Test
    void aLaterVersionOfADocumentStillInFlightWaitsForItSoTheLaterOneWins() throws Exception {
        gate = new CountDownLatch(1);
        gated = id -> true;
        try (SearchWriter<Doc> w = writer(2, 4)) {
            write(w, "x", 1);
            write(w, "a", 1); // batch 1 [x v1, a] held by the server
            awaitRequests(1);
            gated = id -> false;
            CountDownLatch written = new CountDownLatch(1);
            List<Throwable> failures = new ArrayList<>();
            background(
                    () -> {
                        write(w, "x", 2);
                        write(w, "b", 1); // batch 2 [x v2, b]: must not race batch 1
                    },
                    written,
                    failures);
            assertFalse(written.await(BLOCKED_MS, TimeUnit.MILLISECONDS), "x v2 was sent while x v1 was in flight");
            assertEquals(1, requestCount());
            gate.countDown();
            assertTrue(written.await(20, TimeUnit.SECONDS));
            assertTrue(failures.isEmpty(), failures.toString());
            w.flush(false);
        }
        assertEquals("{\"v\":2}", index.get("x"), "the later version wins");
        assertEquals(List.of("x", "a"), requests.get(0));
        assertEquals(List.of("x", "b"), requests.get(1));
    }

    @Test
    void aDocumentWrittenTwiceBeforeItIsSentIsSentOnceWithItsLastVersion() throws Exception {
        try (SearchWriter<Doc> w = writer(100, 4)) {
            write(w, "y", 1);
            write(w, "z", 1);
            write(w, "y", 2);
            w.flush(false);
        }
        assertEquals(List.of(List.of("y", "z")), requests);
        assertEquals("{\"v\":2}", index.get("y"));
    }

    @Test
    void aBatchThatFailsForGoodFailsTheNextWriteOrFlush() throws Exception {
        server.removeContext("/_bulk");
        server.createContext("/_bulk", ex -> {
            ex.getRequestBody().readAllBytes();
            answer(ex, 503, "{}");
            ex.close();
        });
        try (SearchWriter<Doc> w = writer(10, 4)) {
            write(w, "d0", 1);
            IOException e = assertThrows(IOException.class, () -> w.flush(false));
            assertTrue(e.getMessage().contains("gave up after 3 retries"), e.getMessage());
        }
    }
}
