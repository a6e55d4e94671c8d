package io.vigil.rules;

import io.vigil.model.Telemetry;
import java.io.Serializable;

/**
 * A compiled condition on one telemetry record: a rule's {@code match} block, its CEL {@code where}, or both.
 * Serializable, so kinds compiled into the job graph (CEP) can ship a rule's filter to the tasks.
 */
@FunctionalInterface
public interface RecordFilter extends Serializable {
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
