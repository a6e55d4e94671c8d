package io.vigil.sink.search;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

/**
 * Buffers documents and sends them in bulk when the buffer reaches the configured count or bytes, when the flush
 * interval passes (a processing-time timer, run in the task's thread), and on every checkpoint ({@link #flush}).
 *
 * <p>Up to {@link SearchConfig#maxInFlight} bulk requests run at once, each on its own sender thread with its own
 * retries ({@link BulkClient#deliver} blocks until every document of its batch is indexed or dead-lettered). The
 * guarantees, and what keeps them:
 * <ul>
 *   <li>Bounded memory and backpressure: at most one buffer (count/bytes limits) plus {@code maxInFlight} batches are
 *   held; when all senders are busy a full buffer blocks the task thread until one finishes.</li>
 *   <li>Nothing acknowledged is lost: {@link #flush} (called before every checkpoint and at end of input) sends the
 *   buffer and waits for every batch in flight, retries included; a batch that finally fails fails the job, which
 *   replays from the last checkpoint.</li>
 *   <li>The last version of a document wins: a document id is in a batch at most once (a later version written
 *   while the first still waits in the buffer replaces it) and in at most one batch in flight (a batch that holds an
 *   id still in flight waits for that batch, retries included, before it is sent). Batches of different ids may
 *   finish in any order, which cannot change any final document.</li>
 * </ul>
 * Metrics are counted in the task thread when a batch completes.
 */
class SearchWriter<T> implements SinkWriter<T> {
    private static final AtomicInteger WRITERS = new AtomicInteger();

    private final SearchConfig config;
    private final SearchDocuments<T> documents;
    private final BulkClient client;
    private final ProcessingTimeService time;
    private final ExecutorService senders;
    /** Documents not yet sent, by {@code index/id} (ids are unique per index; index names cannot hold '/'). */
    private LinkedHashMap<String, BulkItem> buffer = new LinkedHashMap<>();

    private long bufferedBytes;
    private long lastSend;
    /** Batches sent and not yet completed, oldest first. */
    private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
    /** Which batch in flight holds each document key. */
    private final Map<String, Batch> keysInFlight = new HashMap<>();

    private final Counter sent;
    private final Counter indexed;
    private final Counter retried;
    private final Counter deadLettered;
    private final Counter requests;
    private final Counter superseded;

    /** A bulk request in flight: its document keys and its sender's result. */
    private static final class Batch {
        final List<String> keys;
        final int size;
        Future<BulkClient.Outcome> result;

        Batch(List<String> keys) {
            this.keys = keys;
            this.size = keys.size();
        }
    }

    SearchWriter(SearchConfig config, SearchDocuments<T> documents, WriterInitContext context) throws IOException {
        this(config, documents, context.getProcessingTimeService(), context.metricGroup());
    }

    SearchWriter(
            SearchConfig config,
            SearchDocuments<T> documents,
            ProcessingTimeService time,
            SinkWriterMetricGroup metrics)
            throws IOException {
        this.config = config;
        this.documents = documents;
        this.client = new BulkClient(config);
        if (config.installTemplates) {
            SearchTemplates.install(client.rest(), config);
        }
        this.sent = metrics.getNumRecordsSendCounter();
        this.indexed = metrics.counter("searchDocumentsIndexed");
        this.retried = metrics.counter("searchDocumentsRetried");
        this.deadLettered = metrics.counter("searchDocumentsDeadLettered");
        this.requests = metrics.counter("searchBulkRequests");
        this.superseded = metrics.counter("searchDocumentsSuperseded");
        int writer = WRITERS.incrementAndGet();
        AtomicInteger thread = new AtomicInteger();
        this.senders = Executors.newFixedThreadPool(config.maxInFlight, r -> {
            Thread t = new Thread(r, "vigil-search-bulk-" + writer + "-" + thread.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.time = time;
        this.lastSend = time.getCurrentProcessingTime();
        schedule();
    }

    private void schedule() {
        time.registerTimer(time.getCurrentProcessingTime() + config.flushInterval.toMillis(), now -> {
            completeFinished();
            if (!buffer.isEmpty() && now - lastSend >= config.flushInterval.toMillis()) {
                dispatch();
            }
            schedule();
        });
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        BulkItem item = new BulkItem(documents.index(element), documents.id(element), documents.source(element));
        BulkItem earlier = buffer.put(item.index + "/" + item.id, item);
        if (earlier != null) {
            bufferedBytes -= earlier.size(); // the later version replaces it: only the last one is sent
            superseded.inc();
        }
        bufferedBytes += item.size();
        if (buffer.size() >= config.maxActions || bufferedBytes >= config.maxBytes) {
            dispatch();
        }
    }

    /** Sends the buffer and waits until every batch in flight is acknowledged (or fails the job). */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        dispatch();
        while (!inFlight.isEmpty()) {
            complete(inFlight.peekFirst());
        }
    }

    /** Hands the buffer to a sender, first waiting for a free one and for any batch that holds one of its ids. */
    private void dispatch() throws IOException, InterruptedException {
        lastSend = time.getCurrentProcessingTime();
        if (buffer.isEmpty()) {
            return;
        }
        completeFinished();
        for (String key : buffer.keySet()) {
            Batch holder = keysInFlight.get(key);
            if (holder != null) {
                complete(holder); // an older version of this document is still being sent: let it land first
            }
        }
        while (inFlight.size() >= config.maxInFlight) {
            complete(inFlight.peekFirst()); // backpressure: the task thread waits for a sender
        }
        List<BulkItem> items = new ArrayList<>(buffer.values());
        Batch batch = new Batch(new ArrayList<>(buffer.keySet()));
        batch.result = senders.submit(() -> client.deliver(items));
        inFlight.addLast(batch);
        for (String key : batch.keys) {
            keysInFlight.put(key, batch);
        }
        buffer = new LinkedHashMap<>();
        bufferedBytes = 0;
    }

    /** Completes the batches that are done, without waiting; throws the failure of one that failed. */
    private void completeFinished() throws IOException, InterruptedException {
        for (Batch b : new ArrayList<>(inFlight)) {
            if (b.result.isDone()) {
                complete(b);
            }
        }
    }

    /** Waits for the batch, counts what it did and frees its ids; throws if it failed for good. */
    private void complete(Batch batch) throws IOException, InterruptedException {
        BulkClient.Outcome o;
        try {
            o = batch.result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                throw new IOException(cause.getMessage(), cause);
            }
            throw new IOException("search: a bulk sender failed: " + cause, cause);
        }
        inFlight.remove(batch);
        for (String key : batch.keys) {
            keysInFlight.remove(key, batch);
        }
        sent.inc(batch.size);
        indexed.inc(o.indexed);
        retried.inc(o.retried);
        deadLettered.inc(o.deadLettered);
        requests.inc(o.requests);
    }

    /** Batches in flight now (for tests). */
    int inFlight() {
        return inFlight.size();
    }

    @Override
    public void close() throws IOException {
        senders.shutdownNow(); // a failed or cancelled task: what is still in flight is replayed from the checkpoint
        client.close();
    }
}
