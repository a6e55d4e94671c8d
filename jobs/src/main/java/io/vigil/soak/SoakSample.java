package io.vigil.soak;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * One sampling point of a soak: when, how long after the start, and the value of each curve (NaN where the source had
 * no value yet, e.g. before the first completed checkpoint; written as an empty CSV cell).
 */
public record SoakSample(Instant time, double elapsedSeconds, Map<Curve, Double> values) {
    public SoakSample {
        EnumMap<Curve, Double> copy = new EnumMap<>(Curve.class);
        for (Curve c : Curve.values()) copy.put(c, values.getOrDefault(c, Double.NaN));
        values = copy;
    }

    public double value(Curve c) {
        return values.get(c);
    }
}
