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
 * {@link CompiledRule#pinned}: the {@code match:} block's, narrowed by what every step of a sequence pins). Of the
 * fields a rule pins, it is filed under the one where a record is expected to meet the fewest rules (see
 * {@link #indexField}), so a pack whose rules share an action or metric name but each pin their own service files each
 * rule under its service, and a record meets only its service's rules, not every rule of the action. A record
 * meets the rules of its signal and the rules that pin no signal, plus, for each indexed field, the rules pinned to
 * the record's value of it: a hash lookup per indexed field, however many rules there are. A rule sits in one list of
 * each signal it is filed under (or in one list of no signal), and a record has one signal, so no rule is met twice.
 *
 * <p>The index only narrows: every candidate's full filter still runs, so a rule found here may still not match.
 * Immutable; rebuilt when the rules change.
 */
final class RuleIndex {
    /**
     * On a tie (as many rules expected for each field, and the rule pins as many values of each), the field earlier in
     * this order is chosen (most selective first).
     */
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

    /**
     * The field a rule is indexed by, or null when it pins none (it is then a candidate for every record): the one
     * where a record is expected to meet the fewest rules. Filed under a field, the rule sits in a list with the other
     * rules pinned to its values ({@code pinnedBy}: how many rules of the bucket pin each value of each field), which a
     * record meets when it has that value; records are taken to spread evenly over the values the rules pin (the
     * textbook estimate of an equality's selectivity, one over the number of distinct values, taken from the rules
     * since the index does not see the data). So {@code event.outcome: success}, pinned by two rules but one of only two
     * outcomes, loses to {@code event.action: ssh_login}, pinned by seven rules among dozens of actions, and a service
     * pinned by one rule among a thousand wins over both. Ties go to the field with fewer values, then by
     * {@link #PREFERRED}.
     */
    static String indexField(Map<String, Set<String>> pinned, Map<String, Map<String, Integer>> pinnedBy) {
        String best = null;
        double bestRules = 0;
        for (Map.Entry<String, Set<String>> e : pinned.entrySet()) {
            Map<String, Integer> byValue = pinnedBy.get(e.getKey());
            long pinning = 0;
            for (String v : e.getValue()) {
                pinning += byValue.get(v);
            }
            double rules = (double) pinning / byValue.size(); // the rules a record meets, on average over the values
            if (best == null
                    || rules < bestRules
                    || (rules == bestRules
                            && better(
                                    e.getKey(),
                                    e.getValue().size(),
                                    best,
                                    pinned.get(best).size()))) {
                best = e.getKey();
                bestRules = rules;
            }
        }
        return best;
    }

    /** How many of {@code rules} pin each value of each field. */
    static Map<String, Map<String, Integer>> pinnedBy(List<CompiledRule> rules) {
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        for (CompiledRule r : rules) {
            r.pinned.forEach((field, values) -> {
                Map<String, Integer> byValue = counts.computeIfAbsent(field, k -> new HashMap<>());
                for (String v : values) {
                    byValue.merge(v, 1, Integer::sum);
                }
            });
        }
        return counts;
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
            Map<String, Map<String, Integer>> pinnedBy = pinnedBy(rules);
            for (CompiledRule r : rules) {
                Map<String, Set<String>> pinned = r.pinned;
                String field = indexField(pinned, pinnedBy);
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
