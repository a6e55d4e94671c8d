package io.vigil.ingest.kafka;

import io.vigil.ingest.Reasons;
import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes Kafka records inside the source, with the format configured for their topic, so the source's per-partition
 * watermarks see event time. Every record yields telemetry or a dead letter with its reason; none is dropped.
 * The origin of each output is {@code kafka:topic/partition@offset}, enough to find the record again.
 */
public final class TelemetryDeserializer implements KafkaRecordDeserializationSchema<Ingested> {
    private static final byte[] EMPTY = new byte[0];

    private final TopicFormats topics;
    private final DecoderFactory decoders;
    /** Decoders by format, built on the task (decoders need not be serializable). */
    private transient Map<String, RecordDecoder> byFormat;

    public TelemetryDeserializer(TopicFormats topics, DecoderFactory decoders) {
        this.topics = topics;
        this.decoders = decoders;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        byFormat = new HashMap<>();
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out) {
        if (byFormat == null) byFormat = new HashMap<>();
        String origin = "kafka:" + record.topic() + "/" + record.partition() + "@" + record.offset();
        String format = topics.formatOf(record.topic());
        byte[] value = record.value();
        if (format == null) {
            out.collect(Ingested.dead(new DeadLetter(
                    value == null ? EMPTY : value,
                    origin,
                    "unknown",
                    "unknown_topic",
                    "no format is configured for topic " + record.topic())));
            return;
        }
        if (value == null || value.length == 0) {
            // A tombstone or empty record carries no telemetry; keep it visible rather than skip it.
            out.collect(Ingested.dead(new DeadLetter(
                    EMPTY,
                    origin,
                    format,
                    "empty_record",
                    "the record has no value (a tombstone or an empty message)")));
            return;
        }
        RecordDecoder decoder = byFormat.computeIfAbsent(format, decoders::forFormat);
        List<Ingested> decoded = new ArrayList<>(4);
        try {
            decoder.decode(value, origin, decoded::add);
        } catch (RuntimeException | StackOverflowError e) {
            // Decoders report bad input as dead letters themselves; this is the net for a decoder bug (a regular
            // expression that recurses on a long line overflows the stack), so that one poisonous record cannot
            // restart the job forever. What the decoder emitted before failing is withheld: the dead letter holds the
            // whole record, and replaying it must not duplicate records. Same net as Decoders.decodeSafely, which
            // takes a TelemetryDecoder rather than this source's RecordDecoder.
            out.collect(Ingested.dead(new DeadLetter(
                    value,
                    origin,
                    format,
                    Reasons.DECODER_ERROR,
                    Reasons.detail(e.getClass().getSimpleName() + ": " + e.getMessage()))));
            return;
        }
        for (Ingested i : decoded) {
            out.collect(i);
        }
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return TypeInformation.of(Ingested.class);
    }
}
