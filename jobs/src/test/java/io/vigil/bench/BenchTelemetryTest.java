package io.vigil.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.ingest.CanonicalJsonDecoder;
import io.vigil.ingest.IngestLimits;
import io.vigil.model.Ingested;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchTelemetryTest {
    /**
     * The benchmarks' mix must be valid telemetry: a record the decoder rejects measures the dead-letter path instead
     * of detection. Unpadded hex ids once made about one span in six a dead letter.
     */
    @Test
    void everyRecordOfTheMixDecodes() {
        CanonicalJsonDecoder decoder = new CanonicalJsonDecoder(IngestLimits.defaults());
        List<Ingested> out = new ArrayList<>();
        int[] spans = {0};
        BenchTelemetry.write(20_000, 2, (partition, json) -> decoder.decode(json, "bench", out::add));
        assertEquals(20_000, out.size());
        for (Ingested i : out) {
            assertTrue(!i.isDead(), () -> "dead letter: " + i.deadLetter.reason + " " + i.deadLetter.detail);
            if (i.telemetry.traceId != null) {
                spans[0]++;
                assertEquals(32, i.telemetry.traceId.length());
                assertEquals(16, i.telemetry.spanId.length());
            }
        }
        assertEquals(5_000, spans[0], "a quarter of the mix is spans");
    }
}
