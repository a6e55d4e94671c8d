package io.vigil.rules.kafka;

import io.vigil.kafka.KeyedUpdateDeserializer;
import io.vigil.kafka.KeyedUpdateTopic;
import io.vigil.rules.RuleUpdate;
import java.util.Properties;

/**
 * The compacted Kafka topic that holds the rules a running job applies (hot reload): key = rule id, value = rule JSON,
 * tombstone = deleted. {@code vigil rules push} writes it; {@link #updates} reads it into the job's broadcast rule
 * stream.
 *
 * <p>A fresh job reads the topic from the beginning (compaction keeps the last version of each rule, so that is the
 * current rule set); a job restored from a checkpoint or savepoint continues from its checkpointed offsets and its
 * broadcast state. Rules on the topic win over rule files with the same id.
 */
public final class RuleTopic extends KeyedUpdateTopic<RuleUpdate> {
    private static final long serialVersionUID = 1L;
    public static final String DEFAULT_TOPIC = "vigil-rules";

    /**
     * @param clientProperties consumer settings (security.protocol, sasl.*, ssl.*, ...)
     */
    public RuleTopic(String bootstrapServers, String topic, String groupId, Properties clientProperties) {
        super(bootstrapServers, topic, groupId, clientProperties, "kafka-rules", "rules");
    }

    public RuleTopic(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, "vigil-rules", new Properties());
    }

    @Override
    protected KeyedUpdateDeserializer<RuleUpdate> deserializer() {
        return new RuleUpdateDeserializer();
    }
}
