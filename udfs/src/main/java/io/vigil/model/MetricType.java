package io.vigil.model;

/** How a metric point's value is to be read. */
public enum MetricType {
    GAUGE,
    /** A monotonic counter; {@link Telemetry#value} is the cumulative or delta value as sent. */
    COUNTER,
    /** A histogram summarised as count, sum, min and max; {@link Telemetry#value} is the mean. */
    HISTOGRAM;

    private final String wire = name().toLowerCase(java.util.Locale.ROOT); // once, as Signal's

    public String wireName() {
        return wire;
    }

    public static MetricType fromWire(String name) {
        if (name == null) {
            return null;
        }
        switch (name) {
            case "gauge":
                return GAUGE;
            case "counter":
            case "sum":
                return COUNTER;
            case "histogram":
            case "summary":
                return HISTOGRAM;
            default:
                return null;
        }
    }
}
