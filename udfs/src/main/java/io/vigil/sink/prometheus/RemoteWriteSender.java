package io.vigil.sink.prometheus;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends remote-write requests on a thread of its own, so the task thread never waits for a request or sleeps between
 * retries (which would hold back processing and checkpoint barriers). One sender thread sends the requests in the
 * order they were given, as Prometheus wants samples of a series in time order; at most {@code maxPending} requests
 * wait or travel at once, and {@link #submit} blocks only while that many are pending: a slow receiver backpressures
 * the job instead of filling the heap. {@link #flush} (on checkpoint) waits for every pending request, so a completed
 * checkpoint means its samples were received. A request that runs out of retries fails the next {@link #submit} or
 * {@link #flush}, and with it the job, which replays from its last checkpoint.
 *
 * <p>Our own small class rather than a library: it is a single thread, a semaphore and the first failure.
 */
final class RemoteWriteSender implements AutoCloseable {
    private final RemoteWriteClient client;
    private final int maxPending;
    private final Semaphore pending;
    private final ExecutorService thread;
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    final AtomicLong samplesSent = new AtomicLong();
    final AtomicLong samplesRejected = new AtomicLong();
    final AtomicLong requestsRejected = new AtomicLong();
    final AtomicLong retries = new AtomicLong();

    RemoteWriteSender(RemoteWriteClient client, int maxPending, String name) {
        this.client = client;
        this.maxPending = maxPending;
        this.pending = new Semaphore(maxPending);
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues one request; blocks while {@code maxPending} requests are pending. */
    void submit(byte[] body, int samples) throws IOException, InterruptedException {
        rethrow();
        pending.acquire();
        try {
            thread.execute(() -> send(body, samples));
        } catch (RuntimeException e) {
            pending.release();
            throw e;
        }
    }

    private void send(byte[] body, int samples) {
        try {
            if (failure.get() != null) {
                return; // the job fails on the first failure; later requests would only be resent after the restart
            }
            int before = client.retries;
            RemoteWriteClient.Result result = client.send(body, samples);
            retries.addAndGet(client.retries - before);
            if (result == RemoteWriteClient.Result.SENT) {
                samplesSent.addAndGet(samples);
            } else {
                samplesRejected.addAndGet(samples);
                requestsRejected.incrementAndGet();
            }
        } catch (IOException e) {
            failure.compareAndSet(null, e);
        } catch (InterruptedException e) {
            failure.compareAndSet(null, new IOException("prometheus: sending interrupted (the sink is closing)", e));
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, new IOException("prometheus: sending failed: " + e, e));
        } finally {
            pending.release();
        }
    }

    /** Waits until every submitted request was sent (or rejected); throws the first failure. */
    void flush() throws IOException, InterruptedException {
        pending.acquire(maxPending);
        pending.release(maxPending);
        rethrow();
    }

    /** Requests submitted and not yet done. */
    int pending() {
        return maxPending - pending.availablePermits();
    }

    /** Whether a caller waits in {@link #submit} for a free place. */
    boolean hasBlockedSubmitter() {
        return pending.hasQueuedThreads();
    }

    private void rethrow() throws IOException {
        IOException e = failure.get();
        if (e != null) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
