package io.vigil.it;

import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Plain Kafka clients for the integration tests: topics, a producer, a read_committed reader, and the stack tests'
 * deterministic input (bursts of errors per service), so every test that compares a disturbed run with an undisturbed
 * one writes the same records.
 */
final class KafkaTestClient implements AutoCloseable {
    /** 2026-01-01T00:00:00Z, where the stack tests' input starts: fixed, so alert ids are the same in every run. */
    static final long T0 = 1767225600000L;

    /** Services in the stack tests' input ({@code svc-0} ... {@code svc-5}); service i writes to partition i % n. */
    static final int SERVICES = 6;

    private final String bootstrap;
    private final Admin admin;
    private final KafkaProducer<byte[], byte[]> producer;
    /** Results of the records sent since the last {@link #flush}. */
    private final List<Future<RecordMetadata>> sent = new ArrayList<>();

    /** Client properties every client of this one gets (security.protocol, sasl.*, ssl.*); empty for plain text. */
    private final Properties client;

    KafkaTestClient(String bootstrap) {
        this(bootstrap, new Properties());
    }

    KafkaTestClient(String bootstrap, Properties client) {
        this.bootstrap = bootstrap;
        this.client = client;
        Properties a = new Properties();
        a.putAll(client);
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        admin = Admin.create(a);
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Creates the topic and returns once its leader answers for every partition. The controller acknowledges the
     * creation before the broker has created the partitions' logs (tens of milliseconds each on a loaded machine), and
     * records sent in between were lost: RescaleIT's input once started at second 12 on one partition, so its alerts
     * differed from run to run (issue 15, "start-up lateness"). Listing the partitions' end offsets succeeds only
     * where the leader hosts the partition.
     */
    void createTopic(String name, int partitions) throws ExecutionException, InterruptedException {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                .all()
                .get();
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        for (int p = 0; p < partitions; p++) ends.put(new TopicPartition(name, p), OffsetSpec.latest());
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            try {
                admin.listOffsets(ends).all().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + name + " created, but not every partition is ready", e);
                }
                Thread.sleep(100); // polling the broker for a condition, with the bound above
            }
        }
    }

    /** Sends without waiting; {@link #flush} fails if any record sent since the last flush was not written. */
    synchronized void send(String topic, int partition, byte[] value) {
        sent.add(producer.send(new ProducerRecord<>(topic, partition, null, value)));
    }

    /**
     * Waits until every record sent so far is written, and fails loudly if one was not: a test whose input silently
     * lost records compares alerts of different inputs.
     */
    synchronized void flush() {
        producer.flush();
        try {
            for (Future<RecordMetadata> f : sent) f.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a test record was not written to Kafka: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for test records to be written", e);
        } finally {
            sent.clear();
        }
    }

    /** A log record as the job reads it (canonical JSON), at event time {@code t}. */
    static byte[] log(long t, String service, String severity) {
        return TelemetryJson.write(Telemetry.log(t, service, severity, severity + " in " + service))
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Event-time second {@code t} (from {@link #T0}) of the stack tests' input, in event-time order per partition, not
     * flushed: one INFO per service, two ERRORs in each second of a service's bursts (15 s in every 45 s, staggered by
     * service), an occasional lone ERROR. Service i writes to partition {@code i % partitions}.
     */
    void sendSecond(String topic, int t, int partitions) {
        for (int s = 0; s < SERVICES; s++) {
            String svc = "svc-" + s;
            long base = T0 + t * 1000L;
            send(topic, s % partitions, log(base, svc, "INFO"));
            if (((t / 15) + s) % 3 == 0) {
                send(topic, s % partitions, log(base + 300, svc, "ERROR"));
                send(topic, s % partitions, log(base + 600, svc, "ERROR"));
            } else if (t % 7 == s) {
                send(topic, s % partitions, log(base + 500, svc, "ERROR"));
            }
        }
    }

    /** Seconds {@code [from, to)} of the stack tests' input ({@link #sendSecond}), flushed. */
    void sendSeconds(String topic, int from, int to, int partitions) {
        for (int t = from; t < to; t++) sendSecond(topic, t, partitions);
        flush();
    }

    /**
     * A record an hour past {@link #T0} on every partition, flushed: the watermark passes every window of the input,
     * so every alert it raises fires.
     */
    void sendEnd(String topic, int partitions) {
        for (int p = 0; p < partitions; p++) send(topic, p, log(T0 + 3_600_000L, "end-" + p, "INFO"));
        flush();
    }

    /**
     * Every committed record of a topic from the beginning (isolation.level=read_committed), read until the end
     * offsets known to a read_committed consumer (the last stable offsets) are reached.
     */
    List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.currentTimeMillis() + 60_000;
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end offsets " + end);
                }
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * {@link #readCommitted} for a topic whose producers have finished: first waits until no transaction on it is
     * still undecided. A producer's commit returns once the transaction coordinator has logged it; the markers that
     * make its records visible reach the partitions a moment later, and until then read_committed ends before them
     * (a CI run once read nothing of a topic right after the job that wrote it had finished).
     */
    List<ConsumerRecord<byte[], byte[]>> readCommittedOnceSettled(String topic, Duration timeout)
            throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> latest = latest(topic);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<TopicPartition, Long> written = endOffsets(latest, IsolationLevel.READ_UNCOMMITTED);
            Map<TopicPartition, Long> stable = endOffsets(latest, IsolationLevel.READ_COMMITTED);
            if (stable.equals(written)) return readCommitted(topic);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(topic + " still has an undecided transaction after " + timeout
                        + ": last stable offsets " + stable + ", end offsets " + written);
            }
            Thread.sleep(200);
        }
    }

    /** The latest offset of each of the topic's partitions, as {@link Admin#listOffsets} takes it. */
    private Map<TopicPartition, OffsetSpec> latest(String topic) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (var p : admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()) {
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        }
        return latest;
    }

    /** Each partition's end offset as a reader of {@code level} sees it (read_committed: the last stable offset). */
    private Map<TopicPartition, Long> endOffsets(Map<TopicPartition, OffsetSpec> latest, IsolationLevel level)
            throws ExecutionException, InterruptedException {
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(level))
                .all()
                .get()
                .forEach((tp, o) -> out.put(tp, o.offset()));
        return out;
    }

    /** True once the group's committed offsets have reached the topic's end offsets on every partition. */
    boolean groupCaughtUp(String groupId, String topic) throws ExecutionException, InterruptedException {
        var committed = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata()
                .get();
        for (var e : endOffsets(latest(topic), IsolationLevel.READ_UNCOMMITTED).entrySet()) {
            if (e.getValue() == 0) continue; // nothing to read, so nothing is ever committed
            var c = committed.get(e.getKey());
            if (c == null || c.offset() < e.getValue()) return false;
        }
        return true;
    }

    /** Waits until {@link #groupCaughtUp} holds; throws after {@code timeout}. */
    void awaitCaughtUp(String groupId, String topic, Duration timeout) throws ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!groupCaughtUp(groupId, topic)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(groupId + " did not read " + topic + " to its end within " + timeout);
            }
            Thread.sleep(500);
        }
    }

    Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        producer.close();
        admin.close();
    }
}
