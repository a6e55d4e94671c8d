package io.vigil.ingest;

/**
 * Thrown inside a decoder to abandon one record with a reason; caught by the decoder and turned into a dead letter.
 * Never escapes a {@link TelemetryDecoder}. Carries no stack trace: it is control flow on bad input, not a bug, and
 * a corpus of garbage must not cost a stack walk per record.
 *
 * <p>The field path is built while the rejection unwinds out of nested objects ({@link #under}), so the happy path
 * never pays for keeping a path.
 */
final class Rejection extends Exception {
    private static final long serialVersionUID = 1L;

    final String reason;
    private final String path;

    Rejection(String reason, String message) {
        this(reason, "", message);
    }

    private Rejection(String reason, String path, String message) {
        super(message, null, false, false);
        this.reason = reason;
        this.path = path;
    }

    /** The same rejection one level further out: {@code segment} is a field name or an index like {@code [3]}. */
    Rejection under(String segment) {
        String joined = path.isEmpty() ? segment : path.startsWith("[") ? segment + path : segment + "." + path;
        return new Rejection(reason, joined, getMessage());
    }

    /** The path to the offending field, e.g. {@code resourceLogs[0].scopeLogs[0].logRecords[2].timeUnixNano}. */
    String path() {
        return path;
    }

    /** What goes into {@link io.vigil.model.DeadLetter#detail}: the path, then what was wrong. */
    String detail() {
        return path.isEmpty() ? getMessage() : path + ": " + getMessage();
    }
}
