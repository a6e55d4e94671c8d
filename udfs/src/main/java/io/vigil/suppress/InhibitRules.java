package io.vigil.suppress;

import java.io.Serializable;
import java.nio.file.Path;
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

    /** Reads an inhibition file; IllegalArgumentException with {@code file:line:column: problem} when it is wrong. */
    public static InhibitRules load(Path file) {
        Set<String> names = new HashSet<>();
        return new InhibitRules(YamlEntries.read(file, "inhibit_rules", InhibitRule.Yaml.class, FIELDS, y -> {
            InhibitRule r = InhibitRule.of(y);
            if (!names.add(r.name)) {
                throw new IllegalArgumentException(
                        "two inhibit rules are named '" + r.name + "'; names must be unique");
            }
            return r;
        }));
    }
}
