package io.vigil.suppress.kafka;

import io.vigil.kafka.CompactedTopic;
import io.vigil.suppress.SilenceUpdate;
import java.io.Serializable;
import java.util.Properties;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The compacted Kafka topic of silences and maintenance windows a running job follows: key = silence id, value = the
 * silence as JSON ({@link io.vigil.suppress.Silence#toJson}), tombstone = removed. {@code vigil silence add|expire}
 * writes it; {@link #updates} reads it into the {@link io.vigil.suppress.Silencer}'s broadcast state. A fresh job reads
 * it from the beginning (compaction keeps each silence's last version); a restored job continues from its checkpoint.
 */
public final class SilenceTopic implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String DEFAULT_TOPIC = "vigil-silences";

    private final CompactedTopic topic;

    /**
     * @param clientProperties consumer settings (security.protocol, sasl.*, ssl.*, ...)
     */
    public SilenceTopic(String bootstrapServers, String topic, String groupId, Properties clientProperties) {
        this.topic = new CompactedTopic(bootstrapServers, topic, groupId, clientProperties);
    }

    public SilenceTopic(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, "vigil-silences", new Properties());
    }

    public String topic() {
        return topic.topic();
    }

    /** The silence updates as one stream (parallelism 1) whose watermark never holds the alerts back. */
    public DataStream<SilenceUpdate> updates(StreamExecutionEnvironment env) {
        return topic.updates(env, new SilenceUpdateDeserializer(), "kafka-silences", "silences");
    }
}
