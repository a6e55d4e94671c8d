package io.vigil.model;

/** The four kinds of telemetry Vigil ingests. */
public enum Signal {
    METRIC,
    LOG,
    SPAN,
    EVENT;

    // Made once: rules read a record's signal as text per record (match blocks, CEL), and lower-casing the name
    // there allocated a string each time (a seventieth of the router's allocations in `bench e2e`).
    private final String wire = name().toLowerCase(java.util.Locale.ROOT);

    /** Lower-case wire name, as used in the canonical JSON and in rules. */
    public String wireName() {
        return wire;
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
