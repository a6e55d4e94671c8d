package io.vigil.ingest.kafka;

import io.vigil.model.Ingested;
import java.util.function.Consumer;

/**
 * Turns one record's bytes into telemetry or dead letters. The shape of {@code io.vigil.ingest.TelemetryDecoder}; the
 * Kafka source takes it through {@link DecoderFactory} so it does not depend on how decoders are built.
 */
@FunctionalInterface
public interface RecordDecoder {
    void decode(byte[] payload, String origin, Consumer<Ingested> out);
}
