package io.vigil.rollup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vigil.model.Alert;
import io.vigil.model.SerializerRoundTrip;
import io.vigil.model.Telemetry;
import java.io.IOException;
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
