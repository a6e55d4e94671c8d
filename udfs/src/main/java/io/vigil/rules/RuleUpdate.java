package io.vigil.rules;

/**
 * A change to the running rule set, as it arrives on the broadcast stream (from the rules topic): the rule's JSON, or
 * null when the rule was deleted. A POJO so Flink serializes it without Kryo.
 */
public class RuleUpdate {
    /**
     * The key of the privacy policy on the rules topic ({@code vigil privacy push}): not a rule, so the rule operators
     * skip it and the stages that apply the policy take it ({@code io.vigil.privacy.LivePolicy}).
     */
    public static final String PRIVACY_POLICY = "_privacy";

    public String ruleId;
    /** {@link RuleCodec} JSON of the rule, null for a deletion. */
    public String specJson;

    public RuleUpdate() {}

    public RuleUpdate(String ruleId, String specJson) {
        this.ruleId = ruleId;
        this.specJson = specJson;
    }

    public static RuleUpdate of(RuleSpec spec) {
        return new RuleUpdate(spec.id, RuleCodec.toJson(spec));
    }

    public static RuleUpdate deletion(String ruleId) {
        return new RuleUpdate(ruleId, null);
    }

    /** Whether this update is a rule's (and not the privacy policy's). */
    public boolean isRule() {
        return !PRIVACY_POLICY.equals(ruleId);
    }

    public boolean isDeletion() {
        return specJson == null;
    }
}
