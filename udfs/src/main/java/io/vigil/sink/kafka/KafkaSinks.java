package io.vigil.sink.kafka;

import io.vigil.incident.Incident;
import io.vigil.incident.IncidentJson;
import io.vigil.model.Alert;
import io.vigil.model.DeadLetter;
import io.vigil.model.Rollup;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Vigil's Kafka outputs. All are transactional (DeliveryGuarantee.EXACTLY_ONCE): a record becomes visible to
 * consumers with {@code isolation.level=read_committed} only when the checkpoint that covers it completes, so after a
 * failure and restore nothing is lost and nothing appears twice. Each sink gets its own transactional-id prefix
 * ({@code <prefix>-alerts}, {@code -dead-letters}, {@code -rollups}): two writers sharing one fence each other.
 *
 * <p>Records carry the wall-clock time they were written as their Kafka timestamp, never the event time: the broker
 * applies time-based retention ({@code retention.ms}, 7 days by default) to record timestamps, so alerts raised
 * while replaying or catching up on week-old telemetry would be deleted at the broker's next retention check, within
 * seconds of being committed. Event time travels in the value ({@code @timestamp}, {@code vigil.window_start/end}).
 */
public final class KafkaSinks {
    /** The broker's default transaction.max.timeout.ms; a producer asking for more is refused. */
    public static final Duration BROKER_MAX_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    private final String bootstrapServers;
    private final String transactionalIdPrefix;
    private final Duration transactionTimeout;
    private final Properties clientProperties;

    /**
     * @param transactionalIdPrefix unique per job on the cluster (default: derived from the job name)
     * @param transactionTimeout how long an open transaction may stay open; must exceed the checkpoint interval plus
     *     the longest expected restart, and stay under the broker's maximum (15 min by default). After a hard failure
     *     read_committed consumers wait until the restarted job aborts the open transaction, or this timeout passes.
     * @param clientProperties passed to the producers as is (security.protocol, sasl.*, ssl.*, ...)
     */
    public KafkaSinks(
            String bootstrapServers,
            String transactionalIdPrefix,
            Duration transactionTimeout,
            Properties clientProperties) {
        if (transactionTimeout.compareTo(BROKER_MAX_TRANSACTION_TIMEOUT) > 0) {
            throw new IllegalArgumentException("transaction timeout " + transactionTimeout
                    + " exceeds the broker's default maximum of 15 minutes");
        }
        this.bootstrapServers = bootstrapServers;
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.transactionTimeout = transactionTimeout;
        this.clientProperties = new Properties();
        this.clientProperties.putAll(clientProperties);
    }

    /** Alerts keyed by alert id, the value the versioned alert JSON made by {@code encoder}. */
    public KafkaSink<Alert> alerts(String topic, SerializableFunction<Alert, byte[]> encoder) {
        return sink("alerts", new AlertRecords(topic, encoder));
    }

    /** Incident revisions as JSON ({@link IncidentJson}), keyed by incident id: a compacted topic keeps the latest. */
    public KafkaSink<Incident> incidents(String topic) {
        return sink("incidents", new IncidentRecords(topic));
    }

    /** Dead letters as JSON ({@link DeadLetterJson}), keyed by origin. */
    public KafkaSink<DeadLetter> deadLetters(String topic) {
        return sink("dead-letters", new DeadLetterRecords(topic));
    }

    /** Rollups as JSON ({@link RollupJson}), keyed by series and window start. */
    public KafkaSink<Rollup> rollups(String topic) {
        return sink("rollups", new RollupRecords(topic));
    }

    private <T> KafkaSink<T> sink(String what, KafkaRecordSerializationSchema<T> records) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.setProperty("transaction.timeout.ms", Long.toString(transactionTimeout.toMillis()));
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(p)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-" + what)
                .setRecordSerializer(records)
                .build();
    }
}
