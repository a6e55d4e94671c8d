package io.vigil.suppress;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The inhibition rules of a job, read from a YAML file beside the rules ({@code rules/_inhibit.yaml}; the leading
 * {@code _} keeps the rule loader from reading it as rules), in Alertmanager's {@code inhibit_rules} shape plus a name:
 *
 * <pre>
 * inhibit_rules:
 *   - name: slo-page-inhibits-error-symptoms
 *     source_matchers: ['alertname=~"slo-.*"', 'slo_alert="page"']
 *     target_matchers: ['alertname=~"service-error-burst|service-error-ratio|server-error-spans"']
 *     equal: [service]
 * </pre>
 *
 * Every problem (unknown field, bad matcher, duplicate name) is an error with {@code file:line:column}, as for rules.
 */
public final class InhibitRules implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The file name the job looks for in the first rules folder. */
    public static final String FILE_NAME = "_inhibit.yaml";

    private static final String FIELDS = "name, source_matchers, target_matchers, equal";

    private final List<InhibitRule> rules;

    public InhibitRules(List<InhibitRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static InhibitRules none() {
        return new InhibitRules(List.of());
    }

    public List<InhibitRule> rules() {
        return rules;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * The labels every rule compares with {@code equal}: a source and a target it inhibits agree on them, so the
     * inhibitor can be keyed by their values and run in parallel. Empty when the rules share none (then one key).
     */
    public List<String> sharedEqualLabels() {
        if (rules.isEmpty()) {
            return List.of();
        }
        Set<String> shared = new LinkedHashSet<>(rules.get(0).equal);
        for (InhibitRule r : rules) {
            shared.retainAll(r.equal);
        }
        return List.copyOf(shared);
    }

    /** The file's shape. */
    static final class File {
        @JsonProperty(value = "inhibit_rules", required = true)
        public List<InhibitRule> inhibitRules = new ArrayList<>();
    }

    /** Reads an inhibition file; IllegalArgumentException with {@code file:line:column: problem} when it is wrong. */
    public static InhibitRules load(Path file) {
        ObjectMapper yaml =
                new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            File f = yaml.readValue(Files.readAllBytes(file), File.class);
            if (f == null || f.inhibitRules == null) {
                throw new IllegalArgumentException(file + ":1:1: expected an 'inhibit_rules:' list");
            }
            Set<String> names = new HashSet<>();
            for (InhibitRule r : f.inhibitRules) {
                if (r == null) {
                    throw new IllegalArgumentException(file + ": an inhibit rule is empty; give " + FIELDS);
                }
                if (!names.add(r.name)) {
                    throw new IllegalArgumentException(
                            file + ": two inhibit rules are named '" + r.name + "'; names must be unique");
                }
            }
            return new InhibitRules(f.inhibitRules);
        } catch (JsonMappingException e) {
            throw located(file, e, FIELDS);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read inhibition rules: " + e.getMessage(), e);
        }
    }

    /** A Jackson problem as {@code file:line:column: message (known fields)}, the cause's message when it has one. */
    static IllegalArgumentException located(Path file, JsonMappingException e, String fields) {
        var loc = e.getLocation();
        Throwable cause = e.getCause();
        String message = cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
        return new IllegalArgumentException(
                file + ":" + (loc == null ? 0 : loc.getLineNr()) + ":" + (loc == null ? 0 : loc.getColumnNr()) + ": "
                        + message
                        + (cause instanceof IllegalArgumentException ? "" : " (known fields: " + fields + ")"),
                e);
    }
}
