package io.vigil.detect;

import io.vigil.model.Telemetry;
import io.vigil.privacy.LivePolicy;
import io.vigil.privacy.PrivacyFunction;
import io.vigil.privacy.PrivacyPolicy.Stage;
import io.vigil.privacy.PrivacySettings;
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
 *
 * <p>With a privacy policy the router first applies its {@code before_detection} rules and emits each record as
 * redacted on {@link #TELEMETRY} for the stages that read telemetry beside the detectors
 * (rollups, incidents, CEP rules). It does this itself rather than behind a privacy operator of its own: both take
 * updates from the rules' broadcast stream, and an operator with a broadcast input cannot be chained to the one before
 * it, so a separate privacy operator cost every record a serialization round trip on its way to the router (a sixth of
 * the end-to-end job's time, docs/benchmarks.md). The pushed policy is kept in this operator's broadcast state
 * ({@link PrivacyFunction#POLICY}, beside {@link RuleBook#RULES}).
 *
 * <p>A job whose rules are fixed at start runs it inside a {@link FixedRuleRouter}, with no broadcast input, chained
 * into the source's task.
 */
public class RuleRouter extends BroadcastProcessFunction<Telemetry, RuleUpdate, Routed> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<RuleError> RULE_ERRORS = new OutputTag<>("rule-errors") {};

    /** Every record as the privacy policy's before-detection rules left it; only when the router has a policy. */
    public static final OutputTag<Telemetry> TELEMETRY = new OutputTag<>("telemetry-after-privacy") {};

    private final RuleBook rules;
    /** The before-detection privacy policy, or null when the job has none. */
    private final LivePolicy privacy;

    private transient Counter routed;
    private transient Counter ruleErrors;
    /** Reused for every record: the candidates, then the ones that matched. */
    private transient List<CompiledRule> candidates;

    private transient List<CompiledRule> matched;

    public RuleRouter(RuleBook rules) {
        this(rules, null);
    }

    /** @param privacy the job's privacy settings, or null: records are routed as they come */
    public RuleRouter(RuleBook rules, PrivacySettings privacy) {
        this.rules = rules;
        this.privacy = privacy == null ? null : new LivePolicy(privacy);
    }

    @Override
    public void open(OpenContext openContext) {
        routed = getRuntimeContext().getMetricGroup().counter("recordsRouted");
        ruleErrors = getRuntimeContext().getMetricGroup().counter("ruleEvaluationErrors");
        candidates = new ArrayList<>();
        matched = new ArrayList<>();
        if (privacy != null) {
            privacy.open(getRuntimeContext().getMetricGroup());
        }
    }

    @Override
    public void processElement(Telemetry record, ReadOnlyContext ctx, Collector<Routed> out) throws Exception {
        if (privacy != null) {
            record = privacy.redactor(ctx.getBroadcastState(PrivacyFunction.POLICY))
                    .telemetry(record, Stage.BEFORE_DETECTION);
            ctx.output(TELEMETRY, record);
        }
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
            long[] versions = new long[size];
            ids[0] = first.id();
            versions[0] = first.fingerprint;
            for (int j = i + 1, n = 1; n < size; j++) {
                CompiledRule r = matched.get(j);
                if (r != null && r.keyGroup.equals(first.keyGroup)) {
                    ids[n] = r.id();
                    versions[n++] = r.fingerprint;
                    matched.set(j, null);
                }
            }
            routed.inc();
            out.collect(new Routed(first.groupKeyOf(record), ids, versions, record));
        }
    }

    @Override
    public void processBroadcastElement(RuleUpdate update, Context ctx, Collector<Routed> out) throws Exception {
        if (update.ruleId == null || update.ruleId.isEmpty()) {
            return;
        }
        if (privacy != null) {
            privacy.update(update, ctx.getBroadcastState(PrivacyFunction.POLICY));
        }
        rules.apply(update, ctx.getBroadcastState(RuleBook.RULES));
    }
}
