package io.vigil.rules.kafka;

import io.vigil.rules.RuleCodec;
import io.vigil.rules.RuleSpec;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

/**
 * Writes rules to the rules topic ({@code vigil rules push}): creates the topic compacted if it is missing, publishes
 * each rule keyed by id, and tombstones deleted ones. Idempotent producer with acks=all, so a push that returns has
 * been stored.
 */
public final class RulePublisher implements AutoCloseable {
    private final String topic;
    private final Properties client;
    private final KafkaProducer<String, String> producer;

    public RulePublisher(String bootstrapServers, String topic, Properties clientProperties) {
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
        return RuleTopic.createIfMissing(client.getProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG), topic,
                client);
    }

    public void publish(RuleSpec spec) throws ExecutionException, InterruptedException {
        producer.send(new ProducerRecord<>(topic, spec.id, RuleCodec.toJson(spec))).get();
    }

    /** A tombstone: the running job stops the rule and drops its state. */
    public void delete(String ruleId) throws ExecutionException, InterruptedException {
        producer.send(new ProducerRecord<>(topic, ruleId, null)).get();
    }

    /** The rules currently on the topic (last value per key, deleted ones left out): id to JSON. */
    public Map<String, String> current(Duration timeout) {
        Properties c = new Properties();
        c.putAll(client);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Reading must not create the topic with the broker's defaults (not compacted).
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        Map<String, String> rules = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            List<org.apache.kafka.common.PartitionInfo> infos = consumer.listTopics(timeout).get(topic);
            if (infos == null) {
                return rules; // no topic yet: no rules
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
                    String id = new String(r.key(), StandardCharsets.UTF_8);
                    if (r.value() == null || r.value().length == 0) {
                        rules.remove(id);
                    } else {
                        rules.put(id, new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return rules;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
