package io.vigil.sink.search;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Buffers documents and sends them in bulk when the buffer reaches the configured count or bytes, when the flush
 * interval passes (a processing-time timer, run in the task's thread), and on every checkpoint ({@link #flush}).
 * Sending blocks the task until every document is acknowledged or dead-lettered, so a slow cluster backpressures the
 * job instead of growing the buffer.
 */
class SearchWriter<T> implements SinkWriter<T> {
    private final SearchConfig config;
    private final SearchDocuments<T> documents;
    private final BulkClient client;
    private final ProcessingTimeService time;
    private final List<BulkItem> buffer = new ArrayList<>();
    private long bufferedBytes;
    private long lastSend;
    private final Counter sent;
    private final Counter indexed;
    private final Counter retried;
    private final Counter deadLettered;
    private final Counter requests;

    SearchWriter(SearchConfig config, SearchDocuments<T> documents, WriterInitContext context) throws IOException {
        this.config = config;
        this.documents = documents;
        this.client = new BulkClient(config);
        if (config.installTemplates) {
            SearchTemplates.install(client.rest(), config);
        }
        SinkWriterMetricGroup metrics = context.metricGroup();
        this.sent = metrics.getNumRecordsSendCounter();
        this.indexed = metrics.counter("searchDocumentsIndexed");
        this.retried = metrics.counter("searchDocumentsRetried");
        this.deadLettered = metrics.counter("searchDocumentsDeadLettered");
        this.requests = metrics.counter("searchBulkRequests");
        this.time = context.getProcessingTimeService();
        this.lastSend = time.getCurrentProcessingTime();
        schedule();
    }

    private void schedule() {
        time.registerTimer(time.getCurrentProcessingTime() + config.flushInterval.toMillis(), now -> {
            if (!buffer.isEmpty() && now - lastSend >= config.flushInterval.toMillis()) {
                send();
            }
            schedule();
        });
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        BulkItem item = new BulkItem(documents.index(element), documents.id(element), documents.source(element));
        buffer.add(item);
        bufferedBytes += item.size();
        if (buffer.size() >= config.maxActions || bufferedBytes >= config.maxBytes) {
            send();
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        send();
    }

    private void send() throws IOException, InterruptedException {
        lastSend = time.getCurrentProcessingTime();
        if (buffer.isEmpty()) {
            return;
        }
        BulkClient.Outcome o = client.deliver(buffer);
        sent.inc(buffer.size());
        indexed.inc(o.indexed);
        retried.inc(o.retried);
        deadLettered.inc(o.deadLettered);
        requests.inc(o.requests);
        buffer.clear();
        bufferedBytes = 0;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
