package io.vigil.detect;

import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.util.List;
import java.util.function.Supplier;

/**
 * Bounded samples of the records behind an alert. Kinds keep at most {@link #DEFAULT_SIZE} per window (the most
 * telling ones where the kind knows which: the largest values for an upper bound), never every record.
 */
public final class Evidence {
    public static final int DEFAULT_SIZE = 5;

    private Evidence() {}

    /**
     * Keeps the {@code max} records with the most extreme values in {@code samples}/{@code values} (parallel lists),
     * largest first when {@code upward}, smallest first otherwise.
     */
    public static void keepExtremes(
            List<String> samples, List<Double> values, Telemetry t, double value, boolean upward, int max) {
        keepExtremes(samples, values, () -> TelemetryJson.write(t), value, upward, max);
    }

    /**
     * As above for a record already in JSON, or any other form of a sample; the sample is only produced when the
     * record is kept.
     */
    public static <T> void keepExtremes(
            List<T> samples, List<Double> values, Supplier<T> json, double value, boolean upward, int max) {
        int i = 0;
        while (i < values.size() && (upward ? values.get(i) >= value : values.get(i) <= value)) {
            i++;
        }
        if (i >= max) {
            return;
        }
        samples.add(i, json.get());
        values.add(i, value);
        if (samples.size() > max) {
            samples.remove(samples.size() - 1);
            values.remove(values.size() - 1);
        }
    }
}
