package io.vigil.alert.kafka;

import io.vigil.alert.CatalogUpdate;
import io.vigil.kafka.CompactedTopic;
import java.io.Serializable;
import java.util.Properties;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The compacted Kafka topic that holds service-catalog entries a running job enriches alerts with: key =
 * {@code service.name}, value = the entry as JSON (the catalog file's field names), tombstone = removed.
 * {@code vigil catalog push} writes it; {@link #updates} reads it into the enricher's broadcast state.
 *
 * <p>A fresh job reads the topic from the beginning (compaction keeps each service's last entry, so that is the
 * current catalog); a job restored from a checkpoint or savepoint continues from its checkpointed offsets and its
 * broadcast state. Entries on the topic win over the catalog file's for the same service.
 */
public final class CatalogTopic implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String DEFAULT_TOPIC = "vigil-services";

    private final CompactedTopic topic;

    /**
     * @param clientProperties consumer settings (security.protocol, sasl.*, ssl.*, ...)
     */
    public CatalogTopic(String bootstrapServers, String topic, String groupId, Properties clientProperties) {
        this.topic = new CompactedTopic(bootstrapServers, topic, groupId, clientProperties);
    }

    public CatalogTopic(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, "vigil-catalog", new Properties());
    }

    public String topic() {
        return topic.topic();
    }

    /**
     * The catalog updates as one stream (parallelism 1), creating the topic compacted if it is missing; its watermark
     * is always the end of time, so it never holds the alerts' event time back ({@link CompactedTopic#endOfTime}).
     */
    public DataStream<CatalogUpdate> updates(StreamExecutionEnvironment env) {
        return topic.updates(env, new CatalogUpdateDeserializer(), "kafka-catalog", "service catalog");
    }
}
