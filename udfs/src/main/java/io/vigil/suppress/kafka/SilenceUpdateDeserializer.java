package io.vigil.suppress.kafka;

import io.vigil.suppress.Silence;
import io.vigil.suppress.SilenceUpdate;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the silence topic: key = silence id, value = the silence as JSON, a null or empty value = removed. A record
 * that cannot be a silence (no key, bad JSON, a bad matcher, a value whose id differs from its key) is logged with
 * where it is and why, and dropped: a bad record never fails the job, and the silence keeps its previous version.
 */
public final class SilenceUpdateDeserializer implements KafkaRecordDeserializationSchema<SilenceUpdate> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SilenceUpdateDeserializer.class);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SilenceUpdate> out) {
        if (record.key() == null || record.key().length == 0) {
            LOG.warn(
                    "Ignoring a record without key at {}-{}@{}: the silence topic is keyed by silence id",
                    record.topic(),
                    record.partition(),
                    record.offset());
            return;
        }
        String id = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null || record.value().length == 0) {
            out.collect(SilenceUpdate.removal(id));
            return;
        }
        try {
            Silence s = Silence.fromJson(new String(record.value(), StandardCharsets.UTF_8));
            if (!id.equals(s.id)) {
                throw new IllegalArgumentException("its id '" + s.id + "' is not its key");
            }
            out.collect(new SilenceUpdate(id, s));
        } catch (IllegalArgumentException e) {
            LOG.warn(
                    "Ignoring silence {} at {}-{}@{}; its previous version stays: {}",
                    id,
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
        }
    }

    @Override
    public TypeInformation<SilenceUpdate> getProducedType() {
        return TypeInformation.of(SilenceUpdate.class);
    }
}
