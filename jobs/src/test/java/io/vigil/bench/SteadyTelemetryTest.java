package io.vigil.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SteadyTelemetryTest {
    @Test
    void eventTimeIsWallTimeAtScaleOneAndRunsFasterFromTheOriginAbove() {
        assertEquals(5_000, SteadyTelemetry.eventTime(1_000, 1, 5_000));
        // ten wall seconds after the origin at 8x carry event time 80 s after it
        assertEquals(1_000 + 80_000, SteadyTelemetry.eventTime(1_000, 8, 11_000));
        assertEquals(1_000, SteadyTelemetry.eventTime(1_000, 8, 1_000));
    }
}
