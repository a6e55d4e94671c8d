package io.vigil.alert;

import io.vigil.model.Alert;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/** One readable line per alert, for the demo, {@code vigil alerts tail} and logs. */
public final class AlertLine {
    private AlertLine() {}

    public static String format(Alert a) {
        StringBuilder b = new StringBuilder();
        b.append(Instant.ofEpochMilli(a.eventTime)).append(' ');
        b.append(String.format(Locale.ROOT, "%-8s", a.severity.toUpperCase(Locale.ROOT)))
                .append(' ');
        b.append(Alert.RESOLVED.equals(a.status) ? "RESOLVED " : "");
        b.append(a.ruleId);
        for (Map.Entry<String, String> e : a.keyFields.entrySet()) {
            b.append(' ').append(e.getKey()).append('=').append(e.getValue());
        }
        b.append(" | ").append(a.message);
        if (a.suppressed > 0) {
            b.append(" (+").append(a.suppressed).append(" suppressed)");
        }
        if (a.inhibitedBy != null) {
            b.append(" (inhibited by ").append(a.inhibitedBy).append(')');
        }
        if (a.silencedBy != null) {
            b.append(" (silenced by ").append(a.silencedBy).append(')');
        }
        String owner = a.enrichment.get("team");
        if (owner != null) {
            b.append(" [team ").append(owner).append(']');
        }
        return b.toString();
    }
}
