package io.vigil.cli;

import java.time.Duration;
import picocli.CommandLine;

/**
 * Converters for flag values that several commands take, so each command accepts the same forms and says the same
 * thing about a wrong value (picocli prefixes the message with the flag's name).
 */
final class Flags {
    private Flags() {}

    /** Durations as the rest of Vigil writes them (30s, 5m, 1h30m), or ISO-8601 (PT30S). */
    static class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            if (value.toUpperCase(java.util.Locale.ROOT).startsWith("P")) {
                try {
                    return Duration.parse(value);
                } catch (java.time.format.DateTimeParseException e) {
                    throw new CommandLine.TypeConversionException(
                            "'" + value + "' is not a duration; write e.g. 30s, 5m");
                }
            }
            try {
                return io.vigil.rules.Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** A duration that must be more than zero: how long a command runs. */
    static final class PositiveDurationConverter extends DurationConverter {
        @Override
        public Duration convert(String value) {
            Duration d = super.convert(value);
            if (d.isZero() || d.isNegative()) {
                throw new CommandLine.TypeConversionException("'" + value + "' must be positive, e.g. 30m or 1h");
            }
            return d;
        }
    }

    /** Telemetry records per second for the steady generator ({@code generate}, {@code soak}): 1 to 100,000. */
    static final class RateConverter implements CommandLine.ITypeConverter<Integer> {
        static final int MAX = 100_000;

        @Override
        public Integer convert(String value) {
            int rate;
            try {
                rate = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                rate = 0;
            }
            if (rate < 1 || rate > MAX) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is out of range; give records per second from 1 to " + MAX + ", e.g. 200");
            }
            return rate;
        }
    }
}
