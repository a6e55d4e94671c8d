package io.vigil.rules.kafka;

import io.vigil.rules.RuleUpdate;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

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

    private final String bootstrapServers;
    private final String topic;
    private final String groupId;
    private final Properties clientProperties;

    /**
     * @param clientProperties consumer settings (security.protocol, sasl.*, ssl.*, ...)
     */
    public RuleTopic(String bootstrapServers, String topic, String groupId, Properties clientProperties) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.groupId = groupId;
        this.clientProperties = new Properties();
        this.clientProperties.putAll(clientProperties);
    }

    public RuleTopic(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, "vigil-rules", new Properties());
    }

    public String topic() {
        return topic;
    }

    public KafkaSource<RuleUpdate> kafkaSource() {
        return KafkaSource.<RuleUpdate>builder()
                .setProperties(clientProperties)
                .setBootstrapServers(bootstrapServers)
                .setGroupId(groupId)
                .setTopics(topic)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new RuleUpdateDeserializer())
                // The job's position lives in its checkpoints; committed offsets would only mislead a lag monitor.
                .setProperty("commit.offsets.on.checkpoint", "false")
                .build();
    }

    /**
     * The rule updates as one stream (parallelism 1: updates are few and their order matters). Creates the topic
     * (compacted) first if it is missing: the Kafka source fails on a topic that does not exist, and a job may well
     * start before anyone pushed a rule.
     */
    public DataStream<RuleUpdate> updates(StreamExecutionEnvironment env) {
        try {
            createIfMissing(bootstrapServers, topic, clientProperties);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create or find the rules topic " + topic + " at "
                    + bootstrapServers + ": " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the rules topic", e);
        }
        return env.fromSource(kafkaSource(), watermarks(), "kafka-rules").uid("kafka-rules")
                .name("Kafka rules " + topic).setParallelism(1);
    }

    /**
     * Rule updates have no event time and must never hold the job's event time back: the rule stream is connected to
     * the telemetry stream (broadcast), and a connected operator's watermark is the minimum of its inputs. So the
     * rule stream's watermark is always the end of time; with no watermark at all, no timer would ever fire.
     */
    public static WatermarkStrategy<RuleUpdate> watermarks() {
        return WatermarkStrategy.forGenerator(ctx -> new EndOfTime());
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
            // One partition: one total order of updates; rules are few.
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

    private static final class EndOfTime implements WatermarkGenerator<RuleUpdate> {
        @Override
        public void onEvent(RuleUpdate event, long eventTimestamp, WatermarkOutput output) {}

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.emitWatermark(new Watermark(Long.MAX_VALUE));
        }
    }
}
