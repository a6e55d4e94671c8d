package io.vigil.ingest;

import io.vigil.model.Ingested;
import java.io.Serializable;
import java.util.function.Consumer;

/**
 * Turns the bytes of one raw record into telemetry records, or into dead letters that say precisely what was wrong.
 *
 * <p>A decoder never throws for bad input: every problem becomes {@link Ingested#dead} with a short reason class (see
 * {@link Reasons}) and a detail naming the field path. One raw record may yield many records (an OTLP export request
 * carries a batch) and, for a batch, both telemetry and dead letters. Decoders are stateless and thread-safe, and
 * serializable so Flink functions and Kafka deserializers can carry them.
 */
public interface TelemetryDecoder extends Serializable {
    /**
     * Decodes one raw record.
     *
     * @param payload the bytes as received (may be null or empty, which is a dead letter)
     * @param origin where the bytes came from, copied into dead letters ({@code kafka:topic/partition@offset}, ...)
     * @param out receives each telemetry record or dead letter, in input order
     */
    void decode(byte[] payload, String origin, Consumer<Ingested> out);

    /** The format name this decoder reads, as passed to {@link Decoders#forFormat(String)}. */
    String format();
}
