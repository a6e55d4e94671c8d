package io.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import io.vigil.model.Telemetry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Syslog lines (RFC 3164, RFC 5424, rsyslog's RFC 3339 files) and sshd's authentication messages. */
class SyslogDecoderTest {
    private static final TelemetryDecoder DECODER = Decoders.forFormat("syslog:year=2026,zone=UTC");

    static List<Ingested> decode(TelemetryDecoder d, String text) {
        List<Ingested> out = new ArrayList<>();
        d.decode(text.getBytes(StandardCharsets.UTF_8), "test", out::add);
        return out;
    }

    static Telemetry one(String line) {
        List<Ingested> out = decode(DECODER, line);
        assertEquals(1, out.size(), out.toString());
        assertTrue(!out.get(0).isDead(), String.valueOf(out.get(0).deadLetter));
        return out.get(0).telemetry;
    }

    @Test
    void bsdLineWithoutPriorityAsInAuthLog() {
        Telemetry t = one("Nov  2 04:05:02 bastion-1 sshd[1301]: Failed password for root from 203.0.113.45 port"
                + " 51236 ssh2");
        assertEquals(Instant.parse("2026-11-02T04:05:02Z").toEpochMilli(), t.timestamp);
        assertEquals("bastion-1", t.resource.get("host.name"));
        assertEquals("sshd", t.resource.get("service.name"));
        assertEquals(
                Map.of(
                        "process.name",
                        "sshd",
                        "process.pid",
                        "1301",
                        "event.category",
                        "authentication",
                        "event.action",
                        "ssh_login",
                        "event.outcome",
                        "failure",
                        "ssh.auth.method",
                        "password",
                        "user.name",
                        "root",
                        "source.ip",
                        "203.0.113.45",
                        "source.port",
                        "51236"),
                t.attributes);
        assertEquals("Failed password for root from 203.0.113.45 port 51236 ssh2", t.body);
        assertEquals("INFO", t.severity);
    }

    @Test
    void rfc5424AndRfc3339Lines() {
        Telemetry t = one("<38>1 2026-11-02T04:05:20.123Z bastion-1 sshd 1303 - - Accepted publickey for admin"
                + " from 2001:db8::7 port 51244 ssh2");
        assertEquals(Instant.parse("2026-11-02T04:05:20.123Z").toEpochMilli(), t.timestamp);
        assertEquals("success", t.attributes.get("event.outcome"));
        assertEquals("2001:db8::7", t.attributes.get("source.ip"));
        assertEquals("publickey", t.attributes.get("ssh.auth.method"));
        assertEquals("4", t.attributes.get("log.syslog.facility.code"));
        assertEquals("6", t.attributes.get("log.syslog.severity.code"));

        Telemetry s = one("<38>1 2026-11-02T04:05:20+01:00 bastion-1 sshd - ID47 [exampleSDID@32473 iut=\"3\"] "
                + "\uFEFFInvalid user guest from 192.0.2.9 port 4242");
        assertEquals(Instant.parse("2026-11-02T03:05:20Z").toEpochMilli(), s.timestamp);
        assertEquals("ssh_invalid_user", s.attributes.get("event.action"));
        assertEquals("ID47", s.attributes.get("log.syslog.msgid"));
        assertEquals("Invalid user guest from 192.0.2.9 port 4242", s.body);

        Telemetry r = one("2026-11-02T04:05:00.123456+00:00 bastion-1 sshd[99]: Failed password for invalid user"
                + " test from 192.0.2.10 port 1 ssh2");
        assertEquals("true", r.attributes.get("user.invalid"));
        assertEquals("test", r.attributes.get("user.name"));
    }

    @Test
    void otherSshdMessages() {
        Telemetry pam = one("Nov  2 04:05:10 bastion-1 sshd[1302]: pam_unix(sshd:auth): authentication failure;"
                + " logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.45  user=root");
        assertEquals("pam_auth_failure", pam.attributes.get("event.action"));
        assertEquals("203.0.113.45", pam.attributes.get("source.ip"));
        assertEquals("root", pam.attributes.get("user.name"));

        Telemetry breakIn = one("Nov  2 04:06:00 bastion-1 sshd[1310]: reverse mapping checking getaddrinfo for"
                + " scan.example.net [198.51.100.7] failed - POSSIBLE BREAK-IN ATTEMPT!");
        assertEquals("ssh_break_in_attempt", breakIn.attributes.get("event.action"));
        assertEquals("198.51.100.7", breakIn.attributes.get("source.ip"));
        assertNull(breakIn.attributes.get("event.outcome"));

        Telemetry bye = one("Nov  2 04:07:00 bastion-1 sshd[1320]: Disconnected from authenticating user root"
                + " 198.51.100.7 port 40011 [preauth]");
        assertEquals("ssh_disconnect", bye.attributes.get("event.action"));
        assertEquals("root", bye.attributes.get("user.name"));

        Telemetry dns = one("Nov  2 04:07:00 bastion-1 sshd[1320]: Failed password for bob from host.example.org"
                + " port 22 ssh2");
        assertEquals("host.example.org", dns.attributes.get("source.domain"));
        assertNull(dns.attributes.get("source.ip"));

        Telemetry other = one("Nov  2 04:07:00 bastion-1 sshd[1320]: Server listening on 0.0.0.0 port 22.");
        assertNull(other.attributes.get("event.category"), "an sshd line that is no authentication event stays a log");
        Telemetry cron = one("<78>Nov  2 04:10:00 bastion-1 CRON[1400]: pam_unix(cron:session): session opened");
        assertEquals("CRON", cron.resource.get("service.name"));
        assertNull(cron.attributes.get("event.category"));
    }

    @Test
    void messageRepeatedCountsNTimes() {
        List<Ingested> out = decode(
                DECODER,
                "Nov  2 04:05:04 bastion-1 sshd[1301]: message repeated 5 times: ["
                        + " Failed password for root from 203.0.113.45 port 51236 ssh2]");
        assertEquals(5, out.size());
        for (Ingested i : out) {
            assertEquals("failure", i.telemetry.attributes.get("event.outcome"));
            assertEquals("5", i.telemetry.attributes.get("log.repeated"));
            assertEquals("Failed password for root from 203.0.113.45 port 51236 ssh2", i.telemetry.body);
        }
    }

    @Test
    void badLinesBecomeDeadLettersWithTheirReasonAndGoodOnesSurvive() {
        List<Ingested> out = decode(
                DECODER,
                "this is not syslog\n\nNov 31 04:05:04 h sshd[1]: x\n"
                        + "<999>Nov  2 04:05:04 h sshd[1]: x\nNov  2 04:05:04 h sshd[1]: fine\n");
        assertEquals(4, out.size());
        DeadLetter d0 = out.get(0).deadLetter;
        assertEquals(Reasons.PARSE_ERROR, d0.reason);
        assertEquals("this is not syslog", new String(d0.raw, StandardCharsets.UTF_8));
        assertEquals("test#line1", d0.origin);
        assertEquals("syslog", d0.format);
        assertEquals(Reasons.INVALID_TIMESTAMP, out.get(1).deadLetter.reason);
        assertTrue(out.get(1).deadLetter.detail.contains("31"), out.get(1).deadLetter.detail);
        assertEquals("test#line3", out.get(1).deadLetter.origin);
        assertEquals(Reasons.INVALID_VALUE, out.get(2).deadLetter.reason);
        assertEquals("fine", out.get(3).telemetry.body);
        assertEquals(Reasons.PARSE_ERROR, decode(DECODER, "").get(0).deadLetter.reason);
        assertEquals(Reasons.PARSE_ERROR, decode(DECODER, "\n \n").get(0).deadLetter.reason);
    }

    @Test
    void yearAndZoneAreOptions() {
        Telemetry berlin = decode(Decoders.forFormat("syslog:year=2025,zone=Europe/Berlin"), "Jul  1 12:00:00 h app: x")
                .get(0)
                .telemetry;
        assertEquals(Instant.parse("2025-07-01T10:00:00Z").toEpochMilli(), berlin.timestamp);
        // Without a year: the current one, or the previous one for a date more than a day ahead.
        Telemetry guessed =
                decode(Decoders.forFormat("syslog"), "Jan  1 00:00:00 h app: x").get(0).telemetry;
        assertTrue(guessed.timestamp <= System.currentTimeMillis() + 86_400_000L);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Decoders.forFormat("syslog:year=26"));
        assertEquals("syslog option year must be a year such as 2026, not '26'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Decoders.forFormat("syslog:zone=Mars/Olympus"));
        assertEquals(
                "syslog option zone must be a time zone such as UTC or Europe/Berlin, not 'Mars/Olympus'",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Decoders.forFormat("syslog:yeer=2026"));
        assertTrue(e.getMessage().startsWith("unknown syslog option 'yeer'"), e.getMessage());
        assertTrue(Decoders.FORMATS.contains("syslog"));
    }

    @Test
    void aRealAuthLogDecodesWithoutDeadLetters() throws IOException {
        String log;
        try (InputStream in = getClass().getResourceAsStream("/syslog/auth.log")) {
            log = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Ingested> out = decode(DECODER, log);
        assertTrue(out.stream().noneMatch(Ingested::isDead));
        long failures = out.stream()
                .filter(i -> "failure".equals(i.telemetry.attributes.get("event.outcome"))
                        && "ssh_login".equals(i.telemetry.attributes.get("event.action")))
                .count();
        assertEquals(1 + 11 + 10 + 12, failures, "alice 1, first burst 11, oracle 10, second burst 12");
    }
}
