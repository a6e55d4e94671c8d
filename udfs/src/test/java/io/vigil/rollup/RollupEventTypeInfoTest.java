package io.vigil.rollup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vigil.model.Alert;
import io.vigil.model.SerializerRoundTrip;
import io.vigil.model.Telemetry;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.junit.jupiter.api.Test;

/** Rollup events cross the network through their own serializer and read back field for field. */
class RollupEventTypeInfoTest {
    private static final RollupEventTypeInfo.RollupEventSerializer SERIALIZER =
            RollupEventTypeInfo.RollupEventSerializer.INSTANCE;

    @Test
    void flinkFindsTheHandWrittenSerializer() {
        assertSame(RollupEventTypeInfo.INSTANCE, TypeInformation.of(RollupEvent.class));
    }

    @Test
    void requestsLogsAlertsAndOtherTypesReadBackAsWritten() throws IOException {
        RollupEvent request = RollupEvent.of(Telemetry.span(60_123, "cart", "GET /api/cart", 12.5, "error"));
        request.error = true;
        RollupEvent log = RollupEvent.of(Telemetry.log(61_000, "payments", "ERROR", "timeout ü"));
        Alert a = new Alert();
        a.status = Alert.FIRING;
        a.service = "checkout";
        a.eventTime = 62_000;
        a.severity = "critical";
        a.ruleId = "service-latency-p95";
        RollupEvent alert = RollupEvent.of(a);
        RollupEvent odd = new RollupEvent(); // every string null, a type of no known kind
        RollupEvent other = new RollupEvent();
        other.type = "something-else";
        other.service = "search";
        other.durationMs = Double.NaN;
        for (RollupEvent e : new RollupEvent[] {request, log, alert, odd, other}) {
            assertEquals(fields(e), fields(roundTrip(e)));
        }
    }

    @Test
    void aBatchReadsBackWithItsLatenciesInOrderAndItsLogCounts() throws IOException {
        RollupEvent batch = RollupEvent.batch("cart", 60_123);
        for (int i = 0; i < 20; i++) { // past the first growth of its latency array
            batch.addToBatch(
                    Telemetry.span(60_200 + i, "cart", "GET /api/cart", 20 - i + 0.25, i % 7 == 0 ? "error" : "ok"));
        }
        batch.addToBatch(Telemetry.log(60_300, "cart", "ERROR", "timeout"));
        batch.addToBatch(Telemetry.log(60_301, "cart", "ERROR", "timeout"));
        batch.addToBatch(Telemetry.log(60_302, "cart", null, "hello"));
        RollupEvent read = roundTrip(batch);
        assertEquals(RollupEvent.BATCH, read.type);
        assertEquals("cart", read.service);
        assertEquals(60_123, read.timestamp);
        assertEquals(20, read.requests);
        assertEquals(3, read.errors);
        assertArrayEquals(Arrays.copyOf(batch.latencies, 20), read.latencies);
        assertEquals(Map.of("error", 2L, "unspecified", 1L), read.logs);
        assertEquals(23, read.records());

        RollupEvent logsOnly = RollupEvent.batch("auth", 1);
        logsOnly.addToBatch(Telemetry.log(1, "auth", "INFO", "x"));
        RollupEvent readLogs = roundTrip(logsOnly);
        assertEquals(0, readLogs.requests);
        assertNull(readLogs.latencies);
        assertEquals(Map.of("info", 1L), readLogs.logs);
    }

    @Test
    void aCorruptTypeCodeIsAnError() {
        DataInputDeserializer in = new DataInputDeserializer(new byte[] {9, 0, 0});
        IOException e = assertThrows(IOException.class, () -> SERIALIZER.deserialize(in));
        assertEquals("corrupt rollup event: type code 9", e.getMessage());
    }

    private static RollupEvent roundTrip(RollupEvent e) throws IOException {
        return SerializerRoundTrip.roundTrip(SERIALIZER, e);
    }

    private static String fields(RollupEvent e) {
        return String.join(
                "|",
                e.type,
                e.service,
                Long.toString(e.timestamp),
                Double.toString(e.durationMs),
                Boolean.toString(e.error),
                e.severity,
                e.rule);
    }
}
