package io.vigil.sink.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.model.Alert;
import io.vigil.model.DeadLetter;
import io.vigil.model.Rollup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaSinksTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void deadLetterKeepsTheRawBytesAndTheReason() throws Exception {
        byte[] raw = {'{', 0, (byte) 0xff, '"'};
        DeadLetter d = new DeadLetter(raw, "kafka:t/1@7", "json", "parse_error", "unexpected byte 0x00 at 1");
        JsonNode n = JSON.readTree(DeadLetterJson.toBytes(d));
        assertEquals("vigil.dead-letter/1", n.get("schema").asText());
        assertEquals("kafka:t/1@7", n.get("origin").asText());
        assertEquals("json", n.get("format").asText());
        assertEquals("parse_error", n.get("reason").asText());
        assertEquals("unexpected byte 0x00 at 1", n.get("detail").asText());
        assertEquals(d.rejectedAt, n.get("rejected_at").asLong());
        assertArrayEquals(raw, Base64.getDecoder().decode(n.get("raw_base64").asText()));
    }

    @Test
    void deadLetterRecordIsKeyedByOrigin() {
        DeadLetter d = new DeadLetter(new byte[] {1}, "kafka:t/0@1", "json", "parse_error", "x");
        var r = new DeadLetterRecords("dlq").serialize(d, null, null);
        assertEquals("dlq", r.topic());
        assertEquals("kafka:t/0@1", new String(r.key(), StandardCharsets.UTF_8));
    }

    @Test
    void rollupRecordIsKeyedBySeriesAndWindow() throws Exception {
        Rollup ro =
                new Rollup("request_rate_per_second", "checkout", 60_000, 120_000, 12.5, 750).label("route", "/pay");
        var r = new RollupRecords("rollups").serialize(ro, null, null);
        assertEquals(
                "request_rate_per_second{service=checkout,route=/pay}@60000",
                new String(r.key(), StandardCharsets.UTF_8));
        assertNull(r.timestamp(), "stamped by the producer when written, so retention cannot delete it at once");
        JsonNode n = JSON.readTree(r.value());
        assertEquals("vigil.rollup/1", n.get("schema").asText());
        assertEquals("/pay", n.get("labels").get("route").asText());
        assertEquals(12.5, n.get("value").asDouble());
        assertEquals(750, n.get("count").asLong());
    }

    @Test
    void alertRecordIsKeyedByIdAndStampedWhenWritten() {
        Alert a = new Alert();
        a.id = "error-burst-0123";
        a.eventTime = 60_000; // 1970: a broker would delete a record with this timestamp at its next retention check
        var r = new AlertRecords("alerts", x -> "{}".getBytes(StandardCharsets.UTF_8)).serialize(a, null, 60_000L);
        assertEquals("alerts", r.topic());
        assertEquals("error-burst-0123", new String(r.key(), StandardCharsets.UTF_8));
        assertNull(r.timestamp());
    }

    @Test
    void transactionTimeoutAboveTheBrokerMaximumIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new KafkaSinks("127.0.0.1:9092", "p", Duration.ofMinutes(16), new Properties()));
    }
}
