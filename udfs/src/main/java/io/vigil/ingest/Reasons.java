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

    /** Every reason, for documentation and for pre-registering metrics. */
    public static final List<String> ALL = List.of(
            PARSE_ERROR,
            INVALID_TYPE,
            INVALID_VALUE,
            INVALID_TIMESTAMP,
            MISSING_FIELD,
            OVERSIZE,
            UNKNOWN_SIGNAL,
            UNKNOWN_FORMAT);
}
