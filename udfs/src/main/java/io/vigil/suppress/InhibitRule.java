package io.vigil.suppress;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One inhibition rule in Alertmanager's model: while an alert matching {@link #sourceMatchers} fires, alerts matching
 * {@link #targetMatchers} that have the same values for every {@link #equal} label are inhibited (marked, not
 * delivered). A label missing on both sides counts as equal (the empty string), as in Alertmanager. An alert never
 * inhibits itself.
 */
public final class InhibitRule implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String name;
    public final List<LabelMatcher> sourceMatchers;
    public final List<LabelMatcher> targetMatchers;
    public final List<String> equal;

    public InhibitRule(
            String name, List<LabelMatcher> sourceMatchers, List<LabelMatcher> targetMatchers, List<String> equal) {
        this.name = name;
        this.sourceMatchers = List.copyOf(sourceMatchers);
        this.targetMatchers = List.copyOf(targetMatchers);
        this.equal = List.copyOf(equal);
    }

    /** The YAML shape: Alertmanager's {@code inhibit_rules} entry plus a name. */
    static final class Yaml {
        public String name;

        @JsonProperty("source_matchers")
        public List<String> source;

        @JsonProperty("target_matchers")
        public List<String> target;

        public List<String> equal;
    }

    /** From the YAML shape, checked; IllegalArgumentException saying what is wrong. */
    static InhibitRule of(Yaml y) {
        String name = y.name;
        List<String> source = y.source;
        List<String> target = y.target;
        List<String> equal = y.equal;
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException(
                    "name '" + name + "' must be letters, digits, '.', '_' or '-', like slo-page-inhibits-errors");
        }
        if (source == null || source.isEmpty() || target == null || target.isEmpty()) {
            throw new IllegalArgumentException("inhibit rule '" + name + "' needs at least one source matcher and "
                    + "one target matcher (an empty list would match every alert)");
        }
        List<String> eq = equal == null ? List.of() : new ArrayList<>(equal);
        for (String l : eq) {
            if (l == null || !l.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
                throw new IllegalArgumentException("inhibit rule '" + name + "': equal label '" + l
                        + "' is not a Prometheus-safe label name (service, service_name, cluster, ...)");
            }
        }
        try {
            return new InhibitRule(name, LabelMatcher.parseAll(source), LabelMatcher.parseAll(target), eq);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("inhibit rule '" + name + "': " + e.getMessage(), e);
        }
    }

    public boolean isSource(Map<String, String> labels) {
        return LabelMatcher.all(sourceMatchers, labels);
    }

    public boolean isTarget(Map<String, String> labels) {
        return LabelMatcher.all(targetMatchers, labels);
    }

    /** The values of the {@link #equal} labels, the part of the state key a source and its targets share. */
    public String equalValues(Map<String, String> labels) {
        StringBuilder b = new StringBuilder();
        for (String l : equal) {
            String v = labels.getOrDefault(l, "");
            b.append(v.length()).append(':').append(v);
        }
        return b.toString();
    }
}
