package io.vigil.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vigil.ingest.CanonicalJsonDecoder;
import io.vigil.ingest.IngestLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Canonical JSON as written for alert evidence, the generator and incidents. */
class TelemetryJsonTest {
    @Test
    void aLogRecordKeepsItsTraceAndSpanIdsThroughWritingAndDecoding() {
        Telemetry log = Telemetry.log(1_793_577_600_000L, "payments", "ERROR", "upstream timeout");
        log.traceId = "5b8efff798038103d269b633813fc60c";
        log.spanId = "eee19b7ec3c1b174";
        String json = TelemetryJson.write(log);

        List<Ingested> out = new ArrayList<>();
        new CanonicalJsonDecoder(IngestLimits.defaults())
                .decode(json.getBytes(StandardCharsets.UTF_8), "test", out::add);
        assertEquals(1, out.size(), json);
        assertEquals(log, out.get(0).telemetry, json);
        assertFalse(json.contains("duration_ms"), "span-only fields stay off log records: " + json);
    }
}
