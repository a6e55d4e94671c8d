package io.vigil.ingest;

import io.vigil.ingest.auth.AuthMessages;
import io.vigil.model.Ingested;
import io.vigil.model.Severities;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Syslog lines as log records: RFC 5424 ({@code <34>1 2026-11-02T04:05:00Z host sshd 812 - - msg}), RFC 3164 / BSD
 * ({@code <34>Nov  2 04:05:00 host sshd[812]: msg}, the priority optional as in /var/log/auth.log) and the RFC 3339
 * file format of rsyslog ({@code 2026-11-02T04:05:00.123+00:00 host sshd[812]: msg}). A payload may hold many lines.
 *
 * <p>Resource: {@code host.name} and {@code service.name} (the program). Attributes: {@code process.name},
 * {@code process.pid}, {@code log.syslog.facility.code}, {@code log.syslog.severity.code}, and the security event
 * of sshd, PAM, sudo, su, the account tools and systemd-logind ({@link AuthMessages}). "message repeated N times:
 * [ msg ]" becomes N records of msg ({@link #emit}).
 *
 * <p>BSD timestamps carry neither year nor zone: both are options of the format name,
 * {@code syslog:year=2026,zone=Europe/Berlin}. Without a year, the current year is used, or the previous one when
 * that would put the line more than a day in the future (December logs read in January). A line that is not syslog
 * becomes a dead letter with the reason; blank lines are skipped.
 */
public final class SyslogDecoder implements TelemetryDecoder {
    private static final long serialVersionUID = 1L;
    public static final String FORMAT = "syslog";
    /** A line that says it repeated more often than this is kept this many times; the count is in log.repeated. */
    static final int MAX_REPEAT = 10_000;

    private static final Pattern RFC5424 = Pattern.compile(
            // Possessive runs: a plain (a|b)* recurses once per character in java.util.regex and overflows the stack
            // on structured data of ~100 KB.
            "^<(\\d{1,3})>(\\d{1,2}) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (-|(?:\\[(?:[^\\]\\\\]++|\\\\.)*+\\])++)(?: (.*))?$",
            Pattern.DOTALL);
    private static final Pattern RFC3164 = Pattern.compile(
            "^(?:<(\\d{1,3})>)?([A-Z][a-z]{2}) {1,2}(\\d{1,2}) (\\d{2}):(\\d{2}):(\\d{2}) (\\S+) (.*)$",
            Pattern.DOTALL);
    private static final Pattern RFC3339_FILE =
            Pattern.compile("^(?:<(\\d{1,3})>)?(\\d{4}-\\d{2}-\\d{2}T\\S+) (\\S+) (.*)$", Pattern.DOTALL);
    private static final Pattern TAG = Pattern.compile("^([^:\\[\\s]+)(?:\\[(\\d+)\\])?: ?(.*)$", Pattern.DOTALL);
    private static final Pattern REPEATED =
            Pattern.compile("^message repeated (\\d+) times: \\[ ?(.*?) ?\\]$", Pattern.DOTALL);
    private static final List<String> MONTHS =
            List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");

    private final Integer year;
    private final ZoneId zone;
    private final IngestLimits limits;

    SyslogDecoder(Integer year, ZoneId zone, IngestLimits limits) {
        this.year = year;
        this.zone = zone;
        this.limits = limits;
    }

    /** True for {@code syslog} and {@code syslog:options}. */
    static boolean accepts(String format) {
        return format.equals(FORMAT) || format.startsWith(FORMAT + ":");
    }

    /**
     * The decoder for {@code syslog} or {@code syslog:year=YYYY,zone=ZONE}.
     *
     * @throws IllegalArgumentException naming the option that is wrong and what would be right
     */
    static SyslogDecoder forFormat(String format, IngestLimits limits) {
        Integer year = null;
        ZoneId zone = ZoneId.of("UTC");
        if (format.length() > FORMAT.length()) {
            for (String opt : format.substring(FORMAT.length() + 1).split(",")) {
                int eq = opt.indexOf('=');
                String name = eq < 0 ? opt : opt.substring(0, eq);
                String value = eq < 0 ? "" : opt.substring(eq + 1);
                if (name.equals("year")) {
                    try {
                        year = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        year = -1;
                    }
                    if (year < 1970 || year > 9999) {
                        throw new IllegalArgumentException(
                                "syslog option year must be a year such as 2026, not '" + value + "'");
                    }
                } else if (name.equals("zone")) {
                    try {
                        zone = ZoneId.of(value);
                    } catch (DateTimeException e) {
                        throw new IllegalArgumentException("syslog option zone must be a time zone such as UTC or"
                                + " Europe/Berlin, not '" + value + "'");
                    }
                } else {
                    throw new IllegalArgumentException("unknown syslog option '" + name + "'; options: year=YYYY,"
                            + " zone=ZONE, e.g. syslog:year=2026,zone=UTC");
                }
            }
        }
        return new SyslogDecoder(year, zone, limits);
    }

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public void decode(byte[] payload, String origin, Consumer<Ingested> out) {
        TextLines.decode(
                payload,
                origin,
                FORMAT,
                limits,
                "syslog line",
                (line, lineOrigin) -> decodeLine(line, lineOrigin, out),
                out);
    }

    private void decodeLine(String line, String origin, Consumer<Ingested> out) {
        Telemetry t = new Telemetry();
        t.signal = Signal.LOG;
        String pri;
        String rest;
        Matcher m;
        try {
            if ((m = RFC5424.matcher(line)).matches()) {
                pri = m.group(1);
                t.timestamp = OffsetDateTime.parse(m.group(3)).toInstant().toEpochMilli();
                host(t, m.group(4));
                String app = nil(m.group(5));
                program(t, app, nil(m.group(6)));
                if (nil(m.group(7)) != null) {
                    t.attributes.put("log.syslog.msgid", m.group(7));
                }
                rest = m.group(9) == null
                        ? ""
                        : m.group(9).startsWith("\uFEFF") ? m.group(9).substring(1) : m.group(9);
                message(t, pri, app, rest, line, origin, out);
                return;
            }
            if ((m = RFC3164.matcher(line)).matches()) {
                pri = m.group(1);
                t.timestamp = bsdTime(m);
                host(t, m.group(7));
                rest = m.group(8);
            } else if ((m = RFC3339_FILE.matcher(line)).matches()) {
                pri = m.group(1);
                t.timestamp = OffsetDateTime.parse(m.group(2)).toInstant().toEpochMilli();
                host(t, m.group(3));
                rest = m.group(4);
            } else {
                out.accept(dead(
                        line,
                        origin,
                        Reasons.PARSE_ERROR,
                        "not a syslog line (RFC 3164, RFC 5424 or RFC 3339 file format)"));
                return;
            }
        } catch (DateTimeParseException e) {
            out.accept(dead(line, origin, Reasons.INVALID_TIMESTAMP, "bad syslog timestamp: " + e.getMessage()));
            return;
        } catch (DateTimeException e) {
            out.accept(dead(line, origin, Reasons.INVALID_TIMESTAMP, "bad syslog timestamp: " + e.getMessage()));
            return;
        }
        Matcher tag = TAG.matcher(rest);
        String app = null;
        if (tag.matches()) {
            app = tag.group(1);
            program(t, app, tag.group(2));
            rest = tag.group(3);
        } else {
            t.resource.put("service.name", "syslog");
        }
        message(t, pri, app, rest, line, origin, out);
    }

    private void message(
            Telemetry t, String pri, String app, String msg, String line, String origin, Consumer<Ingested> out) {
        String problem = limits.checkTimestamp(t.timestamp);
        if (problem != null) {
            out.accept(dead(line, origin, Reasons.INVALID_TIMESTAMP, "timestamp " + problem));
            return;
        }
        String severity = "INFO";
        if (pri != null) {
            int p = Integer.parseInt(pri);
            if (p > 191) {
                out.accept(dead(line, origin, Reasons.INVALID_VALUE, "syslog priority " + p + " is above 191"));
                return;
            }
            t.attributes.put("log.syslog.facility.code", Integer.toString(p / 8));
            t.attributes.put("log.syslog.severity.code", Integer.toString(p % 8));
            severity = severityText(p % 8);
        }
        t.severity = severity;
        t.severityNumber = Severities.number(severity);
        emit(t, app, msg, out);
    }

    /**
     * Emits a decoded message: its security event read ({@link AuthMessages}), and "message repeated N times: [ msg ]"
     * (rsyslog's reduction of identical lines) as N records of msg, each with {@code log.repeated: N}. N records
     * rather than one with a count, because every counting rule kind (frequency, cardinality, the sequence steps'
     * {@code at_least}) counts records: N failed passwords then count as N attempts in every rule without each kind
     * learning a count attribute. At most {@link #MAX_REPEAT} copies, so a corrupt count cannot flood the job.
     */
    static void emit(Telemetry t, String app, String msg, Consumer<Ingested> out) {
        int times = 1;
        Matcher r = REPEATED.matcher(msg);
        if (r.matches()) {
            try {
                times = Integer.parseInt(r.group(1));
            } catch (NumberFormatException e) {
                times = MAX_REPEAT;
            }
            t.attributes.put("log.repeated", Integer.toString(times));
            times = Math.max(1, Math.min(times, MAX_REPEAT));
            msg = r.group(2);
        }
        t.body = msg;
        AuthMessages.read(app, msg, t.attributes);
        out.accept(Ingested.of(t));
        for (int i = 1; i < times; i++) {
            Telemetry copy = copy(t);
            out.accept(Ingested.of(copy));
        }
    }

    private static Telemetry copy(Telemetry t) {
        Telemetry c = new Telemetry();
        c.signal = t.signal;
        c.timestamp = t.timestamp;
        c.resource.putAll(t.resource);
        c.attributes.putAll(t.attributes);
        c.severity = t.severity;
        c.severityNumber = t.severityNumber;
        c.body = t.body;
        return c;
    }

    private long bsdTime(Matcher m) {
        int month = MONTHS.indexOf(m.group(2)) + 1;
        if (month == 0) {
            throw new DateTimeException("unknown month '" + m.group(2) + "'");
        }
        int day = Integer.parseInt(m.group(3));
        int h = Integer.parseInt(m.group(4));
        int min = Integer.parseInt(m.group(5));
        int s = Integer.parseInt(m.group(6));
        if (year != null) {
            return LocalDateTime.of(year, month, day, h, min, s)
                    .atZone(zone)
                    .toInstant()
                    .toEpochMilli();
        }
        ZonedDateTime now = ZonedDateTime.now(zone);
        int y = Year.now(zone).getValue();
        ZonedDateTime at = LocalDateTime.of(y, month, day, h, min, s).atZone(zone);
        if (at.isAfter(now.plusDays(1))) {
            at = LocalDateTime.of(y - 1, month, day, h, min, s).atZone(zone);
        }
        return at.toInstant().toEpochMilli();
    }

    private static void host(Telemetry t, String host) {
        if (nil(host) != null) {
            t.resource.put("host.name", host);
        }
    }

    private static void program(Telemetry t, String app, String pid) {
        t.resource.put("service.name", app == null ? "syslog" : app);
        if (app != null) {
            t.attributes.put("process.name", app);
        }
        if (pid != null) {
            t.attributes.put("process.pid", pid);
        }
    }

    private static String nil(String s) {
        return s == null || s.equals("-") ? null : s;
    }

    /** Syslog severities 0-7 as Vigil's severity texts. */
    static String severityText(int code) {
        switch (code) {
            case 0:
            case 1:
            case 2:
                return "FATAL";
            case 3:
                return "ERROR";
            case 4:
                return "WARN";
            case 7:
                return "DEBUG";
            default:
                return "INFO";
        }
    }

    private static Ingested dead(String line, String origin, String reason, String detail) {
        return dead(line.getBytes(StandardCharsets.UTF_8), origin, reason, detail);
    }

    private static Ingested dead(byte[] raw, String origin, String reason, String detail) {
        return TextLines.dead(raw, origin, FORMAT, reason, detail);
    }

    @Override
    public String toString() {
        return "SyslogDecoder{year=" + (year == null ? "current" : year) + ", zone=" + zone + "}";
    }
}
