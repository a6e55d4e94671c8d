package io.vigil.ingest.kafka;

import io.vigil.model.Ingested;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Telemetry from Kafka topics, decoded in the source with each topic's format. The watermark strategy given to
 * {@link #create} runs per partition inside the source (Flink's KafkaSource does that for strategies passed to
 * {@code fromSource}), so a slow partition holds the watermark back and an idle one stops doing so after the
 * strategy's idleness timeout.
 */
public final class KafkaTelemetrySource implements Serializable {
    private final String bootstrapServers;
    private final TopicFormats topics;
    private final String groupId;
    private final StartOffsets start;
    private final Properties clientProperties;
    private final DecoderFactory decoders;
    private final boolean bounded;

    /**
     * @param clientProperties passed to the consumer as is (security.protocol, sasl.*, ssl.*, ...); they may not
     *     override the bootstrap servers or group id given here
     */
    public KafkaTelemetrySource(
            String bootstrapServers,
            TopicFormats topics,
            String groupId,
            StartOffsets start,
            Properties clientProperties,
            DecoderFactory decoders) {
        this(bootstrapServers, topics, groupId, start, clientProperties, decoders, false);
    }

    private KafkaTelemetrySource(
            String bootstrapServers,
            TopicFormats topics,
            String groupId,
            StartOffsets start,
            Properties clientProperties,
            DecoderFactory decoders,
            boolean bounded) {
        this.bounded = bounded;
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
        this.groupId = groupId;
        this.start = start;
        this.clientProperties = new Properties();
        this.clientProperties.putAll(clientProperties);
        this.decoders = decoders;
    }

    /**
     * The same source, but finishing at the end offsets it finds at start (benchmarks and replays of a fixed range);
     * the job ends when every partition has been read.
     */
    public KafkaTelemetrySource bounded() {
        return new KafkaTelemetrySource(bootstrapServers, topics, groupId, start, clientProperties, decoders, true);
    }

    public KafkaSource<Ingested> kafkaSource() {
        KafkaSourceBuilder<Ingested> b = KafkaSource.<Ingested>builder()
                .setProperties(clientProperties)
                .setBootstrapServers(bootstrapServers)
                .setGroupId(groupId)
                .setStartingOffsets(start.initializer())
                .setDeserializer(new TelemetryDeserializer(topics, decoders))
                // Offsets are committed on checkpoints for monitoring (consumer lag) and for `committed` restarts;
                // the job's own position lives in its checkpoints.
                .setProperty("commit.offsets.on.checkpoint", "true");
        if (topics.isPattern()) {
            b.setTopicPattern(Pattern.compile(topics.pattern()))
                    // Look for new matching topics every 30 s.
                    .setProperty("partition.discovery.interval.ms", "30000");
        } else {
            b.setTopics(new ArrayList<>(topics.formatByTopic().keySet()));
        }
        if (bounded) b.setBounded(OffsetsInitializer.latest());
        return b.build();
    }

    /** Adds the source to the job: one stream of telemetry and dead letters, with per-partition event time. */
    public DataStream<Ingested> create(StreamExecutionEnvironment env, WatermarkStrategy<Ingested> watermarks) {
        return env.fromSource(kafkaSource(), watermarks, "kafka-telemetry")
                .uid("kafka-telemetry")
                .name("Kafka telemetry " + topics);
    }
}
