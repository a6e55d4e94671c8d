package io.vigil.detect;

import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the rules that can match a record without testing the others: rules are indexed by the signals their
 * records may have ({@link CompiledRule#signals}: one for a {@code match:} block's, the steps' for a sequence), then by
 * one field they pin to a set of texts ({@code service.name: checkout}, {@code event.action: [ssh_login, sudo]};
 * {@link CompiledRule#pinned}: the {@code match:} block's, narrowed by what every step of a sequence pins). A record
 * meets the rules of its signal and the rules that pin no signal, plus, for each indexed field, the rules pinned to
 * the record's value of it: a hash lookup per indexed field, however many rules there are. A rule sits in one list of
 * each signal it is filed under (or in one list of no signal), and a record has one signal, so no rule is met twice.
 *
 * <p>The index only narrows: every candidate's full filter still runs, so a rule found here may still not match.
 * Immutable; rebuilt when the rules change.
 */
final class RuleIndex {
    /** Indexed fields are chosen by how few values the rule pins, then by this order (most selective first). */
    private static final List<String> PREFERRED = List.of("name", "event.action", "service.name");

    private static final CompiledRule[] NONE = new CompiledRule[0];

    private final Bucket[] bySignal = new Bucket[Signal.values().length];
    private final Bucket anySignal;

    RuleIndex(List<CompiledRule> rules) {
        Map<Signal, List<CompiledRule>> grouped = new LinkedHashMap<>();
        List<CompiledRule> any = new ArrayList<>();
        for (CompiledRule r : rules) {
            if (r.signals.isEmpty()) {
                any.add(r);
            }
            for (Signal s : r.signals) { // a record has one signal, so it meets a rule filed under several once
                grouped.computeIfAbsent(s, k -> new ArrayList<>()).add(r);
            }
        }
        for (Signal s : Signal.values()) {
            bySignal[s.ordinal()] = new Bucket(grouped.getOrDefault(s, List.of()));
        }
        anySignal = new Bucket(any);
    }

    /**
     * Appends to {@code out} every rule that may match the record, in rule order within each list. Allocates nothing:
     * the lists are arrays built with the index, and the caller reuses {@code out}.
     */
    void candidates(Telemetry t, List<CompiledRule> out) {
        if (t.signal != null) {
            bySignal[t.signal.ordinal()].candidates(t, out);
        }
        anySignal.candidates(t, out);
    }

    /** The field a rule is indexed by, or null when it pins none (it is then a candidate for every record). */
    static String indexField(Map<String, Set<String>> pinned) {
        String best = null;
        for (Map.Entry<String, Set<String>> e : pinned.entrySet()) {
            if (best == null
                    || better(
                            e.getKey(),
                            e.getValue().size(),
                            best,
                            pinned.get(best).size())) {
                best = e.getKey();
            }
        }
        return best;
    }

    private static boolean better(String field, int values, String than, int thanValues) {
        if (values != thanValues) {
            return values < thanValues;
        }
        int a = PREFERRED.indexOf(field);
        int b = PREFERRED.indexOf(than);
        return a >= 0 && (b < 0 || a < b);
    }

    /** The rules of one signal (or of none): those pinned by an indexed field, and the rest. */
    private static final class Bucket {
        final CompiledRule[] unindexed;
        final String[] fields;
        final List<Map<String, CompiledRule[]>> byValue;

        Bucket(List<CompiledRule> rules) {
            List<CompiledRule> rest = new ArrayList<>();
            Map<String, Map<String, List<CompiledRule>>> index = new LinkedHashMap<>();
            for (CompiledRule r : rules) {
                Map<String, Set<String>> pinned = r.pinned;
                String field = indexField(pinned);
                if (field == null) {
                    rest.add(r);
                    continue;
                }
                Map<String, List<CompiledRule>> values = index.computeIfAbsent(field, k -> new HashMap<>());
                for (String v : pinned.get(field)) {
                    values.computeIfAbsent(v, k -> new ArrayList<>()).add(r);
                }
            }
            unindexed = rest.toArray(NONE);
            fields = index.keySet().toArray(new String[0]);
            byValue = new ArrayList<>();
            for (Map<String, List<CompiledRule>> values : index.values()) {
                Map<String, CompiledRule[]> m = new HashMap<>();
                values.forEach((v, rs) -> m.put(v, rs.toArray(NONE)));
                byValue.add(m);
            }
        }

        void candidates(Telemetry t, List<CompiledRule> out) {
            for (CompiledRule r : unindexed) {
                out.add(r);
            }
            for (int i = 0; i < fields.length; i++) {
                String v = t.get(fields[i]);
                if (v == null) {
                    continue;
                }
                CompiledRule[] rs = byValue.get(i).get(v);
                if (rs != null) {
                    for (CompiledRule r : rs) {
                        out.add(r);
                    }
                }
            }
        }
    }
}
