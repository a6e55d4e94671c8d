package io.vigil.privacy;

import io.vigil.rules.RuleException;
import io.vigil.rules.RuleUpdate;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the privacy policy to one stream (the records before detection, or one family of outputs) and takes policy
 * changes from the rules' broadcast stream: an update keyed {@link RuleUpdate#PRIVACY_POLICY} holds the policy's YAML
 * ({@code vigil privacy push}). An invalid update is logged with its problems and the running policy stays; a deletion
 * goes back to the policy the job started with.
 *
 * <p>Counts every action and detector match as metrics: {@code privacy.action.<action>.applied} and {@code
 * privacy.detector.<detector>.matches} (Flink's key/value groups, so reporters label them).
 */
public final class PrivacyFunction<T> extends BroadcastProcessFunction<T, RuleUpdate, T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PrivacyFunction.class);

    /** Broadcast state: the policy YAML pushed while the job runs, under {@link RuleUpdate#PRIVACY_POLICY}. */
    public static final MapStateDescriptor<String, String> POLICY =
            new MapStateDescriptor<>("privacy-policy", Types.STRING, Types.STRING);

    /** What a redactor does to one element of the stream; null drops the element. */
    @FunctionalInterface
    public interface Redaction<T> extends Serializable {
        T apply(Redactor redactor, T value);
    }

    private final PrivacySettings settings;
    private final Redaction<T> redaction;

    private transient Redactor redactor;
    /** The pushed policy text the redactor was built from; null: the policy the job started with. */
    private transient String pushed;

    private transient Redactor.Tally tally;

    public PrivacyFunction(PrivacySettings settings, Redaction<T> redaction) {
        this.settings = settings;
        this.redaction = redaction;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        MetricGroup privacy = getRuntimeContext().getMetricGroup().addGroup("privacy");
        Map<String, Counter> counters = new HashMap<>();
        tally = (group, name) -> counters.computeIfAbsent(
                        group + "/" + name,
                        k -> privacy.addGroup(group, name).counter(group.equals("detector") ? "matches" : "applied"))
                .inc();
        redactor = new Redactor(settings.policy, settings.pseudonyms(settings.policy), tally);
        pushed = null;
    }

    @Override
    public void processElement(T value, ReadOnlyContext ctx, Collector<T> out) throws Exception {
        // After a restore the broadcast state holds the pushed policy while the redactor was built from the file's.
        String current = ctx.getBroadcastState(POLICY).get(RuleUpdate.PRIVACY_POLICY);
        if (current != null ? !current.equals(pushed) : pushed != null) {
            use(current);
        }
        T r = redaction.apply(redactor, value);
        if (r != null) {
            out.collect(r);
        }
    }

    @Override
    public void processBroadcastElement(RuleUpdate update, Context ctx, Collector<T> out) throws Exception {
        if (!RuleUpdate.PRIVACY_POLICY.equals(update.ruleId)) {
            return;
        }
        if (update.isDeletion()) {
            ctx.getBroadcastState(POLICY).remove(RuleUpdate.PRIVACY_POLICY);
            LOG.info("Privacy policy deleted from the rules topic; back to {}", settings.policy.source);
            use(null);
            return;
        }
        try {
            PrivacyPolicy p = PolicyLoader.parse(update.specJson, "rules topic " + RuleUpdate.PRIVACY_POLICY);
            if (p.usesHash()) {
                settings.key(); // fails here, not per record, when the new policy needs a key the job cannot read
            }
        } catch (RuleException | IllegalStateException e) {
            LOG.warn("Ignoring an invalid privacy policy update; the running policy stays: {}", e.getMessage());
            return;
        }
        ctx.getBroadcastState(POLICY).put(RuleUpdate.PRIVACY_POLICY, update.specJson);
        use(update.specJson);
        LOG.info("Privacy policy changed (pushed on the rules topic)");
    }

    private void use(String text) {
        PrivacyPolicy p = text == null ? settings.policy : PolicyLoader.parse(text, "rules topic");
        redactor = new Redactor(p, settings.pseudonyms(p), tally);
        pushed = text;
    }
}
