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

    /**
     * {@code map.put(key, value)}, for a key the detector knows {@code map} has no entry for now (it never put one, or
     * removed it). On RocksDB the state cache then knows the backend holds none either, so a removal of the key before
     * the next checkpoint writes nothing; after a plain put of a key it did not read, the cache must keep the removal
     * and write it as a delete (a threshold rule puts a chunk of pending values and removes it at each fold: with 200
     * rules those removals were seven in ten of the entries the cache held).
     */
    default <K, V> void putNew(MapState<K, V> map, K key, V value) throws Exception {
        if (map instanceof StateCache.CachedMapState<K, V> cached) {
            cached.putNew(key, value);
        } else {
            map.put(key, value);
        }
    }

    long currentWatermark();

    void registerTimer(long eventTime);

    /**
     * Sets the timers that judge the sliding windows ({@code window} ms long, one every {@code slide} ms) a new pane
     * starting at {@code pane} is in: one at each window's end - 1 still ahead of the watermark. When the pane before it
     * is held, only the last window's: for a detector that creates a pane only while its last window is still to be
     * judged and drops it only at that judgement, the pane before (or, the same way, one before that) set the others
     * when it was created, each still ahead of the watermark then, and the watermark only moves on. On RocksDB each
     * registration is a write, whether the timer was set already or not.
     */
    default void registerPaneTimers(long pane, long slide, long window, boolean paneBeforeHeld) {
        long lastEnd = pane + window;
        for (long end = paneBeforeHeld ? lastEnd : pane + slide; end <= lastEnd; end += slide) {
            if (end - 1 > currentWatermark()) {
                registerTimer(end - 1);
            }
        }
    }

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
