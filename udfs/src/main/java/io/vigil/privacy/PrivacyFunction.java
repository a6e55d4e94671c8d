package io.vigil.privacy;

import io.vigil.rules.RuleUpdate;
import java.io.Serializable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Applies the privacy policy to one family of outputs, taking policy changes from the rules' broadcast stream (see
 * {@link LivePolicy}: what a pushed policy, an invalid one and a deletion do, and the metrics it counts).
 */
public final class PrivacyFunction<T> extends BroadcastProcessFunction<T, RuleUpdate, T> {
    private static final long serialVersionUID = 1L;

    /** Broadcast state: the policy YAML pushed while the job runs, under {@link RuleUpdate#PRIVACY_POLICY}. */
    public static final MapStateDescriptor<String, String> POLICY =
            new MapStateDescriptor<>("privacy-policy", Types.STRING, Types.STRING);

    /** What a redactor does to one element of the stream; null drops the element. */
    @FunctionalInterface
    public interface Redaction<T> extends Serializable {
        T apply(Redactor redactor, T value);
    }

    private final LivePolicy policy;
    private final Redaction<T> redaction;

    public PrivacyFunction(PrivacySettings settings, Redaction<T> redaction) {
        this.policy = new LivePolicy(settings);
        this.redaction = redaction;
    }

    @Override
    public void open(OpenContext context) {
        policy.open(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(T value, ReadOnlyContext ctx, Collector<T> out) throws Exception {
        T r = redaction.apply(policy.redactor(ctx.getBroadcastState(POLICY)), value);
        if (r != null) {
            out.collect(r);
        }
    }

    @Override
    public void processBroadcastElement(RuleUpdate update, Context ctx, Collector<T> out) throws Exception {
        policy.update(update, ctx.getBroadcastState(POLICY));
    }
}
