package io.vigil.suppress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a silence or maintenance window covers an event time, and what a wrong one says. */
class SilenceTest {
    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void aOneOffSilenceCoversItsStartAndNotItsEnd() {
        Silence s = Silence.fromJson("{\"id\":\"db\",\"matchers\":[\"service=\\\"payments\\\"\"],"
                + "\"starts_at\":\"2026-12-05T22:00:00Z\",\"ends_at\":\"2026-12-06T02:00:00Z\"}");
        assertFalse(s.covers(at("2026-12-05T22:00:00Z") - 1));
        assertTrue(s.covers(at("2026-12-05T22:00:00Z")));
        assertTrue(s.covers(at("2026-12-06T02:00:00Z") - 1));
        assertFalse(s.covers(at("2026-12-06T02:00:00Z")));
        assertTrue(s.matches(Map.of("service", "payments", "alertname", "x")));
        assertFalse(s.matches(Map.of("service", "cart")));
        assertEquals(s.toJson(), Silence.fromJson(s.toJson()).toJson(), "JSON round trip");
    }

    @Test
    void aRecurringWindowKeepsItsLocalHoursAcrossDaylightSavingChanges() {
        // Sundays 01:00-05:00 in Berlin. On 2026-03-29 clocks go forward at 02:00 local (01:00Z): 3 real hours.
        Silence s = Silence.fromJson(
                "{\"id\":\"sunday-maintenance\",\"matchers\":[\"service=~\\\"cart|checkout\\\"\"],"
                        + "\"recurring\":{\"time_zone\":\"Europe/Berlin\",\"weekdays\":[\"sunday\"],\"times\":[\"01:00-05:00\"]}}");
        assertFalse(s.covers(at("2026-03-28T23:59:59Z"))); // 00:59:59 CET
        assertTrue(s.covers(at("2026-03-29T00:00:00Z"))); // 01:00 CET
        assertTrue(s.covers(at("2026-03-29T02:59:59Z"))); // 04:59:59 CEST
        assertFalse(s.covers(at("2026-03-29T03:00:00Z"))); // 05:00 CEST
        // On 2026-10-25 clocks go back at 03:00 local (01:00Z): 01:00 CEST is 23:00Z the day before, 05:00 CET is
        // 04:00Z, so the window lasts 5 real hours.
        assertFalse(s.covers(at("2026-10-24T22:59:59Z")));
        assertTrue(s.covers(at("2026-10-24T23:00:00Z")));
        assertTrue(s.covers(at("2026-10-25T03:59:59Z")));
        assertFalse(s.covers(at("2026-10-25T04:00:00Z")));
        // Other weekdays: not covered.
        assertFalse(s.covers(at("2026-10-26T01:00:00Z")));
    }

    @Test
    void aWindowPastMidnightBelongsToTheWeekdayItStartsOnAndBoundsStillApply() {
        Silence s = Silence.fromJson(
                "{\"id\":\"nightly\",\"matchers\":[\"alertname=\\\"service-silent\\\"\"],"
                        + "\"ends_at\":\"2026-12-31T00:00:00Z\","
                        + "\"recurring\":{\"time_zone\":\"UTC\",\"weekdays\":[\"monday:friday\"],\"times\":[\"22:00-02:00\"]}}");
        assertTrue(s.covers(at("2026-12-04T22:00:00Z"))); // Friday 22:00
        assertTrue(s.covers(at("2026-12-05T01:59:59Z"))); // Saturday 01:59, Friday's window
        assertFalse(s.covers(at("2026-12-05T22:00:00Z"))); // Saturday 22:00
        assertFalse(s.covers(at("2026-12-06T01:00:00Z"))); // Sunday 01:00, Saturday has no window
        assertTrue(s.covers(at("2026-12-07T23:00:00Z"))); // Monday
        assertFalse(s.covers(at("2027-01-04T23:00:00Z")), "after ends_at the window no longer recurs");
        assertEquals("expired", s.state(at("2027-01-01T00:00:00Z")));
    }

    @Test
    void wrongSilencesSayWhatIsWrong() {
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> Silence.fromJson("{\"id\":\"x\",\"matchers\":[],\"ends_at\":\"2026-12-06T02:00:00Z\"}"))
                .getMessage()
                .contains("at least one matcher"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> Silence.fromJson(
                                "{\"id\":\"x\",\"matchers\":[\"service==payments\"],\"ends_at\":\"2026-12-06T02:00:00Z\"}"))
                .getMessage()
                .contains("is not name=\"value\""));
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> Silence.fromJson("{\"id\":\"x\",\"matchers\":[\"a=b\"]}"))
                .getMessage()
                .contains("give an end"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> Silence.fromJson(
                                "{\"id\":\"x\",\"matchers\":[\"a=b\"],\"recurring\":{\"time_zone\":\"Mars/Olympus\"}}"))
                .getMessage()
                .contains("unknown time_zone 'Mars/Olympus'"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> Silence.fromJson(
                                "{\"id\":\"x\",\"matchers\":[\"a=b\"],\"recurring\":{\"time_zone\":\"UTC\","
                                        + "\"weekdays\":[\"funday\"]}}"))
                .getMessage()
                .contains("'funday' is not a weekday"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> Silence.fromJson(
                                "{\"id\":\"x\",\"matchers\":[\"a=b\"],\"ends_at\":\"2026-12-06T02:00:00Z\",\"until\":1}"))
                .getMessage()
                .contains("unknown field 'until'"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> Silence.fromJson(
                                "{\"id\":\"x\",\"matchers\":[\"a=b\"],\"starts_at\":\"2026-12-06T02:00:00Z\","
                                        + "\"ends_at\":\"2026-12-06T01:00:00Z\"}"))
                .getMessage()
                .contains("before or when it starts"));
    }
}
