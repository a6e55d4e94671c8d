package io.vigil.bench;

import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes the {@link BenchTelemetry} mix to a Kafka topic at a steady rate with event time = wall time, keyed by
 * service, as {@code vigil generate} and {@code vigil soak} do. Each record is due at start + i / rate; a producer that
 * falls behind catches up without sleeping rather than dropping records, so the count stays exact.
 *
 * <p>With a time scale above 1, event time runs that many times faster than the wall clock from the start (a record
 * produced t seconds after the start carries event time start + scale * t), so windows longer than a soak can wait
 * for (the SLO rules' 6 h) fill and slide within it; see {@code vigil soak --time-scale}.
 */
public final class SteadyTelemetry implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int rate;
    private final BenchTelemetry mix;
    private final long startMillis;
    private final int timeScale;
    private final AtomicLong written = new AtomicLong();
    /** Records the broker did not take (the producer gave up on them); the first reason is kept. */
    private final AtomicLong failed = new AtomicLong();

    private volatile Exception firstFailure;

    /** @param client extra client properties (a secured stack's), may be empty */
    public SteadyTelemetry(String bootstrap, Properties client, String topic, int rate, long seed) {
        this(bootstrap, client, topic, rate, seed, 1, System.currentTimeMillis());
    }

    /**
     * @param timeScale event-time seconds per wall-clock second, 1 or more
     * @param originMillis the wall-clock moment where event time and wall time coincide (the soak's start, which its
     *     latency measurement maps event times back through)
     */
    public SteadyTelemetry(
            String bootstrap, Properties client, String topic, int rate, long seed, int timeScale, long originMillis) {
        if (rate < 1) throw new IllegalArgumentException("rate must be at least 1 record/s, not " + rate);
        if (timeScale < 1) throw new IllegalArgumentException("time scale must be 1 or more, not " + timeScale);
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.rate = rate;
        this.startMillis = originMillis;
        this.timeScale = timeScale;
        this.mix = new BenchTelemetry(seed, startMillis);
    }

    /** The event time of a record produced at wall-clock time {@code nowMillis}. */
    static long eventTime(long startMillis, int timeScale, long nowMillis) {
        return startMillis + (nowMillis - startMillis) * timeScale;
    }

    /**
     * Writes {@code total} records (or until {@code stop} says so) at the rate, then flushes. {@code progress} is
     * called every 10 s worth of records with the count so far.
     */
    public void run(long total, BooleanSupplier stop, java.util.function.LongConsumer progress) {
        long start = System.nanoTime();
        long periodNanos = 1_000_000_000L / rate;
        for (long i = 0; i < total && !stop.getAsBoolean(); i++) {
            long wait = start + i * periodNanos - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            Telemetry t = mix.next(eventTime(startMillis, timeScale, System.currentTimeMillis()));
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            t.resource.get("service.name").getBytes(StandardCharsets.UTF_8),
                            TelemetryJson.write(t).getBytes(StandardCharsets.UTF_8)),
                    (meta, e) -> {
                        // A send that fails is not retried by us: it is counted, so a caller can say so.
                        if (e != null && failed.getAndIncrement() == 0) firstFailure = e;
                    });
            long n = written.incrementAndGet();
            if (n % (rate * 10L) == 0) progress.accept(n);
        }
        producer.flush();
    }

    /** Records handed to the producer so far. */
    public long written() {
        return written.get();
    }

    /** Records handed to the producer that the broker never took. */
    public long failed() {
        return failed.get();
    }

    /** Why the first failed record failed, or null. */
    public Exception firstFailure() {
        return firstFailure;
    }

    @Override
    public void close() {
        producer.close();
    }
}
