package io.vigil.ingest;

import io.vigil.model.DeadLetter;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * What the decoders accept: the largest record and the event-time window. Immutable and serializable.
 *
 * <p>Event times must be positive, not before {@link #earliest()} (default 2000-01-01) and, unless the future bound is
 * switched off, not more than {@link #maxFuture()} (default one day) after wall-clock now. Old files therefore replay
 * fine with the defaults; a generator that simulates days ahead of the clock switches the future bound off.
 */
public final class IngestLimits implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;
    public static final Instant DEFAULT_EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    public static final Duration DEFAULT_MAX_FUTURE = Duration.ofDays(1);

    private final int maxRecordBytes;
    private final long earliestMs;
    /** Milliseconds after now still accepted; negative means no upper bound. */
    private final long maxFutureMs;
    /** Now plus maxFuture as of the last clock read; racy by design (any value read is a valid lower bound). */
    private transient volatile long latestSeen;

    private IngestLimits(int maxRecordBytes, long earliestMs, long maxFutureMs) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
        this.earliestMs = earliestMs;
        this.maxFutureMs = maxFutureMs;
    }

    /** 1 MiB per record, event times from 2000-01-01 to one day after now. */
    public static IngestLimits defaults() {
        return new IngestLimits(
                DEFAULT_MAX_RECORD_BYTES, DEFAULT_EARLIEST.toEpochMilli(), DEFAULT_MAX_FUTURE.toMillis());
    }

    public IngestLimits withMaxRecordBytes(int bytes) {
        return new IngestLimits(bytes, earliestMs, maxFutureMs);
    }

    public IngestLimits withEarliest(Instant earliest) {
        return new IngestLimits(maxRecordBytes, earliest.toEpochMilli(), maxFutureMs);
    }

    public IngestLimits withMaxFuture(Duration maxFuture) {
        if (maxFuture.isNegative()) {
            throw new IllegalArgumentException("maxFuture must not be negative, got " + maxFuture);
        }
        return new IngestLimits(maxRecordBytes, earliestMs, maxFuture.toMillis());
    }

    /** Accepts event times arbitrarily far in the future (simulations, clock-skewed test data). */
    public IngestLimits withoutFutureBound() {
        return new IngestLimits(maxRecordBytes, earliestMs, -1);
    }

    /**
     * Why a raw record cannot be decoded at all (missing, empty or over the size limit) as a dead letter in
     * {@code format}, or null when it may be decoded. Shared by every decoder so they word it the same.
     */
    public DeadLetter unusable(byte[] payload, String origin, String format) {
        if (payload == null || payload.length == 0) {
            return new DeadLetter(
                    new byte[0],
                    origin,
                    format,
                    Reasons.PARSE_ERROR,
                    payload == null ? "no payload (a null record, e.g. a Kafka tombstone)" : "empty record");
        }
        if (payload.length > maxRecordBytes) {
            return new DeadLetter(
                    payload,
                    origin,
                    format,
                    Reasons.OVERSIZE,
                    payload.length + " bytes exceeds the limit of " + maxRecordBytes + " bytes");
        }
        return null;
    }

    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    public Instant earliest() {
        return Instant.ofEpochMilli(earliestMs);
    }

    /** The future bound, or null when there is none. */
    public Duration maxFuture() {
        return maxFutureMs < 0 ? null : Duration.ofMillis(maxFutureMs);
    }

    /**
     * Checks an event time in epoch milliseconds.
     *
     * @return null when acceptable, else what is wrong with it (with a hint when the unit looks wrong)
     */
    String checkTimestamp(long epochMs) {
        if (epochMs <= 0) {
            return epochMs == 0 ? "missing or zero" : epochMs + " is negative";
        }
        if (epochMs < earliestMs) {
            String hint = epochMs > 100_000_000L && epochMs < 10_000_000_000L
                    ? " (it looks like epoch seconds; milliseconds are expected)"
                    : "";
            return epochMs + " (" + Instant.ofEpochMilli(epochMs) + ") is before " + Instant.ofEpochMilli(earliestMs)
                    + hint;
        }
        if (maxFutureMs >= 0 && epochMs > latestSeen) {
            // Only a time beyond the last bound computed needs the clock: the bound only grows with the clock, so
            // this is exact and spares a clock read per record.
            long latest = System.currentTimeMillis() + maxFutureMs;
            latestSeen = latest;
            if (epochMs > latest) {
                String hint = epochMs > 100_000_000_000_000L
                        ? " (it looks like epoch micro- or nanoseconds; milliseconds are expected)"
                        : "";
                return epochMs + " ("
                        + (epochMs < 10_000_000_000_000_000L ? Instant.ofEpochMilli(epochMs) : "far future")
                        + ") is more than " + Duration.ofMillis(maxFutureMs) + " after now" + hint;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "IngestLimits{maxRecordBytes=" + maxRecordBytes + ", earliest=" + earliest() + ", maxFuture="
                + maxFuture() + "}";
    }
}
