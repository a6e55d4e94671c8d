package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({
        "250ms, 250", "90s, 90000", "5m, 300000", "1h, 3600000", "1h30m, 5400000", "3d, 259200000",
        "2w, 1209600000", "1m30s, 90000", "0s, 0", "'  5m ', 300000", "1h0m5s, 3605000", "1d2h3m4s5ms, 93784005"
    })
    void parsesPrometheusDurations(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "m", "5x", "5 m", "1h 30m", "-5m", "5m3", "1.5h", "5M", "five minutes", "m5", "5mm"})
    void rejectsOtherFormsWithTheExpectedForm(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("expected e.g."), e.getMessage());
    }

    @Test
    void rejectsDurationsTooLongForMillisecondsInsteadOfWrappingAround() {
        String[] tooLong = {"99999999999999999999s", "200000000000d", "106751991167w", "9223372036854775807ms1s"};
        for (String text : tooLong) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
            assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
        }
        assertEquals(Duration.ofDays(36500), Durations.parse("36500d"), "a century still parses");
    }

    @Test
    void rejectsEmptyAndMissing() {
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(null));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("  "));
        assertTrue(e.getMessage().startsWith("empty duration"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} ms = {1}")
    @CsvSource({
        "0, 0s",
        "250, 250ms",
        "1000, 1s",
        "90000, 1m30s",
        "3600000, 1h",
        "5400000, 1h30m",
        "86400000, 1d",
        "93784005, 1d2h3m4s5ms",
        "1209600000, 14d"
    })
    void formatsLargestUnitsFirst(long millis, String text) {
        assertEquals(text, Durations.format(millis));
    }

    @Test
    void formatThenParseIsTheIdentity() {
        long[] samples = {1, 999, 1000, 59_999, 60_000, 3_599_999, 86_400_001L, 7 * 86_400_000L + 1234};
        for (long ms : samples) {
            assertEquals(ms, Durations.parse(Durations.format(ms)).toMillis(), Durations.format(ms));
        }
    }
}
