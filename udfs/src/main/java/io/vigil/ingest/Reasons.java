package io.vigil.ingest;

import java.util.List;

/**
 * The reason classes a {@link io.vigil.model.DeadLetter} can carry. They are metric labels, so the set is small and
 * fixed; the dead letter's detail says exactly which field was wrong and how.
 */
public final class Reasons {
    private Reasons() {}

    /** The bytes are not well-formed JSON or protobuf (truncated, garbage, trailing content, empty). */
    public static final String PARSE_ERROR = "parse_error";
    /** A known field has the wrong JSON type (a string where a number belongs, an object where a string belongs). */
    public static final String INVALID_TYPE = "invalid_type";
    /** A field has the right type but an unusable value (NaN, Infinity, negative count, unknown enum, bad hex id). */
    public static final String INVALID_VALUE = "invalid_value";
    /** The event time is missing, zero, before 2000-01-01 or too far in the future (see {@link IngestLimits}). */
    public static final String INVALID_TIMESTAMP = "invalid_timestamp";
    /** A field the signal needs is absent (signal, timestamp, a metric's name or value, ...). */
    public static final String MISSING_FIELD = "missing_field";
    /** The record is larger than {@link IngestLimits#maxRecordBytes()}. */
    public static final String OVERSIZE = "oversize";
    /** The signal is not metric, log, span or event, or an OTLP record's signal cannot be told or does not fit. */
    public static final String UNKNOWN_SIGNAL = "unknown_signal";
    /** The raw record names a format no decoder reads. */
    public static final String UNKNOWN_FORMAT = "unknown_format";
    /**
     * The decoder failed on the record with an unexpected exception (a bug, not bad input as such): the record is kept
     * whole and the others around it are still decoded.
     */
    public static final String DECODER_ERROR = "decoder_error";

    /**
     * The longest {@link io.vigil.model.DeadLetter#detail}: a detail explains, the raw bytes keep the evidence, so a
     * 100 KB value must not be copied into every detail, log line and metric dashboard that shows it.
     */
    public static final int MAX_DETAIL_CHARS = 256;

    /** The longest excerpt of an offending value quoted inside a detail (see {@link #quote}). */
    public static final int MAX_QUOTED_CHARS = 64;

    /**
     * {@code detail} cut to {@link #MAX_DETAIL_CHARS} characters, the cut marked with how long it was. Every dead
     * letter's detail passes through here.
     */
    public static String detail(String detail) {
        if (detail == null) {
            return "";
        }
        if (detail.length() <= MAX_DETAIL_CHARS) {
            return detail;
        }
        String marker = "... (" + detail.length() + " chars, truncated)";
        return detail.substring(0, safeCut(detail, MAX_DETAIL_CHARS - marker.length())) + marker;
    }

    /**
     * An offending value in double quotes for a detail, cut to {@link #MAX_QUOTED_CHARS} characters with a marker, so
     * the explanation after it survives {@link #detail}'s bound.
     */
    public static String quote(String value) {
        if (value.length() <= MAX_QUOTED_CHARS) {
            return "\"" + value + "\"";
        }
        return "\"" + value.substring(0, safeCut(value, MAX_QUOTED_CHARS)) + "\"... (" + value.length() + " chars)";
    }

    /** Like {@link #quote} for a value shown bare (a number): itself when short, else its start and its length. */
    public static String excerpt(String value) {
        if (value.length() <= MAX_QUOTED_CHARS) {
            return value;
        }
        return value.substring(0, safeCut(value, MAX_QUOTED_CHARS)) + "... (" + value.length() + " chars)";
    }

    /** A cut position at or below {@code at} that does not split a surrogate pair. */
    private static int safeCut(String s, int at) {
        return at > 0 && Character.isHighSurrogate(s.charAt(at - 1)) ? at - 1 : at;
    }

    /** Every reason, for documentation and for pre-registering metrics. */
    public static final List<String> ALL = List.of(
            PARSE_ERROR,
            INVALID_TYPE,
            INVALID_VALUE,
            INVALID_TIMESTAMP,
            MISSING_FIELD,
            OVERSIZE,
            UNKNOWN_SIGNAL,
            UNKNOWN_FORMAT,
            DECODER_ERROR);
}
