package io.vigil.detect;

import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import io.vigil.rules.RecordFilter;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /**
     * Which of the records the rule's {@code match} and {@code where} blocks take can change this detector's state, or
     * null for all of them: the router sends the rule only those. A sequence, for example, needs only records that one
     * of its steps takes.
     */
    default RecordFilter narrows() {
        return null;
    }

    /**
     * The signals of the records {@link #narrows} lets through, when the rule's {@code match} block names none, or an
     * empty set when they may have any: the router's rule index files the rule under each of them, so a record of
     * another signal never meets it.
     */
    default Set<Signal> signals() {
        return Set.of();
    }

    /**
     * Fields that every record {@link #narrows} lets through has with one of the given texts, as
     * {@code Match.pinnedValues} reads them from a {@code match} block: the router's rule index may file the rule under
     * one of them, so records with other values never meet it.
     */
    default Map<String, Set<String>> pinnedValues() {
        return Map.of();
    }
}
