package io.vigil.ingest.kafka;

import java.io.Serializable;

/**
 * Makes the decoder for a format name ({@code json}, {@code otlp-json}, {@code otlp-proto:metrics}, ...). Shipped
 * with the job and called in each source reader's {@code open()}, because decoders need not be serializable.
 */
@FunctionalInterface
public interface DecoderFactory extends Serializable {
    RecordDecoder forFormat(String format);
}
