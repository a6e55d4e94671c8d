package io.vigil.detect;

import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleUpdate;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends each record to the keyed detectors once per key group among the rules it matches (the fraud-detection
 * "dynamic keying" pattern, grouped by key definition), carrying the ids of the matched rules, so one keyed operator
 * downstream runs every rule and rules can change while the job runs.
 *
 * <p>Only the rules the {@link RuleIndex} finds for a record are tested; a record that matches none costs a few hash
 * lookups and allocates nothing. A rule whose condition throws on odd data does not stop the job: the record is
 * reported on {@link #RULE_ERRORS} with the rule id and the error, counted, and the rule goes on for other records.
 */
public class RuleRouter extends BroadcastProcessFunction<Telemetry, RuleUpdate, Routed> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<RuleError> RULE_ERRORS = new OutputTag<>("rule-errors") {};

    private final RuleBook rules;
    private transient Counter routed;
    private transient Counter ruleErrors;
    /** Reused for every record: the candidates, then the ones that matched. */
    private transient List<CompiledRule> candidates;

    private transient List<CompiledRule> matched;

    public RuleRouter(RuleBook rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        routed = getRuntimeContext().getMetricGroup().counter("recordsRouted");
        ruleErrors = getRuntimeContext().getMetricGroup().counter("ruleEvaluationErrors");
        candidates = new ArrayList<>();
        matched = new ArrayList<>();
    }

    @Override
    public void processElement(Telemetry record, ReadOnlyContext ctx, Collector<Routed> out) throws Exception {
        candidates.clear();
        rules.candidates(record, ctx.getBroadcastState(RuleBook.RULES), candidates);
        if (candidates.isEmpty()) {
            return;
        }
        matched.clear();
        for (int i = 0; i < candidates.size(); i++) {
            CompiledRule r = candidates.get(i);
            try {
                if (r.filter.test(record)) {
                    matched.add(r);
                }
            } catch (RuntimeException e) {
                ruleErrors.inc();
                ctx.output(RULE_ERRORS, new RuleError(r.id(), record, String.valueOf(e.getMessage())));
            }
        }
        for (int i = 0; i < matched.size(); i++) {
            CompiledRule first = matched.get(i);
            if (first == null) {
                continue; // already sent with an earlier rule of its group
            }
            int size = 1;
            for (int j = i + 1; j < matched.size(); j++) {
                if (matched.get(j) != null && matched.get(j).keyGroup.equals(first.keyGroup)) {
                    size++;
                }
            }
            String[] ids = new String[size];
            ids[0] = first.id();
            for (int j = i + 1, n = 1; n < size; j++) {
                CompiledRule r = matched.get(j);
                if (r != null && r.keyGroup.equals(first.keyGroup)) {
                    ids[n++] = r.id();
                    matched.set(j, null);
                }
            }
            routed.inc();
            out.collect(new Routed(first.groupKeyOf(record), ids, record));
        }
    }

    @Override
    public void processBroadcastElement(RuleUpdate update, Context ctx, Collector<Routed> out) throws Exception {
        if (update.ruleId == null || update.ruleId.isEmpty()) {
            return;
        }
        rules.apply(update, ctx.getBroadcastState(RuleBook.RULES));
    }
}
