package io.vigil.kafka;

import java.io.Serializable;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One compacted topic of keyed updates that a running job follows into broadcast state (the rules, the service catalog,
 * the silences), built the same way for each: a {@link CompactedTopic} read with the topic's
 * {@link KeyedUpdateDeserializer}, under a fixed source uid so a savepoint restores its offsets. Subclasses name the
 * topic's defaults and its deserializer.
 */
public abstract class KeyedUpdateTopic<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final CompactedTopic topic;
    private final String uid;
    private final String what;

    /**
     * @param clientProperties consumer settings (security.protocol, sasl.*, ssl.*, ...)
     * @param uid the source's uid ({@code kafka-rules}): savepoints restore its offsets by it
     * @param what what the topic holds, for messages and the operator name ("rules", "service catalog")
     */
    protected KeyedUpdateTopic(
            String bootstrapServers,
            String topic,
            String groupId,
            Properties clientProperties,
            String uid,
            String what) {
        this.topic = new CompactedTopic(bootstrapServers, topic, groupId, clientProperties);
        this.uid = uid;
        this.what = what;
    }

    /** How a record of the topic becomes an update. */
    protected abstract KeyedUpdateDeserializer<T> deserializer();

    public String topic() {
        return topic.topic();
    }

    public KafkaSource<T> kafkaSource() {
        return topic.kafkaSource(deserializer());
    }

    /**
     * The updates as one stream (parallelism 1: updates are few and their order matters), creating the topic
     * (compacted) first if it is missing; the stream is always idle, so it never holds the job's event time back
     * ({@link CompactedTopic#alwaysIdle}).
     */
    public DataStream<T> updates(StreamExecutionEnvironment env) {
        return topic.updates(env, deserializer(), uid, what);
    }
}
