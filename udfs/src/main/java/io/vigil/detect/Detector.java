package io.vigil.detect;

import io.vigil.model.Telemetry;
import java.util.List;
import org.apache.flink.api.common.state.StateDescriptor;

/**
 * Evaluates one rule for one key at a time inside the shared {@link DetectorOperator}. The operator is keyed by rule
 * and key, so all state a detector reads or writes through its {@link DetectorContext} belongs to the current rule and
 * key; timers likewise.
 *
 * <p>A detector object holds only its rule's settings (never per-key data): one instance serves every key of its
 * rule in an operator instance. What it may assume about the stream: records arrive in no particular event-time order,
 * late records (older than the current watermark) can arrive and should be counted as late where they can no longer
 * count, and event-time timers fire once the watermark passes them.
 */
public interface Detector {
    /** A record that matched the rule, routed to the rule's key. */
    void onRecord(Telemetry record, DetectorContext ctx) throws Exception;

    /** An event-time timer registered through the context fired. */
    default void onTimer(long timestamp, DetectorContext ctx) throws Exception {}

    /**
     * Every keyed state this detector uses. The operator clears them for a key when the rule changed (a changed rule
     * starts from a clean state on purpose) and when the rule is deleted.
     */
    List<StateDescriptor<?, ?>> state();
}
