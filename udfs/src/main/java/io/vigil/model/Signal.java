package io.vigil.model;

/** The four kinds of telemetry Vigil ingests. */
public enum Signal {
    METRIC,
    LOG,
    SPAN,
    EVENT;

    /** Lower-case wire name, as used in the canonical JSON and in rules. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses a wire name; returns null when the name is not a signal. */
    public static Signal fromWire(String name) {
        if (name == null) {
            return null;
        }
        switch (name) {
            case "metric":
                return METRIC;
            case "log":
                return LOG;
            case "span":
                return SPAN;
            case "event":
                return EVENT;
            default:
                return null;
        }
    }
}
