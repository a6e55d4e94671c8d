package io.vigil.kafka;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A compacted Kafka topic of keyed updates that a running job follows into broadcast state: key = what changes (a rule
 * id, a service name), value = its new version, tombstone = removed. Shared by the rules topic and the service-catalog
 * topic, which differ only in how a record becomes an update.
 *
 * <p>A fresh job reads the topic from the beginning (compaction keeps the last version of each key, so that is the
 * current set); a job restored from a checkpoint or savepoint continues from its checkpointed offsets and its
 * broadcast state.
 */
public final class CompactedTopic implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String bootstrapServers;
    private final String topic;
    private final String groupId;
    private final Properties clientProperties;

    /**
     * @param clientProperties consumer settings (security.protocol, sasl.*, ssl.*, ...)
     */
    public CompactedTopic(String bootstrapServers, String topic, String groupId, Properties clientProperties) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.groupId = groupId;
        this.clientProperties = new Properties();
        this.clientProperties.putAll(clientProperties);
    }

    public String topic() {
        return topic;
    }

    public <T> KafkaSource<T> kafkaSource(KafkaRecordDeserializationSchema<T> deserializer) {
        return KafkaSource.<T>builder()
                .setProperties(clientProperties)
                .setBootstrapServers(bootstrapServers)
                .setGroupId(groupId)
                .setTopics(topic)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(deserializer)
                // The job's position lives in its checkpoints; committed offsets would only mislead a lag monitor.
                .setProperty("commit.offsets.on.checkpoint", "false")
                .build();
    }

    /**
     * The updates as one stream (parallelism 1: updates are few and their order matters), with a fixed uid so a
     * savepoint restores the source's offsets. Creates the topic (compacted) first if it is missing: the Kafka source
     * fails on a topic that does not exist, and a job may well start before anyone pushed an update.
     *
     * @param what what the topic holds, for messages and the operator name ("rules", "service catalog")
     */
    public <T> DataStream<T> updates(
            StreamExecutionEnvironment env, KafkaRecordDeserializationSchema<T> deserializer, String uid, String what) {
        try {
            createIfMissing(bootstrapServers, topic, clientProperties);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot create or find the " + what + " topic " + topic + " at " + bootstrapServers + ": "
                            + e.getCause(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the " + what + " topic", e);
        }
        return env.fromSource(kafkaSource(deserializer), alwaysIdle(), uid)
                .uid(uid)
                .name("Kafka " + what + " " + topic)
                .setParallelism(1);
    }

    /**
     * Updates have no event time and must never hold the job's event time back: the update stream is connected to an
     * event stream (broadcast), and a connected operator's watermark is the minimum of its active inputs. So the update
     * stream declares itself idle, and the operator follows the events' watermark alone. It must not claim the end of
     * time instead: once the events go idle themselves (no record for {@code watermark-idleness}), that end of time
     * would become the operator's watermark, and as watermarks never go back, no window would close again (the soak
     * found this after a one-minute pause of the input; {@code UpdateStreamWatermarksTest} pins it).
     */
    public static <T> WatermarkStrategy<T> alwaysIdle() {
        return WatermarkStrategy.forGenerator(ctx -> new AlwaysIdle<>());
    }

    /** Creates the topic (one partition, compacted) if it does not exist; returns true if it was created. */
    public static boolean createIfMissing(String bootstrapServers, String topic, Properties clientProperties)
            throws ExecutionException, InterruptedException {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(p)) {
            if (admin.listTopics().names().get().contains(topic)) {
                return false;
            }
            // One partition: one total order of updates; updates are few.
            NewTopic t = new NewTopic(topic, 1, (short) -1).configs(Map.of("cleanup.policy", "compact"));
            try {
                admin.createTopics(List.of(t)).all().get();
                return true;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    return false;
                }
                throw e;
            }
        }
    }

    private static final class AlwaysIdle<T> implements WatermarkGenerator<T> {
        @Override
        public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
            output.markIdle(); // an update just sent must not make the stream count as active
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.markIdle();
        }
    }
}
