package io.vigil.rules.kafka;

import io.vigil.kafka.CompactedTopic;
import io.vigil.rules.RuleUpdate;
import java.io.Serializable;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The compacted Kafka topic that holds the rules a running job applies (hot reload): key = rule id, value = rule JSON,
 * tombstone = deleted. {@code vigil rules push} writes it; {@link #updates} reads it into the job's broadcast rule
 * stream.
 *
 * <p>A fresh job reads the topic from the beginning (compaction keeps the last version of each rule, so that is the
 * current rule set); a job restored from a checkpoint or savepoint continues from its checkpointed offsets and its
 * broadcast state. Rules on the topic win over rule files with the same id.
 */
public final class RuleTopic implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String DEFAULT_TOPIC = "vigil-rules";

    private final CompactedTopic topic;

    /**
     * @param clientProperties consumer settings (security.protocol, sasl.*, ssl.*, ...)
     */
    public RuleTopic(String bootstrapServers, String topic, String groupId, Properties clientProperties) {
        this.topic = new CompactedTopic(bootstrapServers, topic, groupId, clientProperties);
    }

    public RuleTopic(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, "vigil-rules", new Properties());
    }

    public String topic() {
        return topic.topic();
    }

    public KafkaSource<RuleUpdate> kafkaSource() {
        return topic.kafkaSource(new RuleUpdateDeserializer());
    }

    /**
     * The rule updates as one stream (parallelism 1: updates are few and their order matters). Creates the topic
     * (compacted) first if it is missing: the Kafka source fails on a topic that does not exist, and a job may well
     * start before anyone pushed a rule. Its watermark is always the end of time, so it never holds the job's event
     * time back ({@link CompactedTopic#endOfTime}).
     */
    public DataStream<RuleUpdate> updates(StreamExecutionEnvironment env) {
        return topic.updates(env, new RuleUpdateDeserializer(), "kafka-rules", "rules");
    }
}
