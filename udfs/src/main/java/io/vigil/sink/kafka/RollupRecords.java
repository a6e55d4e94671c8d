package io.vigil.sink.kafka;

import io.vigil.model.Rollup;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** A rollup as a Kafka record: key = series id and window start (one value per series and window), value = JSON. */
final class RollupRecords implements KafkaRecordSerializationSchema<Rollup> {
    private final String topic;

    RollupRecords(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Rollup r, KafkaSinkContext context, Long timestamp) {
        byte[] key = (r.seriesId() + "@" + r.windowStart).getBytes(StandardCharsets.UTF_8);
        // No record timestamp: the producer stamps the time of writing (see KafkaSinks). The window is in the value.
        return new ProducerRecord<>(topic, null, null, key, RollupJson.toBytes(r));
    }
}
