package io.vigil.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.model.Ingested;
import io.vigil.model.Severities;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The systemd journal's JSON export ({@code journalctl -o json}, one object per line) as log records, read like
 * syslog lines ({@link SyslogDecoder}): {@code MESSAGE} is the body and goes through the same security readers,
 * {@code SYSLOG_IDENTIFIER} (else {@code _COMM}) the program ({@code service.name}, {@code process.name}),
 * {@code _PID} (else {@code SYSLOG_PID}) {@code process.pid}, {@code __REALTIME_TIMESTAMP} (microseconds since the
 * epoch) the time, {@code _HOSTNAME} {@code host.name}, {@code PRIORITY} the severity, {@code SYSLOG_FACILITY} and
 * {@code _SYSTEMD_UNIT} attributes. journalctl writes a MESSAGE that is not valid UTF-8 as an array of byte values;
 * that is decoded too. A line without MESSAGE or timestamp becomes a dead letter with the reason.
 */
public final class JournaldDecoder implements TelemetryDecoder {
    private static final long serialVersionUID = 1L;
    public static final String FORMAT = "journald";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final IngestLimits limits;

    JournaldDecoder(IngestLimits limits) {
        this.limits = limits;
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
                "journal entry",
                (line, lineOrigin) -> decodeLine(line, lineOrigin, out),
                out);
    }

    private void decodeLine(String line, String origin, Consumer<Ingested> out) {
        JsonNode e;
        try {
            e = JSON.readTree(line);
        } catch (JsonProcessingException ex) {
            out.accept(dead(line, origin, Reasons.PARSE_ERROR, "not JSON: " + ex.getOriginalMessage()));
            return;
        }
        if (e == null || !e.isObject()) {
            out.accept(dead(line, origin, Reasons.PARSE_ERROR, "a journal entry must be a JSON object"));
            return;
        }
        String msg = message(e.get("MESSAGE"));
        if (msg == null) {
            out.accept(dead(line, origin, Reasons.MISSING_FIELD, "journal entry without MESSAGE"));
            return;
        }
        String micros = text(e, "__REALTIME_TIMESTAMP");
        if (micros == null) {
            micros = text(e, "_SOURCE_REALTIME_TIMESTAMP");
        }
        Telemetry t = new Telemetry();
        t.signal = Signal.LOG;
        try {
            t.timestamp = Long.parseLong(micros == null ? "" : micros) / 1000;
        } catch (NumberFormatException ex) {
            out.accept(dead(
                    line,
                    origin,
                    Reasons.INVALID_TIMESTAMP,
                    "__REALTIME_TIMESTAMP must be microseconds since the epoch, not " + micros));
            return;
        }
        String problem = limits.checkTimestamp(t.timestamp);
        if (problem != null) {
            out.accept(dead(line, origin, Reasons.INVALID_TIMESTAMP, "timestamp " + problem));
            return;
        }
        String host = text(e, "_HOSTNAME");
        if (host != null) {
            t.resource.put("host.name", host);
        }
        String app = text(e, "SYSLOG_IDENTIFIER");
        if (app == null) {
            app = text(e, "_COMM");
        }
        t.resource.put("service.name", app == null ? "journald" : app);
        if (app != null) {
            t.attributes.put("process.name", app);
        }
        String pid = text(e, "_PID");
        if (pid == null) {
            pid = text(e, "SYSLOG_PID");
        }
        if (pid != null) {
            t.attributes.put("process.pid", pid);
        }
        String unit = text(e, "_SYSTEMD_UNIT");
        if (unit != null) {
            t.attributes.put("systemd.unit", unit);
        }
        String facility = text(e, "SYSLOG_FACILITY");
        if (facility != null) {
            t.attributes.put("log.syslog.facility.code", facility);
        }
        String severity = "INFO";
        String priority = text(e, "PRIORITY");
        if (priority != null) {
            if (!priority.matches("[0-7]")) {
                out.accept(dead(line, origin, Reasons.INVALID_VALUE, "PRIORITY must be 0-7, not " + priority));
                return;
            }
            t.attributes.put("log.syslog.severity.code", priority);
            severity = SyslogDecoder.severityText(Integer.parseInt(priority));
        }
        t.severity = severity;
        t.severityNumber = Severities.number(severity);
        SyslogDecoder.emit(t, app, msg, out);
    }

    /** A string, or the array of byte values journalctl writes for a message that is not valid UTF-8. */
    private static String message(JsonNode m) {
        if (m == null || m.isNull()) {
            return null;
        }
        if (m.isArray()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (JsonNode b : m) {
                if (!b.canConvertToInt()) {
                    return null;
                }
                bytes.write(b.asInt());
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }
        return m.isValueNode() ? m.asText() : null;
    }

    private static String text(JsonNode e, String field) {
        JsonNode v = e.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }

    private static Ingested dead(String line, String origin, String reason, String detail) {
        return dead(line.getBytes(StandardCharsets.UTF_8), origin, reason, detail);
    }

    private static Ingested dead(byte[] raw, String origin, String reason, String detail) {
        return TextLines.dead(raw, origin, FORMAT, reason, detail);
    }

    @Override
    public String toString() {
        return "JournaldDecoder";
    }
}
