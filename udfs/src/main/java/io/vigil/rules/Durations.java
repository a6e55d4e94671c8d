package io.vigil.rules;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations as Prometheus writes them: {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 3d}, {@code 250ms}. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

    private Durations() {}

    /** @throws IllegalArgumentException with a message that shows the expected form */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration; expected e.g. 30s, 5m, 1h, 3d");
        }
        Matcher m = PART.matcher(text.trim());
        long millis = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            long unit;
            switch (m.group(2)) {
                case "ms":
                    unit = 1L;
                    break;
                case "s":
                    unit = 1000L;
                    break;
                case "m":
                    unit = 60_000L;
                    break;
                case "h":
                    unit = 3_600_000L;
                    break;
                case "d":
                    unit = 86_400_000L;
                    break;
                default:
                    unit = 7 * 86_400_000L;
                    break;
            }
            try {
                // Exact arithmetic: a huge number must not wrap around into a short or negative duration.
                millis = Math.addExact(millis, Math.multiplyExact(Long.parseLong(m.group(1)), unit));
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException(
                        "duration '" + text + "' is too long; expected e.g. 30s, 5m," + " 1h30m, 3d");
            }
            end = m.end();
        }
        if (end != text.trim().length() || end == 0) {
            throw new IllegalArgumentException("bad duration '" + text + "'; expected e.g. 30s, 5m, 1h30m, 3d");
        }
        return Duration.ofMillis(millis);
    }

    /** Formats milliseconds the way {@link #parse} reads them, largest units first. */
    public static String format(long millis) {
        if (millis == 0) {
            return "0s";
        }
        StringBuilder b = new StringBuilder();
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
        String[] names = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            if (millis >= units[i]) {
                b.append(millis / units[i]).append(names[i]);
                millis %= units[i];
            }
        }
        return b.toString();
    }
}
