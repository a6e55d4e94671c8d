package io.vigil.rules;

/**
 * A change to the running rule set, as it arrives on the broadcast stream (from the rules topic): the rule's JSON, or
 * null when the rule was deleted. A POJO so Flink serializes it without Kryo.
 */
public class RuleUpdate {
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

    public boolean isDeletion() {
        return specJson == null;
    }
}
