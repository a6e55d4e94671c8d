package io.vigil.sink.notify;

import io.vigil.model.Alert;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

/**
 * Turns each alert into notifications ({@link Notifications}) and hands them to the {@link NotifyClient}, which sends
 * them asynchronously: the task thread never waits for a receiver, except that at most
 * {@link NotifyConfig#maxInFlight} notifications are in flight at once (when all are busy, {@link #write} waits for
 * one to finish: backpressure) and {@link #flush} (before every checkpoint) waits for all of them, retries included,
 * so a checkpoint completes only after its alerts were delivered or given up on. Giving up does not fail the job: the
 * Alertmanager output re-sends firing and recently resolved alerts from checkpointed state. Outcomes are counted in
 * the task thread.
 */
final class NotifyWriter implements SinkWriter<Alert> {
    /** Maps an alert to the POSTs that deliver it, given the wall-clock time of sending (epoch ms). */
    interface Notifications extends java.io.Serializable {
        List<NotifyClient.Notification> of(Alert alert, long now);
    }

    private final NotifyConfig config;
    private final Notifications notifications;
    private final NotifyClient client;
    private final LongSupplier clock;
    private final List<CompletableFuture<NotifyClient.Delivery>> inFlight = new ArrayList<>();
    private final Counter sent;
    private final Counter delivered;
    private final Counter rejected;
    private final Counter gaveUp;
    private final Counter retried;

    NotifyWriter(NotifyConfig config, Notifications notifications, SinkWriterMetricGroup metrics, LongSupplier clock) {
        this.config = config;
        this.notifications = notifications;
        this.client = new NotifyClient(config);
        this.clock = clock;
        String p = config.prefix;
        this.sent = metrics.getNumRecordsSendCounter();
        this.delivered = metrics.counter(p + "NotificationsDelivered");
        this.rejected = metrics.counter(p + "NotificationsRejected");
        this.gaveUp = metrics.counter(p + "NotificationsGivenUp");
        this.retried = metrics.counter(p + "NotificationRetries");
    }

    @Override
    public void write(Alert alert, Context context) throws IOException, InterruptedException {
        completeFinished();
        for (NotifyClient.Notification n : notifications.of(alert, clock.getAsLong())) {
            while (inFlight.size() >= config.maxInFlight) {
                awaitAny(); // backpressure: every slot is taken
            }
            inFlight.add(client.post(n));
        }
        sent.inc();
    }

    /** Waits until every notification in flight is delivered, rejected or given up on. */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        while (!inFlight.isEmpty()) {
            awaitAny();
        }
    }

    private void awaitAny() throws InterruptedException, IOException {
        try {
            CompletableFuture.anyOf(inFlight.toArray(new CompletableFuture<?>[0]))
                    .get();
        } catch (ExecutionException e) {
            throw new IOException(config.prefix + ": a notification failed unexpectedly", e.getCause());
        }
        completeFinished();
    }

    private void completeFinished() {
        inFlight.removeIf(f -> {
            if (!f.isDone()) return false;
            NotifyClient.Delivery d = f.join(); // never exceptional
            retried.inc(d.retries());
            switch (d.outcome()) {
                case DELIVERED -> delivered.inc();
                case REJECTED -> rejected.inc();
                case GAVE_UP -> gaveUp.inc();
            }
            return true;
        });
    }

    /** Notifications in flight now (for tests). */
    int inFlight() {
        return inFlight.size();
    }

    @Override
    public void close() {
        // Whatever is still in flight belongs to a failed or cancelled task: it is re-sent after the restore.
        inFlight.forEach(f -> f.cancel(false));
    }
}
