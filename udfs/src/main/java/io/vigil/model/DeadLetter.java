package io.vigil.model;

/**
 * A record Vigil could not use, kept whole with where it came from and exactly why, so nothing is dropped silently.
 * Written to the dead-letter output (a topic, a JSON-lines file) and counted by reason.
 */
public class DeadLetter {
    /** The bytes as received. */
    public byte[] raw;
    /** Where it came from: {@code kafka:topic/partition@offset}, {@code file:path:line}, {@code generator:n}, ... */
    public String origin;
    /** The format it was read as (json, otlp-json, otlp-proto, syslog, ...). */
    public String format;
    /** A short machine-readable reason class, used as a metric label (parse_error, invalid_timestamp, ...). */
    public String reason;
    /** The precise human-readable reason, e.g. the field and what was wrong with it. */
    public String detail;
    /** Wall-clock time at which it was rejected (epoch ms). */
    public long rejectedAt;

    public DeadLetter() {}

    public DeadLetter(byte[] raw, String origin, String format, String reason, String detail) {
        this.raw = raw;
        this.origin = origin;
        this.format = format;
        this.reason = reason;
        this.detail = detail;
        this.rejectedAt = System.currentTimeMillis();
    }

    @Override
    public String toString() {
        return "DeadLetter{" + origin + " " + format + " " + reason + ": " + detail + "}";
    }
}
