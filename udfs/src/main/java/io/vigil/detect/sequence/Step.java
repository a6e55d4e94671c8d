package io.vigil.detect.sequence;

import java.io.Serializable;
import java.util.Map;

/**
 * One step of a {@code sequence} rule as parsed from its parameters: which records it takes ({@link #match}, the same
 * syntax as a rule's {@code match} block, and {@link #where}, a CEL condition like a rule's, or null), how many ({@link #min} to {@link #max}, {@code max < 0} for no upper bound),
 * whether it may be skipped, how it follows the previous step, and whether it is an absence ({@link #absent}: the
 * sequence matches when no such record follows within the rule's {@code within}; only the last step can be one).
 */
record Step(
        String name,
        Map<String, Object> match,
        String where,
        int min,
        int max,
        boolean optional,
        Follows follows,
        boolean consecutive,
        boolean absent)
        implements Serializable {

    /** How a step's first record relates to the previous step's last one (Flink CEP contiguity). */
    enum Follows {
        /** {@code next}: immediately, no other record of the key in between. */
        STRICT,
        /** {@code followedBy}: later, other records may come in between (the default). */
        RELAXED,
        /** {@code followedByAny}: later, and every candidate starts its own match (costly; rarely what you want). */
        ANY
    }

    boolean looping() {
        return max != 1;
    }

    /** The quantifier as people read it: "x1", "x3", "x5+", "x2..4", with "?" when optional. */
    String quantifier() {
        String q = max < 0 ? "x" + min + "+" : min == max ? "x" + min : "x" + min + ".." + max;
        return optional ? q + "?" : q;
    }
}
