package io.vigil.sink.prometheus;

import io.vigil.model.Rollup;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;

/**
 * A Flink Sink V2 that pushes rollups to a Prometheus remote-write receiver as
 * {@code vigil_<metric>{service, labels...} value @ windowEnd}. At-least-once: every checkpoint waits until the samples
 * before it were received; a resent sample has the same series, timestamp and value, which receivers accept or ignore.
 */
public class RemoteWriteSink implements Sink<Rollup> {
    private static final long serialVersionUID = 1L;

    private final RemoteWriteConfig config;

    public RemoteWriteSink(RemoteWriteConfig config) {
        this.config = config.validate();
    }

    @Override
    public SinkWriter<Rollup> createWriter(WriterInitContext context) {
        return new Writer(config, context);
    }

    /**
     * Buffers at most {@code maxSamplesPerRequest} rollups and hands them to the {@link RemoteWriteSender} when full,
     * when the flush interval passes (processing-time timer in the task thread) and on checkpoint, where it also waits
     * for every pending request. Requests and their retries run on the sender's thread; the task thread waits only when
     * {@code maxPendingRequests} are pending (backpressure from a slow receiver).
     */
    static final class Writer implements SinkWriter<Rollup> {
        private final RemoteWriteConfig config;
        private final RemoteWriteSender sender;
        private final ProcessingTimeService time;
        private final List<Rollup> buffer = new ArrayList<>();
        private long lastSend;
        private final Counter samplesSent;
        private final Counter samplesRejected;
        private final Counter requestsRejected;
        private final Counter retries;
        private final Counter notFinite;

        Writer(RemoteWriteConfig config, WriterInitContext context) {
            this.config = config;
            this.sender = new RemoteWriteSender(
                    new RemoteWriteClient(config),
                    config.maxPendingRequests,
                    "prometheus remote write " + context.getTaskInfo().getTaskNameWithSubtasks());
            this.time = context.getProcessingTimeService();
            this.samplesSent = context.metricGroup().counter("remoteWriteSamplesSent");
            this.samplesRejected = context.metricGroup().counter("remoteWriteSamplesRejected");
            this.requestsRejected = context.metricGroup().counter("remoteWriteRequestsRejected");
            this.retries = context.metricGroup().counter("remoteWriteRetries");
            this.notFinite = context.metricGroup().counter("remoteWriteSamplesNotFinite");
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
        public void write(Rollup r, Context context) throws IOException, InterruptedException {
            if (!Double.isFinite(r.value)) {
                notFinite.inc();
                return; // NaN/Inf samples carry no information here and Prometheus reads NaN as a staleness marker
            }
            buffer.add(r);
            if (buffer.size() >= config.maxSamplesPerRequest) {
                send();
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            send();
            sender.flush();
            report();
        }

        private void send() throws IOException, InterruptedException {
            lastSend = time.getCurrentProcessingTime();
            if (buffer.isEmpty()) {
                return;
            }
            byte[] body = RemoteWriteRequests.body(RemoteWriteRequests.build(config.metricPrefix, buffer));
            sender.submit(body, buffer.size());
            buffer.clear();
            report();
        }

        /** Moves the sender's tallies into the task's counters (Flink's counters are not for other threads). */
        private void report() {
            samplesSent.inc(sender.samplesSent.getAndSet(0));
            samplesRejected.inc(sender.samplesRejected.getAndSet(0));
            requestsRejected.inc(sender.requestsRejected.getAndSet(0));
            retries.inc(sender.retries.getAndSet(0));
        }

        @Override
        public void close() {
            sender.close();
        }
    }
}
