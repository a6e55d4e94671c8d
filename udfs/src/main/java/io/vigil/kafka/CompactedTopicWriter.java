package io.vigil.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes a {@link CompactedTopic} from the command line ({@code vigil rules push}, {@code vigil catalog push}): creates
 * the topic compacted if it is missing, puts values by key, tombstones removed keys, and reads what the topic holds
 * now. Idempotent producer with acks=all, so a put that returns has been stored.
 */
public final class CompactedTopicWriter implements AutoCloseable {
    private final String topic;
    private final Properties client;
    private final KafkaProducer<String, String> producer;

    public CompactedTopicWriter(String bootstrapServers, String topic, Properties clientProperties) {
        this.topic = topic;
        this.client = new Properties();
        client.putAll(clientProperties);
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Creates the topic (one partition, compacted) if it does not exist; returns true if it was created. */
    public boolean ensureTopic() throws ExecutionException, InterruptedException {
        return CompactedTopic.createIfMissing(
                client.getProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG), topic, client);
    }

    public void put(String key, String value) throws ExecutionException, InterruptedException {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    /** A tombstone: compaction eventually drops the key, and a running job removes it now. */
    public void delete(String key) throws ExecutionException, InterruptedException {
        producer.send(new ProducerRecord<>(topic, key, null)).get();
    }

    /** What the topic holds now (last value per key, removed keys left out): key to value. */
    public Map<String, String> current(Duration timeout) {
        Properties c = new Properties();
        c.putAll(client);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Reading must not create the topic with the broker's defaults (not compacted).
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        Map<String, String> values = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            List<PartitionInfo> infos = consumer.listTopics(timeout).get(topic);
            if (infos == null) {
                return values; // no topic yet: nothing on it
            }
            infos.forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("could not read topic " + topic + " to its end in " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() == null) {
                        continue;
                    }
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (r.value() == null || r.value().length == 0) {
                        values.remove(key);
                    } else {
                        values.put(key, new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return values;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
