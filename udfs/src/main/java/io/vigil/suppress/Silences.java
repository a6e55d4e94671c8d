package io.vigil.suppress;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vigil.model.Alert;
import io.vigil.sink.notify.AlertmanagerPayload;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        ObjectMapper yaml =
                new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        List<Silence> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        try (JsonParser p = yaml.getFactory().createParser(Files.readAllBytes(file))) {
            if (p.nextToken() != JsonToken.START_OBJECT
                    || p.nextToken() != JsonToken.FIELD_NAME
                    || !"silences".equals(p.currentName())
                    || p.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException(at(file, p.currentLocation()) + "expected a 'silences:' list");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                JsonLocation start = p.currentLocation();
                Silence s;
                try {
                    s = Silence.of(yaml.readValue(p, Silence.Json.class));
                } catch (UnrecognizedPropertyException e) {
                    throw new IllegalArgumentException(at(file, e.getLocation()) + "unknown field '"
                            + e.getPropertyName() + "' (known fields: " + Silence.FIELDS + ")");
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(at(file, start) + e.getMessage(), e);
                }
                if (!ids.add(s.id)) {
                    throw new IllegalArgumentException(
                            at(file, start) + "two silences have the id '" + s.id + "'; ids must be unique");
                }
                out.add(s);
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
                throw new IllegalArgumentException(
                        at(file, p.currentLocation()) + "each silence is a map of " + Silence.FIELDS);
            }
            if (p.nextToken() != JsonToken.END_OBJECT) {
                throw new IllegalArgumentException(
                        at(file, p.currentLocation()) + "only 'silences:' may be at the top of a silences file");
            }
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(at(file, e.getLocation()) + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read silences: " + e.getMessage(), e);
        }
        return new Silences(out);
    }

    private static String at(Path file, JsonLocation loc) {
        return file + ":" + (loc == null ? 0 : loc.getLineNr()) + ":" + (loc == null ? 0 : loc.getColumnNr()) + ": ";
    }
}
