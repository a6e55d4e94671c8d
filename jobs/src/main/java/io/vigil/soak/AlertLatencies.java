package io.vigil.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * End-to-end alert latency as an alert consumer sees it: a read_committed consumer follows the alert topic from its
 * end, and each alert's latency is the wall-clock time at which the consumer received it (so after the job's
 * checkpoint committed the Kafka transaction holding it) minus the alert's event time ({@code @timestamp}: the end of
 * the window it judged). Because the soak's telemetry carries event time = wall time at production, this is the time
 * from the window closing in the real world to the alert being readable: the watermark's out-of-orderness bound, the
 * wait for the next checkpoint and the commit, together. Alerts whose event time is before the soak started (a
 * restored job catching up) are counted but left out of the latency.
 *
 * <p>When the soak's event time runs faster than the wall clock ({@code --time-scale}), an alert's event time is first
 * mapped back to the wall-clock moment the producer reached it ({@code since + (event - since) / scale}), so the latency
 * is still wall-clock time from the window closing at the producer to the alert being readable.
 */
public final class AlertLatencies implements Runnable, AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The alerts of one sampling interval: how many, and the latency percentiles of those that count. */
    public record Interval(long alerts, double p50Ms, double p95Ms, double maxMs) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final long since;
    private final int timeScale;
    private final List<Long> latencies = new ArrayList<>();
    private long alerts;
    private long total;
    private volatile boolean stop;
    private volatile boolean running;

    /**
     * @param client extra client properties (security settings of a secured stack), may be empty
     * @param since epoch ms: alerts with an earlier event time are counted without a latency
     */
    public AlertLatencies(String bootstrap, Properties client, String topic, long since) {
        this(bootstrap, client, topic, since, 1);
    }

    /**
     * @param since epoch ms: the soak's start; alerts with an earlier event time are counted without a latency
     * @param timeScale event-time seconds the producer writes per wall-clock second from {@code since}
     */
    public AlertLatencies(String bootstrap, Properties client, String topic, long since, int timeScale) {
        if (timeScale < 1) throw new IllegalArgumentException("time scale must be 1 or more, not " + timeScale);
        this.timeScale = timeScale;
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.since = since;
    }

    /**
     * Assigns every partition of the topic and moves to its end, so only alerts committed from now on count. The
     * topic must exist: the job creates it when it starts (the stack's broker creates topics on first use).
     */
    public void start(Duration wait) {
        var infos = consumer.partitionsFor(topic, wait);
        if (infos == null || infos.isEmpty())
            throw new IllegalStateException("the alert topic " + topic + " does not exist");
        List<TopicPartition> parts = infos.stream()
                .map(i -> new TopicPartition(topic, i.partition()))
                .toList();
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        // seekToEnd is lazy: resolve the positions now, so alerts committed before the first poll are not skipped.
        for (TopicPartition tp : parts) consumer.position(tp, wait);
    }

    @Override
    public void run() {
        running = true;
        try {
            while (!stop) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    record(System.currentTimeMillis(), eventTime(r.value()));
                }
            }
        } catch (WakeupException e) {
            if (!stop) throw e;
        } finally {
            consumer.close();
        }
    }

    /** Counts one alert received at {@code receivedMs}; its latency counts if its event time is known and recent. */
    synchronized void record(long receivedMs, long eventMs) {
        alerts++;
        total++;
        if (eventMs >= since) latencies.add(receivedMs - (since + (eventMs - since) / timeScale));
    }

    /** The alerts since the previous call, and clears them. */
    public synchronized Interval drain() {
        long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        Interval i = new Interval(
                alerts, percentile(l, 0.50), percentile(l, 0.95), l.length == 0 ? Double.NaN : l[l.length - 1]);
        latencies.clear();
        alerts = 0;
        return i;
    }

    public synchronized long total() {
        return total;
    }

    /** Nearest-rank percentile of sorted values; NaN when there are none. */
    static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The alert's {@code @timestamp} in epoch ms, or {@code Long.MIN_VALUE} when it has none that parses. */
    static long eventTime(byte[] alertJson) {
        try {
            JsonNode n = MAPPER.readTree(alertJson);
            return n == null
                    ? Long.MIN_VALUE
                    : Instant.parse(n.path("@timestamp").asText("")).toEpochMilli();
        } catch (IOException | DateTimeParseException e) {
            return Long.MIN_VALUE;
        }
    }

    @Override
    public void close() {
        stop = true;
        // The consumer belongs to the thread that polls it: wake that one up to close it, or close it here if none.
        if (running) consumer.wakeup();
        else consumer.close();
    }
}
