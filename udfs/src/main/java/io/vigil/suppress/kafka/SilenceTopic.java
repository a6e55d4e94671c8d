package io.vigil.suppress.kafka;

import io.vigil.kafka.KeyedUpdateDeserializer;
import io.vigil.kafka.KeyedUpdateTopic;
import io.vigil.suppress.SilenceUpdate;
import java.util.Properties;

/**
 * The compacted Kafka topic of silences and maintenance windows a running job follows: key = silence id, value = the
 * silence as JSON ({@link io.vigil.suppress.Silence#toJson}), tombstone = removed. {@code vigil silence add|expire}
 * writes it; {@link #updates} reads it into the {@link io.vigil.suppress.Silencer}'s broadcast state. A fresh job reads
 * it from the beginning (compaction keeps each silence's last version); a restored job continues from its checkpoint.
 */
public final class SilenceTopic extends KeyedUpdateTopic<SilenceUpdate> {
    private static final long serialVersionUID = 1L;
    public static final String DEFAULT_TOPIC = "vigil-silences";

    /**
     * @param clientProperties consumer settings (security.protocol, sasl.*, ssl.*, ...)
     */
    public SilenceTopic(String bootstrapServers, String topic, String groupId, Properties clientProperties) {
        super(bootstrapServers, topic, groupId, clientProperties, "kafka-silences", "silences");
    }

    public SilenceTopic(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, "vigil-silences", new Properties());
    }

    @Override
    protected KeyedUpdateDeserializer<SilenceUpdate> deserializer() {
        return new SilenceUpdateDeserializer();
    }
}
