package io.vigil.suppress;

import io.vigil.model.Alert;
import io.vigil.sink.notify.AlertmanagerPayload;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Silences read from a file, for replays and the demo ({@code --silences FILE}), and the marking every silencing
 * function shares. The file:
 *
 * <pre>
 * silences:
 *   - id: payments-db-migration
 *     matchers: ['service="payments"']
 *     starts_at: 2026-12-05T22:00:00Z
 *     ends_at: 2026-12-06T02:00:00Z
 *     comment: DB migration
 *   - id: weekend-maintenance
 *     matchers: ['service=~"cart|checkout"']
 *     recurring: {time_zone: Europe/Berlin, weekdays: [saturday], times: ["02:00-04:00"]}
 * </pre>
 *
 * Every problem is an error with {@code file:line:column} of the silence it is in.
 */
public final class Silences implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<Silence> silences;

    public Silences(List<Silence> silences) {
        this.silences = List.copyOf(silences);
    }

    public static Silences none() {
        return new Silences(List.of());
    }

    public List<Silence> silences() {
        return silences;
    }

    /**
     * Marks the alert with the ids of the silences that cover it at its event time ({@link Alert#silencedBy}, sorted
     * and comma-separated). Returns whether any did.
     */
    public static boolean mark(Alert a, Iterable<Silence> silences) {
        Map<String, String> labels = null;
        Set<String> ids = new TreeSet<>();
        for (Silence s : silences) {
            if (!s.covers(a.eventTime)) {
                continue;
            }
            if (labels == null) {
                labels = AlertmanagerPayload.labels(a);
            }
            if (s.matches(labels)) {
                ids.add(s.id);
            }
        }
        if (ids.isEmpty()) {
            return false;
        }
        a.silencedBy = String.join(",", ids);
        return true;
    }

    /** Reads a silences file; IllegalArgumentException with {@code file:line:column: problem} when it is wrong. */
    public static Silences load(Path file) {
        Set<String> ids = new HashSet<>();
        return new Silences(YamlEntries.read(file, "silences", Silence.Json.class, Silence.FIELDS, j -> {
            Silence s = Silence.of(j);
            if (!ids.add(s.id)) {
                throw new IllegalArgumentException("two silences have the id '" + s.id + "'; ids must be unique");
            }
            return s;
        }));
    }
}
