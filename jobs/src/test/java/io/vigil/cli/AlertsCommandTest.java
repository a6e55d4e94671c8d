package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AlertsCommandTest {
    @Test
    void oneReadableLinePerAlert() {
        String json = "{\"@timestamp\":\"2026-01-01T00:00:10Z\",\"message\":\"Error burst in checkout\","
                + "\"event\":{\"kind\":\"alert\",\"id\":\"a1b2\",\"severity\":73},"
                + "\"rule\":{\"id\":\"error-burst\",\"name\":\"Error burst\"},"
                + "\"vigil\":{\"schema_version\":1,\"status\":\"firing\",\"severity\":\"high\","
                + "\"key\":\"error-burst\\u001fcheckout\",\"key_fields\":{\"service.name\":\"checkout\"},"
                + "\"observed\":12.0,\"expected\":8.0,"
                + "\"comparison\":\">=\",\"suppressed\":2}}";
        assertEquals(
                "2026-01-01T00:00:10Z HIGH     firing   error-burst service.name=checkout "
                        + "observed=12.0 >= 8.0 (+2 suppressed) \"Error burst in checkout\" id=a1b2",
                AlertsCommand.line(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void withoutKeyFieldsTheKeyIsShownWithAVisibleSeparator() {
        String json = "{\"vigil\":{\"key\":\"port-scan\\u001f198.51.100.23\"}}";
        assertTrue(AlertsCommand.line(json.getBytes(StandardCharsets.UTF_8)).contains(" port-scan|198.51.100.23 "));
    }

    @Test
    void aRecordThatIsNotJsonIsShownAsIs() {
        assertEquals("(not JSON) hello", AlertsCommand.line("hello".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void timeoutTakesVigilsDurationsAndIsoOnesAndSaysWhatIsRight() {
        Flags.DurationConverter c = new Flags.DurationConverter();
        assertEquals(java.time.Duration.ofSeconds(20), c.convert("20s"));
        assertEquals(java.time.Duration.ofMinutes(90), c.convert("1h30m"));
        assertEquals(java.time.Duration.ofSeconds(30), c.convert("PT30S"));
        var e = assertThrows(picocli.CommandLine.TypeConversionException.class, () -> c.convert("soon"));
        assertTrue(e.getMessage().contains("e.g. 30s"), e.getMessage());
    }
}
