package io.vigil.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.ingest.CanonicalJsonDecoder;
import io.vigil.ingest.IngestLimits;
import io.vigil.model.Ingested;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /**
     * At parallelism 2 each source subtask reads one partition: a partition holding three records in four (as the
     * services' name hashes once made it) leaves the job on one busy thread for half of each run. A service stays in
     * one partition, so its records stay in order.
     */
    @Test
    void theServicesSpreadEvenlyOverThePartitions() {
        CanonicalJsonDecoder decoder = new CanonicalJsonDecoder(IngestLimits.defaults());
        int[] perPartition = new int[2];
        Map<String, Set<Integer>> partitionsOfService = new HashMap<>();
        BenchTelemetry.write(20_000, 2, (partition, json) -> {
            perPartition[partition]++;
            decoder.decode(
                    json,
                    "bench",
                    i -> partitionsOfService
                            .computeIfAbsent(i.telemetry.resource.get("service.name"), s -> new HashSet<>())
                            .add(partition));
        });
        assertArrayEquals(new int[] {10_000, 10_000}, perPartition);
        assertEquals(8, partitionsOfService.size());
        partitionsOfService.forEach((service, partitions) -> assertEquals(1, partitions.size(), service));
    }
}
