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
 */
public final class SteadyTelemetry implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int rate;
    private final BenchTelemetry mix;
    private final AtomicLong written = new AtomicLong();
    /** Records the broker did not take (the producer gave up on them); the first reason is kept. */
    private final AtomicLong failed = new AtomicLong();

    private volatile Exception firstFailure;

    /** @param client extra client properties (a secured stack's), may be empty */
    public SteadyTelemetry(String bootstrap, Properties client, String topic, int rate, long seed) {
        if (rate < 1) throw new IllegalArgumentException("rate must be at least 1 record/s, not " + rate);
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.rate = rate;
        this.mix = new BenchTelemetry(seed, System.currentTimeMillis());
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
            Telemetry t = mix.next(System.currentTimeMillis());
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
