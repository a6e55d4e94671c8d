package io.vigil.detect.newterm;

import io.vigil.alert.AlertIds;
import io.vigil.alert.Templates;
import io.vigil.detect.Detector;
import io.vigil.detect.DetectorContext;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import io.vigil.rules.CompiledRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Remembers the terms seen per key, each with the event time it was last seen, and alerts on a term it does not know
 * once the key's learning period (from its first record, in event time) is over.
 *
 * <p>What it assumes about the stream: order does not matter much, since a term is new whenever it arrives first; a
 * record behind the watermark is still used (it still tells which terms exist) and may still alert. State is bounded
 * by {@code max_terms} per key (the least recently seen term makes room) and by time: one timer per key sweeps out
 * terms not seen for {@code forget_after} (event time, so replays of old data expire alike; Flink's state TTL counts
 * processing time), and when the last term goes the key's state goes too, learning included.
 */
final class NewTermDetector implements Detector {
    private static final MapStateDescriptor<String, Long> TERMS =
            new MapStateDescriptor<>("new_term.terms", Types.STRING, Types.LONG);
    private static final ValueStateDescriptor<Integer> SIZE = new ValueStateDescriptor<>("new_term.size", Types.INT);
    private static final ValueStateDescriptor<Long> LEARNING_ENDS =
            new ValueStateDescriptor<>("new_term.learningEnds", Types.LONG);
    private static final ValueStateDescriptor<Long> SWEEP = new ValueStateDescriptor<>("new_term.sweep", Types.LONG);

    private final List<String> fields;
    private final long learning;
    private final long forgetAfter;
    private final int maxTerms;

    NewTermDetector(List<String> fields, long learning, long forgetAfter, int maxTerms) {
        this.fields = List.copyOf(fields);
        this.learning = learning;
        this.forgetAfter = forgetAfter;
        this.maxTerms = maxTerms;
    }

    @Override
    public List<StateDescriptor<?, ?>> state() {
        return List.of(TERMS, SIZE, LEARNING_ENDS, SWEEP);
    }

    /** The record's term, or null when a field is missing (such a record says nothing about terms). */
    private String term(Telemetry t) {
        if (fields.size() == 1) {
            return t.get(fields.get(0));
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            String v = t.get(fields.get(i));
            if (v == null) {
                return null;
            }
            b.append(i == 0 ? "" : CompiledRule.KEY_SEPARATOR).append(v);
        }
        return b.toString();
    }

    @Override
    public void onRecord(Telemetry t, DetectorContext ctx) throws Exception {
        String term = term(t);
        if (term == null) {
            return;
        }
        ValueState<Long> learningEnds = ctx.state(LEARNING_ENDS);
        if (learningEnds.value() == null) {
            learningEnds.update(t.timestamp + learning);
        }
        MapState<String, Long> terms = ctx.mapState(TERMS);
        Long seen = terms.get(term);
        if (seen != null) {
            if (t.timestamp > seen) {
                terms.put(term, t.timestamp);
            }
            return;
        }
        ValueState<Integer> size = ctx.state(SIZE);
        int n = size.value() == null ? 0 : size.value();
        if (t.timestamp >= learningEnds.value()) {
            alert(t, term, n, ctx);
        }
        if (n >= maxTerms) {
            evictLeastRecent(terms);
        } else {
            size.update(n + 1);
        }
        terms.put(term, t.timestamp);
        ValueState<Long> sweep = ctx.state(SWEEP);
        if (sweep.value() == null) {
            long at = t.timestamp + forgetAfter;
            ctx.registerTimer(at);
            sweep.update(at);
        }
    }

    private void alert(Telemetry t, String term, int known, DetectorContext ctx) {
        Alert a = ctx.newAlert(t.timestamp, t.timestamp + 1, known, 0, "new");
        // One alert per new term: the term is part of the id, so two new terms at the same instant stay apart.
        a.id = AlertIds.of(a.ruleId, a.key + CompiledRule.KEY_SEPARATOR + term, t.timestamp, t.timestamp + 1);
        a.incidentId = a.id;
        String shown = term.replace(CompiledRule.KEY_SEPARATOR, '/');
        a.labels.put("new_term.field", String.join("/", fields));
        a.labels.put("new_term.value", shown);
        Templates.render(ctx.rule().spec, a); // again, so {{ new_term.value }} renders
        if (!ctx.rule().spec.annotations.containsKey("summary")) {
            a.message = a.ruleName + " for " + keyText(ctx.keyFields()) + ": new " + String.join("/", fields) + " '"
                    + shown + "' (" + known + " known)";
        }
        a.evidence.add(TelemetryJson.write(t));
        ctx.emit(a);
    }

    private static String keyText(Map<String, String> keyFields) {
        List<String> parts = new ArrayList<>();
        keyFields.forEach((k, v) -> parts.add(k + "=" + v));
        return parts.isEmpty() ? "all records" : String.join(", ", parts);
    }

    private static void evictLeastRecent(MapState<String, Long> terms) throws Exception {
        String oldest = null;
        long oldestSeen = Long.MAX_VALUE;
        for (Map.Entry<String, Long> e : terms.entries()) {
            if (e.getValue() < oldestSeen) {
                oldestSeen = e.getValue();
                oldest = e.getKey();
            }
        }
        if (oldest != null) {
            terms.remove(oldest);
        }
    }

    @Override
    public void onTimer(long timestamp, DetectorContext ctx) throws Exception {
        MapState<String, Long> terms = ctx.mapState(TERMS);
        List<String> expired = new ArrayList<>();
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<String, Long> e : terms.entries()) {
            if (e.getValue() <= timestamp - forgetAfter) {
                expired.add(e.getKey());
            } else {
                oldest = Math.min(oldest, e.getValue());
            }
        }
        for (String k : expired) {
            terms.remove(k);
        }
        ValueState<Integer> size = ctx.state(SIZE);
        int left = (size.value() == null ? 0 : size.value()) - expired.size();
        ValueState<Long> sweep = ctx.state(SWEEP);
        if (left <= 0 || oldest == Long.MAX_VALUE) {
            // Quiet for forget_after: forget the key entirely; it learns again if it comes back.
            terms.clear();
            size.clear();
            sweep.clear();
            ctx.state(LEARNING_ENDS).clear();
            return;
        }
        size.update(left);
        long at = oldest + forgetAfter;
        ctx.registerTimer(at);
        sweep.update(at);
    }
}
