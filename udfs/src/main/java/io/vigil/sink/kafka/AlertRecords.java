package io.vigil.sink.kafka;

import io.vigil.model.Alert;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/** An alert as a Kafka record: key = alert id (so compaction and consumers can de-duplicate), value = its JSON. */
final class AlertRecords implements KafkaRecordSerializationSchema<Alert> {
    private final String topic;
    private final SerializableFunction<Alert, byte[]> encoder;

    AlertRecords(String topic, SerializableFunction<Alert, byte[]> encoder) {
        this.topic = topic;
        this.encoder = encoder;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Alert alert, KafkaSinkContext context, Long timestamp) {
        byte[] key = alert.id == null ? null : alert.id.getBytes(StandardCharsets.UTF_8);
        // No record timestamp: the producer stamps the time of writing (see KafkaSinks). The event time is in the
        // value.
        return new ProducerRecord<>(topic, null, null, key, encoder.apply(alert));
    }
}
