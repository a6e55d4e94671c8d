package io.vigil.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a compacted topic of keyed updates ({@link CompactedTopic}): key = what changes, value = its new version, a
 * null (tombstone) or empty value = removed. What every such topic shares lives here: a record without key is logged
 * with where it is and dropped; an empty value becomes the topic's {@link #removal}; any other value goes through the
 * topic's {@link #parse} step, and a value that step rejects is logged with where it is and why, and dropped. So a bad
 * record never fails the job, and its key keeps its previous version. Messages are logged under the concrete class's
 * name.
 */
public abstract class KeyedUpdateDeserializer<T> implements KafkaRecordDeserializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final String keyedBy;
    private final String update;
    private final String keeps;

    /**
     * @param keyedBy what the key is, said when a record has none ("the rules topic is keyed by rule id")
     * @param update how a rejected update is named before its key ("rule update", "silence")
     * @param keeps what stays when an update is rejected ("; its previous version stays"), or ""
     */
    protected KeyedUpdateDeserializer(Class<T> type, String keyedBy, String update, String keeps) {
        this.type = type;
        this.keyedBy = keyedBy;
        this.update = update;
        this.keeps = keeps;
    }

    /** The update that removes {@code key}. */
    protected abstract T removal(String key);

    /** The update a value makes; throws {@link IllegalArgumentException} saying why it cannot be one. */
    protected abstract T parse(String key, String value);

    @Override
    public final void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<T> out) {
        Logger log = LoggerFactory.getLogger(getClass());
        if (record.key() == null || record.key().length == 0) {
            log.warn(
                    "Ignoring a record without key at {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    keyedBy);
            return;
        }
        String key = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null || record.value().length == 0) {
            out.collect(removal(key));
            return;
        }
        T parsed;
        try {
            parsed = parse(key, new String(record.value(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            log.warn(
                    "Ignoring {} {} at {}-{}@{}{}: {}",
                    update,
                    key,
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    keeps,
                    e.getMessage());
            return;
        }
        out.collect(parsed);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
