package io.vigil.sink.kafka;

import io.vigil.incident.Incident;
import io.vigil.incident.IncidentJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** An incident revision as a Kafka record: key = incident id (compaction keeps the latest revision), value = JSON. */
final class IncidentRecords implements KafkaRecordSerializationSchema<Incident> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    IncidentRecords(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Incident incident, KafkaSinkContext context, Long timestamp) {
        // No record timestamp: the producer stamps the time of writing, as for alerts. Event times are in the value.
        return new ProducerRecord<>(
                topic, null, null, incident.id.getBytes(StandardCharsets.UTF_8), IncidentJson.toBytes(incident));
    }
}
