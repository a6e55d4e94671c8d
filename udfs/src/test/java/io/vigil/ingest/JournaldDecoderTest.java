package io.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Ingested;
import io.vigil.model.Telemetry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** journalctl -o json lines (field names as in systemd.journal-fields(7)) through the same auth readers as syslog. */
class JournaldDecoderTest {
    private static final TelemetryDecoder DECODER = Decoders.forFormat("journald");

    @Test
    void anSshdEntryBecomesAnAuthenticationEvent() {
        List<Ingested> out = SyslogDecoderTest.decode(
                DECODER,
                "{\"__CURSOR\":\"s=1\",\"__REALTIME_TIMESTAMP\":\"1793592302123456\",\"_HOSTNAME\":\"web-1\","
                        + "\"SYSLOG_IDENTIFIER\":\"sshd\",\"_PID\":\"1301\",\"PRIORITY\":\"6\",\"SYSLOG_FACILITY\":\"4\","
                        + "\"_SYSTEMD_UNIT\":\"ssh.service\",\"MESSAGE\":\"Failed password for root from 203.0.113.45"
                        + " port 51236 ssh2\"}\n");
        assertEquals(1, out.size());
        Telemetry t = out.get(0).telemetry;
        assertEquals(Instant.parse("2026-11-02T04:05:02.123Z").toEpochMilli(), t.timestamp);
        assertEquals("web-1", t.resource.get("host.name"));
        assertEquals("sshd", t.resource.get("service.name"));
        assertEquals("1301", t.attributes.get("process.pid"));
        assertEquals("ssh.service", t.attributes.get("systemd.unit"));
        assertEquals("ssh_login", t.attributes.get("event.action"));
        assertEquals("failure", t.attributes.get("event.outcome"));
        assertEquals("203.0.113.45", t.attributes.get("source.ip"));
        assertEquals("INFO", t.severity);
    }

    @Test
    void aByteArrayMessageAndBadEntries() {
        // journalctl writes a MESSAGE that is not valid UTF-8 text as an array of bytes: "New session 3 of user a."
        StringBuilder bytes = new StringBuilder();
        for (byte b : "New session 3 of user a.".getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            bytes.append(bytes.length() == 0 ? "" : ",").append(b);
        }
        List<Ingested> out = SyslogDecoderTest.decode(
                DECODER,
                "{\"__REALTIME_TIMESTAMP\":\"1793592302000000\",\"_COMM\":\"systemd-logind\",\"MESSAGE\":[" + bytes
                        + "]}\nnot json\n{\"__REALTIME_TIMESTAMP\":\"1793592302000000\"}\n"
                        + "{\"MESSAGE\":\"x\",\"__REALTIME_TIMESTAMP\":\"yesterday\"}\n"
                        + "{\"MESSAGE\":\"x\",\"__REALTIME_TIMESTAMP\":\"1793592302000000\",\"PRIORITY\":\"9\"}\n");
        assertEquals(5, out.size());
        assertEquals("session_start", out.get(0).telemetry.attributes.get("event.action"));
        assertEquals("systemd-logind", out.get(0).telemetry.resource.get("service.name"));
        assertEquals(Reasons.PARSE_ERROR, out.get(1).deadLetter.reason);
        assertEquals("test#line2", out.get(1).deadLetter.origin);
        assertEquals(Reasons.MISSING_FIELD, out.get(2).deadLetter.reason);
        assertEquals(Reasons.INVALID_TIMESTAMP, out.get(3).deadLetter.reason);
        assertEquals(Reasons.INVALID_VALUE, out.get(4).deadLetter.reason);
        assertTrue(Decoders.FORMATS.contains("journald"));
    }

    @Test
    void aRecordThatIsNotUtf8IsADeadLetterWithItsOwnBytes() {
        byte[] raw = "{\"MESSAGE\":\"aXXb\",\"SYSLOG_IDENTIFIER\":\"sshd\"}\n".getBytes(StandardCharsets.UTF_8);
        raw[13] = (byte) 0xC0; // an overlong '/': not UTF-8
        raw[14] = (byte) 0xAF;
        List<Ingested> out = new ArrayList<>();
        DECODER.decode(raw, "test", out::add);
        assertEquals(1, out.size());
        assertTrue(out.get(0).isDead());
        assertEquals(Reasons.PARSE_ERROR, out.get(0).deadLetter.reason);
        assertArrayEquals(raw, out.get(0).deadLetter.raw);
        assertTrue(out.get(0).deadLetter.detail.contains("malformed UTF-8 at byte 13"), out.get(0).deadLetter.detail);
    }
}
