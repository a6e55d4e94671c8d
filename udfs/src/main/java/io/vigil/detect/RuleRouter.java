package io.vigil.detect;

import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleUpdate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends each record to every keyed rule it matches, keyed by rule and key values (the fraud-detection "dynamic keying"
 * pattern), so one keyed operator downstream runs all rules and rules can change while the job runs.
 *
 * <p>A rule whose condition throws on odd data does not stop the job: the record is reported on
 * {@link #RULE_ERRORS} with the rule id and the error, counted, and the rule goes on for other records.
 */
public class RuleRouter extends BroadcastProcessFunction<Telemetry, RuleUpdate, Routed> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<RuleError> RULE_ERRORS = new OutputTag<>("rule-errors") {};

    private final RuleBook rules;
    private transient Counter routed;
    private transient Counter ruleErrors;

    public RuleRouter(RuleBook rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        routed = getRuntimeContext().getMetricGroup().counter("recordsRouted");
        ruleErrors = getRuntimeContext().getMetricGroup().counter("ruleEvaluationErrors");
    }

    @Override
    public void processElement(Telemetry record, ReadOnlyContext ctx, Collector<Routed> out) throws Exception {
        for (CompiledRule r : rules.candidates(record, ctx.getBroadcastState(RuleBook.RULES))) {
            boolean match;
            try {
                match = r.filter.test(record);
            } catch (RuntimeException e) {
                ruleErrors.inc();
                ctx.output(RULE_ERRORS, new RuleError(r.id(), record, String.valueOf(e.getMessage())));
                continue;
            }
            if (match) {
                routed.inc();
                out.collect(new Routed(r.keyOf(record), record));
            }
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
