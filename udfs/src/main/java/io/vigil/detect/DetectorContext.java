package io.vigil.detect;

import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.rules.CompiledRule;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/** What a {@link Detector} can see and do for the current rule and key. */
public interface DetectorContext {
    CompiledRule rule();

    /** The routing key: rule id and key values. */
    String key();

    /** The rule's key_by fields and their values for the current key. */
    Map<String, String> keyFields();

    <T> ValueState<T> state(ValueStateDescriptor<T> descriptor);

    <K, V> MapState<K, V> mapState(MapStateDescriptor<K, V> descriptor);

    <T> ListState<T> listState(ListStateDescriptor<T> descriptor);

    long currentWatermark();

    void registerTimer(long eventTime);

    void deleteTimer(long eventTime);

    /** Counts a record that arrived too late to count (its window already fired). */
    void late();

    /**
     * A new alert for the current rule and key, with its stable id, rule fields, key, window and values filled in and
     * its annotations rendered; the detector may add evidence before {@link #emit}ting it.
     */
    Alert newAlert(long windowStart, long windowEnd, double observed, double expected, String comparison);

    void emit(Alert alert);

    void emit(Rollup rollup);
}
