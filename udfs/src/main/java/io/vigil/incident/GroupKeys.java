package io.vigil.incident;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.model.Alert;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import java.io.IOException;
import java.io.Serializable;

/**
 * The grouping key of alerts and of error records: the value of {@link IncidentConfig#groupBy}. A record and an alert
 * about the same service get the same key, so the incident operator sees both.
 */
public final class GroupKeys implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Key prefix of alerts that have no value of the grouping field: each forms incidents of its own rule key. */
    static final String RULE_KEY = "rule_key:";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICE = "service.name";

    private final String field;

    public GroupKeys(String field) {
        this.field = field;
    }

    /**
     * An alert's value of the field: its service (for {@code service.name}), else its key_by fields, labels and catalog
     * enrichment, else the records in its evidence (a rule keyed by source.ip that matched sshd's logs is about sshd).
     * Without any: {@code rule_key:} and the alert's rule key.
     */
    public String of(Alert a) {
        String v = SERVICE.equals(field) ? a.service : null;
        if (v == null) {
            v = a.keyFields.get(field);
        }
        if (v == null) {
            v = a.labels.get(field);
        }
        if (v == null) {
            v = a.enrichment.get(field);
        }
        if (v == null) {
            v = fromEvidence(a);
        }
        return v != null ? v : RULE_KEY + a.key;
    }

    /** A record's value of the field (resource, then record attributes, by the rule field names); null if absent. */
    public String of(Telemetry t) {
        return t.get(field);
    }

    /** The field as written in incidents: the configured field, or {@code rule_key} for a key from {@link #of(Alert)}. */
    public String fieldOf(String key) {
        return key.startsWith(RULE_KEY) ? "rule_key" : field;
    }

    /** The value as written in incidents. */
    public static String valueOf(String key) {
        return key.startsWith(RULE_KEY) ? key.substring(RULE_KEY.length()) : key;
    }

    /** An error log (ERROR or FATAL) or a failed span: the records an incident samples. */
    public static boolean isError(Telemetry t) {
        if (t.signal == Signal.LOG) {
            return t.severityNumber >= 17;
        }
        return t.signal == Signal.SPAN && "error".equals(t.status);
    }

    private String fromEvidence(Alert a) {
        for (String e : a.evidence) {
            try {
                JsonNode r = JSON.readTree(e);
                JsonNode v = r.path("resource").path(field);
                if (v.isMissingNode()) {
                    v = r.path("attributes").path(field);
                }
                if (v.isTextual()) {
                    return v.asText();
                }
            } catch (IOException ignored) {
                // Evidence is written by the job itself; a record that does not parse just gives no value.
            }
        }
        return null;
    }
}
