package io.vigil.rules;

import io.vigil.model.Telemetry;

/** A compiled condition on one telemetry record: a rule's {@code match} block, its CEL {@code where}, or both. */
@FunctionalInterface
public interface RecordFilter {
    RecordFilter ALL = t -> true;

    boolean test(Telemetry record);

    default RecordFilter and(RecordFilter other) {
        if (this == ALL) {
            return other;
        }
        if (other == ALL) {
            return this;
        }
        return t -> test(t) && other.test(t);
    }
}
