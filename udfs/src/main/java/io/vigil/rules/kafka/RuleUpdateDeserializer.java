package io.vigil.rules.kafka;

import io.vigil.kafka.KeyedUpdateDeserializer;
import io.vigil.rules.RuleCodec;
import io.vigil.rules.RuleKind;
import io.vigil.rules.RuleKinds;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import java.util.function.Function;

/**
 * Reads the rules topic: key = rule id, value = the rule's canonical JSON ({@link RuleCodec}), a null (tombstone) or
 * empty value = the rule was deleted. Records that cannot be a usable update are logged and dropped, never fail the
 * job: no key, JSON that is not a rule, a rule whose id differs from its key, and rules of kinds that are compiled into
 * the job graph (they change only through {@code bin/vigil deploy}). A rule that is JSON but does not compile is passed
 * on: the operators log it and keep the previous version running.
 */
public final class RuleUpdateDeserializer extends KeyedUpdateDeserializer<RuleUpdate> {
    private static final long serialVersionUID = 1L;

    public RuleUpdateDeserializer() {
        super(RuleUpdate.class, "the rules topic is keyed by rule id", "rule update", "");
    }

    @Override
    protected RuleUpdate removal(String id) {
        return RuleUpdate.deletion(id);
    }

    @Override
    protected RuleUpdate parse(String id, String json) {
        if (!RuleUpdate.PRIVACY_POLICY.equals(id)) { // the privacy operators check it; a bad one leaves theirs running
            String problem = check(id, json);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        return new RuleUpdate(id, json);
    }

    /** Why an update cannot be applied while the job runs, or null when it can. */
    public static String check(String id, String json) {
        return check(id, json, RuleKinds::get);
    }

    /** {@link #check(String, String)} against the given kinds (tests use kinds that are not registered). */
    static String check(String id, String json, Function<String, RuleKind> kinds) {
        RuleSpec spec;
        try {
            spec = RuleCodec.fromJson(json);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (!id.equals(spec.id)) {
            return "the record's key is '" + id + "' but the rule's id is '" + spec.id + "'";
        }
        RuleKind kind = kinds.apply(spec.kind);
        if (kind != null && !kind.hotReloadable(spec)) {
            return notHotReloadable(spec);
        }
        return null;
    }

    /** The message for a rule of a kind that is compiled into the job graph. */
    public static String notHotReloadable(RuleSpec spec) {
        String shape =
                "sequence".equals(spec.kind) ? " with a strict, any, consecutive or optional step (Flink CEP)" : "";
        return "rules of kind " + spec.kind + shape
                + " are compiled into the job graph and cannot change while the job runs;"
                + " put the rule in the job's rule files and run bin/vigil deploy (savepoint and resubmit)";
    }
}
