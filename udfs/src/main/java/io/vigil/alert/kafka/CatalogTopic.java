package io.vigil.alert.kafka;

import io.vigil.alert.CatalogUpdate;
import io.vigil.kafka.KeyedUpdateDeserializer;
import io.vigil.kafka.KeyedUpdateTopic;
import java.util.Properties;

/**
 * The compacted Kafka topic that holds service-catalog entries a running job enriches alerts with: key =
 * {@code service.name}, value = the entry as JSON (the catalog file's field names), tombstone = removed.
 * {@code vigil catalog push} writes it; {@link #updates} reads it into the enricher's broadcast state.
 *
 * <p>A fresh job reads the topic from the beginning (compaction keeps each service's last entry, so that is the
 * current catalog); a job restored from a checkpoint or savepoint continues from its checkpointed offsets and its
 * broadcast state. Entries on the topic win over the catalog file's for the same service.
 */
public final class CatalogTopic extends KeyedUpdateTopic<CatalogUpdate> {
    private static final long serialVersionUID = 1L;
    public static final String DEFAULT_TOPIC = "vigil-services";

    /**
     * @param clientProperties consumer settings (security.protocol, sasl.*, ssl.*, ...)
     */
    public CatalogTopic(String bootstrapServers, String topic, String groupId, Properties clientProperties) {
        super(bootstrapServers, topic, groupId, clientProperties, "kafka-catalog", "service catalog");
    }

    public CatalogTopic(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, "vigil-catalog", new Properties());
    }

    @Override
    protected KeyedUpdateDeserializer<CatalogUpdate> deserializer() {
        return new CatalogUpdateDeserializer();
    }
}
