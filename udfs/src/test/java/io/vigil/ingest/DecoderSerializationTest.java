package io.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/** Decoders travel inside Flink functions and Kafka deserializers, so they must survive Java serialization. */
class DecoderSerializationTest {
    @Test
    void everyDecoderWorksAfterSerialization() throws Exception {
        IngestLimits limits = IngestLimits.defaults().withMaxRecordBytes(10);
        for (String format : Decoders.FORMATS) {
            TelemetryDecoder copy = InstantiationUtil.clone(Decoders.forFormat(format, limits));
            assertEquals(format, copy.format());
            // The limits travel too: 11 bytes is over the 10-byte limit in every format.
            assertEquals(
                    Reasons.OVERSIZE,
                    Decoded.of(copy, "{\"x\":12345}".getBytes(StandardCharsets.UTF_8))
                            .onlyDead()
                            .reason,
                    format);
        }
        TelemetryDecoder json = InstantiationUtil.clone(Decoders.forFormat("json"));
        assertEquals(
                OtlpSamples.T_MS,
                Decoded.of(
                                json,
                                ("{\"signal\":\"event\",\"timestamp\":" + OtlpSamples.T_MS + ",\"name\":\"e\"}")
                                        .getBytes(StandardCharsets.UTF_8))
                        .only()
                        .timestamp);
    }

    @Test
    void decodeFunctionSerializes() throws Exception {
        InstantiationUtil.clone(new DecodeFunction(IngestLimits.defaults().withoutFutureBound()));
    }
}
