package io.vigil.detect.newterm;

import io.vigil.detect.Detector;
import io.vigil.rules.Params;
import io.vigil.rules.RuleKind;
import io.vigil.rules.RuleSpec;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code new_term}: a value of {@code field} (or a combination of {@code fields}) never seen before for a key: a new
 * country for a user, a new process on a host. The first {@code learning} of each key only learns; terms not seen for
 * {@code forget_after} are forgotten (and would be new again); at most {@code max_terms} are kept per key.
 *
 * <pre>
 * kind: new_term
 * key_by: [host.name]
 * params:
 *   field: source.geo.country_iso_code   # or fields: [process.name, user.name]
 *   learning: 1h          # default 1d; event time from the key's first record
 *   forget_after: 30d     # default 30d (the "lookback")
 *   max_terms: 1000       # default 1000 per key; the least recently seen term makes room
 * </pre>
 */
public final class NewTermKind implements RuleKind {
    static final Set<String> PARAMS = Set.of("field", "fields", "learning", "forget_after", "max_terms");
    static final long MAX_TERMS = 100_000;

    @Override
    public String name() {
        return "new_term";
    }

    @Override
    public boolean resolves() {
        return false; // each alert marks one moment
    }

    /** The labels {@link NewTermDetector} puts on its alerts, so a summary can name the new term. */
    @Override
    public List<String> templateNames() {
        return List.of("new_term.field", "new_term.value");
    }

    @Override
    public Detector compile(RuleSpec spec, Params p) {
        p.rejectUnknown(PARAMS);
        List<String> fields;
        if (p.has("field") && p.has("fields")) {
            p.problem("params.fields", "give either field or fields, not both", null);
            fields = List.of(p.string("field", ""));
        } else if (p.has("fields")) {
            fields = p.strings("fields");
            if (fields.isEmpty()) {
                p.problem("params.fields", "fields must name at least one field", null);
            }
        } else if (p.has("field")) {
            fields = List.of(p.string("field", ""));
        } else {
            p.problem(
                    "params",
                    "missing parameter 'field'",
                    "the field whose new values matter, e.g. field: source.geo.country_iso_code");
            fields = List.of();
        }
        for (String f : fields) {
            if (spec.keyBy.contains(f)) {
                p.problem(
                        p.has("field") ? "params.field" : "params.fields",
                        "field '" + f + "' is also a key_by field, so it never changes within a key",
                        null);
            }
        }
        Duration learning = p.duration("learning", Duration.ofDays(1));
        Duration forgetAfter = p.duration("forget_after", Duration.ofDays(30));
        if (forgetAfter.compareTo(learning) < 0) {
            p.problem(
                    "params.forget_after",
                    "forget_after must not be shorter than learning",
                    "terms learnt would be forgotten before learning ends");
        }
        long maxTerms = p.integer("max_terms", 1000, 1);
        if (maxTerms > MAX_TERMS) {
            p.problem("params.max_terms", "max_terms must be at most " + MAX_TERMS + ", not " + maxTerms, null);
            maxTerms = MAX_TERMS;
        }
        return new NewTermDetector(fields, learning.toMillis(), forgetAfter.toMillis(), (int) maxTerms);
    }
}
