package io.vigil.sink.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sender against a real JDK HTTP server that fails a number of times and then accepts: requests and their retries
 * run off the caller's thread, in order, a full queue blocks the caller, and a flush waits for every request.
 */
class RemoteWriteSenderTest {
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Byte> accepted = new CopyOnWriteArrayList<>();
    private final CountDownLatch open = new CountDownLatch(1);
    private final CountDownLatch firstArrived = new CountDownLatch(1);
    private volatile int failFirst;
    private volatile boolean hold;
    private RemoteWriteSender sender;

    /** Starts the receiver: holds requests while {@code hold} until {@link #open}, answers 503 to the first N. */
    private RemoteWriteConfig start(int failFirst, boolean hold, int maxRetries) throws IOException {
        this.failFirst = failFirst;
        this.hold = hold;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/api/v1/write", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            firstArrived.countDown();
            if (this.hold) {
                try {
                    open.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (requests.incrementAndGet() <= this.failFirst) {
                byte[] msg = "overloaded".getBytes();
                ex.sendResponseHeaders(503, msg.length);
                ex.getResponseBody().write(msg);
            } else {
                accepted.add(body[0]);
                ex.sendResponseHeaders(204, -1);
            }
            ex.close();
        });
        server.start();
        RemoteWriteConfig c =
                RemoteWriteConfig.of("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write");
        c.maxRetries = maxRetries;
        c.initialBackoff = Duration.ofMillis(5);
        c.maxBackoff = Duration.ofMillis(20);
        return c.validate();
    }

    @AfterEach
    void stop() {
        open.countDown();
        if (sender != null) {
            sender.close();
        }
        server.stop(0);
    }

    @Test
    void retriesRunOffTheCallersThreadAndFlushWaitsForThem() throws Exception {
        RemoteWriteConfig c = start(3, true, 8);
        sender = new RemoteWriteSender(new RemoteWriteClient(c), 4, "test sender");
        sender.submit(new byte[] {1}, 10);
        sender.submit(new byte[] {2}, 20);
        // Both calls returned while the receiver still holds the first request unanswered: nothing waited for it.
        assertTrue(firstArrived.await(30, TimeUnit.SECONDS), "the first request reaches the receiver");
        assertEquals(0, requests.get(), "no request was answered yet");
        assertEquals(2, sender.pending());
        hold = false;
        open.countDown();
        sender.flush();
        assertEquals(0, sender.pending());
        assertEquals(List.of((byte) 1, (byte) 2), accepted, "sent in order, each once accepted");
        assertEquals(5, requests.get(), "three 503s, then both accepted");
        assertEquals(3, sender.retries.get());
        assertEquals(30, sender.samplesSent.get());
    }

    @Test
    void aFullQueueBlocksTheCallerUntilARequestIsDone() throws Exception {
        RemoteWriteConfig c = start(0, true, 0);
        sender = new RemoteWriteSender(new RemoteWriteClient(c), 2, "test sender");
        sender.submit(new byte[] {1}, 1);
        sender.submit(new byte[] {2}, 1);
        AtomicReference<Throwable> third = new AtomicReference<>();
        CountDownLatch thirdDone = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                sender.submit(new byte[] {3}, 1);
            } catch (Throwable e) {
                third.set(e);
            }
            thirdDone.countDown();
        });
        t.start();
        // The receiver answers nothing until opened, so the third caller can only be waiting for a place.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!sender.hasBlockedSubmitter() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(sender.hasBlockedSubmitter(), "the third submit waits while two requests are pending");
        assertEquals(1, thirdDone.getCount());
        hold = false;
        open.countDown();
        assertTrue(thirdDone.await(30, TimeUnit.SECONDS), "a place frees once the receiver answers");
        assertEquals(null, third.get());
        sender.flush();
        assertEquals(List.of((byte) 1, (byte) 2, (byte) 3), accepted);
    }

    @Test
    void runningOutOfRetriesFailsTheNextFlush() throws Exception {
        RemoteWriteConfig c = start(Integer.MAX_VALUE, false, 2);
        sender = new RemoteWriteSender(new RemoteWriteClient(c), 4, "test sender");
        sender.submit(new byte[] {1}, 7);
        IOException e = assertThrows(IOException.class, sender::flush);
        assertTrue(e.getMessage().contains("gave up after 2 retries sending 7 samples"), e.getMessage());
        assertTrue(e.getMessage().contains("HTTP 503 overloaded"), e.getMessage());
        assertEquals(3, requests.get(), "the first try and two retries");
        assertThrows(IOException.class, () -> sender.submit(new byte[] {2}, 1), "later requests fail too");
    }
}
