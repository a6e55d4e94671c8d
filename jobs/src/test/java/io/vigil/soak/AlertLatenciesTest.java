package io.vigil.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AlertLatenciesTest {
    @Test
    void latencyIsReceiveTimeMinusTheAlertsEventTime() {
        byte[] alert =
                "{\"@timestamp\":\"2026-12-04T18:00:00Z\",\"event\":{\"id\":\"a\"}}".getBytes(StandardCharsets.UTF_8);
        assertEquals(Instant.parse("2026-12-04T18:00:00Z").toEpochMilli(), AlertLatencies.eventTime(alert));
        assertEquals(Long.MIN_VALUE, AlertLatencies.eventTime("{}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Long.MIN_VALUE, AlertLatencies.eventTime("not json".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void withEventTimeFasterThanTheClockTheLatencyIsStillWallClockTime() {
        // event time runs 8x from 1 000: an alert for event time 81 000 closed at the producer at wall time 11 000
        AlertLatencies l = new AlertLatencies("127.0.0.1:1", new java.util.Properties(), "alerts", 1_000, 8);
        try {
            l.record(11_500, 81_000);
            assertEquals(500, l.drain().p50Ms());
        } finally {
            l.close();
        }
    }

    @Test
    void eachIntervalCountsItsAlertsAndPercentilesOfThoseSinceTheStart() {
        AlertLatencies l = new AlertLatencies("127.0.0.1:1", new java.util.Properties(), "alerts", 1_000);
        try {
            for (int i = 1; i <= 20; i++) l.record(10_000 + i * 100, 10_000); // latencies 100..2000 ms
            l.record(10_000, 500); // event time before the soak: counted, no latency
            l.record(10_000, Long.MIN_VALUE); // no event time: counted, no latency
            AlertLatencies.Interval i = l.drain();
            assertEquals(22, i.alerts());
            assertEquals(1000, i.p50Ms());
            assertEquals(1900, i.p95Ms());
            assertEquals(2000, i.maxMs());
            AlertLatencies.Interval next = l.drain();
            assertEquals(0, next.alerts());
            assertTrue(Double.isNaN(next.p50Ms()));
            assertEquals(22, l.total());
        } finally {
            l.close();
        }
    }
}
