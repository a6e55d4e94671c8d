package io.vigil.rules;

import io.vigil.detect.Detector;

/**
 * One kind of rule (threshold, frequency, slo, anomaly, ...). A kind reads and checks its parameters and builds the
 * {@link Detector} that evaluates one rule. Kinds are registered in {@link RuleKinds}; each lives in its own package
 * under {@code io.vigil.detect}.
 */
public interface RuleKind {
    String name();

    /**
     * Reads the rule's {@code params}, reporting every problem through {@code params}, and returns the detector for the
     * rule (which may be incomplete when there were problems: it is then never run).
     */
    Detector compile(RuleSpec spec, Params params);

    /**
     * True when rules of this kind run in the shared detector operator and so can be added, changed and removed while
     * the job runs. Kinds compiled into the job graph (CEP sequences) return false and implement {@link GraphRuleKind}.
     */
    default boolean hotReloadable() {
        return true;
    }

    /**
     * True when this kind's firing alerts are later resolved (a condition that holds for a while); false for kinds whose
     * alerts mark one moment and are never resolved (a version change, a new term, a listed address, a matched
     * sequence). Incidents wait for the resolution of the first kind only.
     */
    default boolean resolves() {
        return true;
    }

    /**
     * True when this kind judges a condition that holds and clears over time, through the shared incident lifecycle
     * ({@link io.vigil.detect.Incidents}), so rules of it may set {@code for} and {@code keep_firing_for}. Kinds that
     * alert once per event (a change, a new term, a listed value, a sequence) have nothing to hold and return false.
     */
    default boolean judgesConditions() {
        return false;
    }

    /**
     * True when this rule runs in the shared detector operator: the kind's answer, unless the kind runs some shapes of
     * rule there and others in the job graph (sequences: a keyed state machine, or Flink CEP for the shapes that need
     * it).
     */
    default boolean hotReloadable(RuleSpec spec) {
        return hotReloadable();
    }

    /**
     * Names this kind adds to its alerts (as labels) that annotation templates may use, e.g. {@code new_term.value};
     * {@code vigil rules validate} accepts them besides the names every alert has.
     */
    default java.util.List<String> templateNames() {
        return java.util.List.of();
    }
}
