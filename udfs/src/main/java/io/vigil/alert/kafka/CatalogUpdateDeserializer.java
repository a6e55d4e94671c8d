package io.vigil.alert.kafka;

import io.vigil.alert.CatalogUpdate;
import io.vigil.alert.ServiceCatalog;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the service-catalog topic: key = {@code service.name}, value = the service's entry as JSON with the catalog
 * file's field names ({@link ServiceCatalog#entryFromJson}), a null (tombstone) or empty value = the topic's entry was
 * removed. Records that cannot be an update (no key, a value that is not an entry, an unknown field) are logged with
 * where they are and why, and dropped: a bad record never fails the job, and the service keeps its previous entry.
 */
public final class CatalogUpdateDeserializer implements KafkaRecordDeserializationSchema<CatalogUpdate> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CatalogUpdateDeserializer.class);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<CatalogUpdate> out) {
        if (record.key() == null || record.key().length == 0) {
            LOG.warn(
                    "Ignoring a record without key at {}-{}@{}: the service catalog topic is keyed by service.name",
                    record.topic(),
                    record.partition(),
                    record.offset());
            return;
        }
        String service = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null || record.value().length == 0) {
            out.collect(CatalogUpdate.removal(service));
            return;
        }
        try {
            out.collect(new CatalogUpdate(
                    service, ServiceCatalog.entryFromJson(new String(record.value(), StandardCharsets.UTF_8))));
        } catch (IllegalArgumentException e) {
            LOG.warn(
                    "Ignoring catalog update of service {} at {}-{}@{}; its previous entry stays: {}",
                    service,
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
        }
    }

    @Override
    public TypeInformation<CatalogUpdate> getProducedType() {
        return TypeInformation.of(CatalogUpdate.class);
    }
}
