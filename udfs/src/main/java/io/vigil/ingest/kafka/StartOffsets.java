package io.vigil.ingest.kafka;

import java.io.Serializable;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Where a fresh job starts reading (a job restored from a checkpoint or savepoint always continues from its state):
 * {@code earliest}, {@code latest}, {@code committed} (the group's committed offsets, else earliest) or
 * {@code timestamp:<epoch-ms | ISO-8601 instant>}.
 */
public final class StartOffsets implements Serializable {
    /** What {@link #parse} accepts, for error messages. */
    public static final String ACCEPTED =
            "earliest, latest, committed or timestamp:<epoch-ms or ISO-8601 instant, e.g. 2026-01-31T12:00:00Z>";

    public enum Kind {
        EARLIEST,
        LATEST,
        COMMITTED,
        TIMESTAMP
    }

    private final Kind kind;
    private final long timestamp;

    private StartOffsets(Kind kind, long timestamp) {
        this.kind = kind;
        this.timestamp = timestamp;
    }

    public static StartOffsets parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        switch (t) {
            case "earliest":
                return new StartOffsets(Kind.EARLIEST, 0);
            case "latest":
                return new StartOffsets(Kind.LATEST, 0);
            case "committed":
                return new StartOffsets(Kind.COMMITTED, 0);
            default:
                break;
        }
        if (t.startsWith("timestamp:")) {
            String v = text.trim().substring("timestamp:".length()).trim();
            try {
                return new StartOffsets(Kind.TIMESTAMP, Long.parseLong(v));
            } catch (NumberFormatException notMillis) {
                try {
                    return new StartOffsets(Kind.TIMESTAMP, Instant.parse(v).toEpochMilli());
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("'" + v + "' is neither epoch milliseconds nor an ISO-8601 "
                            + "instant (e.g. 2026-01-31T12:00:00Z)");
                }
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a start position; use " + ACCEPTED);
    }

    public Kind kind() {
        return kind;
    }

    public long timestamp() {
        return timestamp;
    }

    // The connector still takes Kafka's deprecated OffsetResetStrategy for the committed-offsets fallback.
    @SuppressWarnings("deprecation")
    public OffsetsInitializer initializer() {
        switch (kind) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            case COMMITTED:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default:
                return OffsetsInitializer.timestamp(timestamp);
        }
    }

    @Override
    public String toString() {
        return kind == Kind.TIMESTAMP ? "timestamp:" + timestamp : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
