package io.vigil.sink.kafka;

import io.vigil.model.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** A dead letter as a Kafka record: key = its origin, value = {@link DeadLetterJson}. */
final class DeadLetterRecords implements KafkaRecordSerializationSchema<DeadLetter> {
    private final String topic;

    DeadLetterRecords(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        byte[] key = d.origin == null ? null : d.origin.getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, key, DeadLetterJson.toBytes(d));
    }
}
