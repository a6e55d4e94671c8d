package io.vigil.model;

import java.util.Locale;

/** Maps between OpenTelemetry severity numbers and the normalised severity text Vigil keeps on log records. */
public final class Severities {
    private Severities() {}

    /** OpenTelemetry's severity number ranges: 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24 FATAL. */
    public static String text(int number) {
        if (number <= 0) {
            return null;
        }
        if (number <= 4) {
            return "TRACE";
        }
        if (number <= 8) {
            return "DEBUG";
        }
        if (number <= 12) {
            return "INFO";
        }
        if (number <= 16) {
            return "WARN";
        }
        if (number <= 20) {
            return "ERROR";
        }
        return "FATAL";
    }

    /** Normalises common spellings (warning, err, critical, ...) to the six OpenTelemetry names; null if unknown. */
    public static String normalise(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        switch (text.toUpperCase(Locale.ROOT)) {
            case "TRACE":
                return "TRACE";
            case "DEBUG":
                return "DEBUG";
            case "INFO":
            case "INFORMATION":
            case "NOTICE":
                return "INFO";
            case "WARN":
            case "WARNING":
                return "WARN";
            case "ERROR":
            case "ERR":
                return "ERROR";
            case "FATAL":
            case "CRITICAL":
            case "CRIT":
            case "ALERT":
            case "EMERG":
            case "EMERGENCY":
                return "FATAL";
            default:
                return null;
        }
    }

    /** The lowest severity number of a normalised severity text, 0 when unknown. */
    public static int number(String text) {
        String n = normalise(text);
        if (n == null) {
            return 0;
        }
        switch (n) {
            case "TRACE":
                return 1;
            case "DEBUG":
                return 5;
            case "INFO":
                return 9;
            case "WARN":
                return 13;
            case "ERROR":
                return 17;
            default:
                return 21;
        }
    }
}
