package io.vigil.detect;

import static io.vigil.detect.Specs.MIN;
import static io.vigil.detect.Specs.SEC;
import static io.vigil.detect.Specs.T0;
import static io.vigil.detect.Specs.latency;
import static io.vigil.detect.Specs.span;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vigil.model.Alert;
import io.vigil.rules.RuleSpec;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RunnableFuture;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.AbstractKeyedStateBackend;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.memory.MemCheckpointStreamFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The heap backend's map view skips the put of the object its last read returned (changed in place); these tests show
 * every other write still lands, and that a snapshot taken before such a change does not see it.
 */
class UserFacingStatesTest {

    /** Map state over a plain map, counting the writes that reach it. */
    private static final class CountingMapState implements MapState<Long, double[]> {
        final Map<Long, double[]> map = new HashMap<>();
        int writes;

        @Override
        public double[] get(Long key) {
            return map.get(key);
        }

        @Override
        public void put(Long key, double[] value) {
            writes++;
            map.put(key, value);
        }

        @Override
        public void putAll(Map<Long, double[]> m) {
            writes++;
            map.putAll(m);
        }

        @Override
        public void remove(Long key) {
            writes++;
            map.remove(key);
        }

        @Override
        public boolean contains(Long key) {
            return map.containsKey(key);
        }

        @Override
        public Iterable<Map.Entry<Long, double[]>> entries() {
            return map.entrySet();
        }

        @Override
        public Iterable<Long> keys() {
            return map.keySet();
        }

        @Override
        public Iterable<double[]> values() {
            return map.values();
        }

        @Override
        public Iterator<Map.Entry<Long, double[]>> iterator() {
            return map.entrySet().iterator();
        }

        @Override
        public boolean isEmpty() {
            return map.isEmpty();
        }

        @Override
        public void clear() {
            map.clear();
        }
    }

    @Test
    void onlyThePutOfTheObjectJustReadUnderItsKeyIsSkipped() throws Exception {
        CountingMapState state = new CountingMapState();
        UserFacingStates.MapView<Long, double[]> view = new UserFacingStates.MapView<>(state);
        double[] a = {1};
        view.put(1L, a);
        assertEquals(1, state.writes, "a new entry is written");

        double[] read = view.get(1L);
        read[0] = 2;
        view.put(1L, read);
        assertEquals(1, state.writes, "the object read, changed in place, is the stored one");
        view.put(1L, read);
        assertEquals(1, state.writes, "and stays so until something else is written");

        view.put(2L, read);
        assertEquals(2, state.writes, "under another key it is a new entry");
        view.put(1L, read);
        assertEquals(3, state.writes, "after another write the view no longer vouches for key 1");

        read = view.get(1L);
        view.remove(1L);
        view.put(1L, read);
        assertEquals(5, state.writes, "a removed entry is put back");
        assertArrayEquals(new double[] {2}, state.map.get(1L));

        read = view.get(1L);
        view.put(1L, new double[] {3});
        assertEquals(6, state.writes, "another object under the key is written");

        read = view.get(1L);
        view.forget(); // handed out again: another key or rule version may be current
        view.put(1L, read);
        assertEquals(7, state.writes, "after forget() the read is not trusted");

        assertNull(view.get(9L));
        view.put(9L, null);
        assertEquals(8, state.writes, "null read is no stored object");

        read = view.get(1L);
        view.entries().iterator();
        view.put(1L, read);
        assertEquals(9, state.writes, "entries can be changed through the iteration");

        read = view.get(1L);
        Iterator<Long> keys = view.keys().iterator();
        keys.next();
        keys.remove();
        view.put(1L, read);
        assertEquals(10, state.writes, "an entry removed through the keys is put back");
        assertArrayEquals(new double[] {3}, state.map.get(1L));

        read = view.get(1L);
        view.clear();
        view.put(1L, read);
        assertEquals(11, state.writes, "a cleared entry is put back");
        assertArrayEquals(new double[] {3}, state.map.get(1L));
    }

    /**
     * A checkpoint of the heap backend is written after its synchronous part, while records go on changing state; the
     * copy-on-write map then hands the detectors a copy to change in place. A snapshot in flight while later records
     * change a pane in place (and their puts are skipped) restores to the pane as it was when it was taken.
     */
    @ParameterizedTest
    @ValueSource(strings = {"avg", "p95"})
    void aSnapshotInFlightDoesNotSeeChangesMadeInPlaceAfterIt(String aggregate) throws Exception {
        RuleSpec r = latency("aggregate", aggregate);
        DetectorHarness h = DetectorHarness.running(r);
        h.record(r, span(T0 + SEC, "checkout", 150));
        h.record(r, span(T0 + 2 * SEC, "checkout", 200));

        AbstractKeyedStateBackend<?> backend =
                (AbstractKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend();
        RunnableFuture<SnapshotResult<KeyedStateHandle>> inFlight = backend.snapshot(
                2L, 2L, new MemCheckpointStreamFactory(1 << 20), CheckpointOptions.forCheckpointWithDefaultLocation());
        h.record(r, span(T0 + 3 * SEC, "checkout", 1000)); // the same pane, changed after the snapshot began
        h.record(r, span(T0 + 4 * SEC, "checkout", 2000));
        inFlight.run();
        KeyedStateHandle taken = inFlight.get().getJobManagerOwnedSnapshot();

        h.watermark(T0 + MIN - 1);
        List<Alert> live = h.alerts();
        assertEquals(1, live.size());
        assertEquals(aggregate.equals("avg") ? 837.5 : 2000.0, live.get(0).observed, 1e-9, "all four records");

        DetectorHarness restored = DetectorHarness.restored(
                OperatorSubtaskState.builder().setManagedKeyedState(taken).build(), r);
        restored.watermark(T0 + MIN - 1);
        List<Alert> fromSnapshot = restored.alerts();
        assertEquals(1, fromSnapshot.size());
        assertEquals(
                aggregate.equals("avg") ? 175.0 : 200.0,
                fromSnapshot.get(0).observed,
                1e-9,
                "the two records before the snapshot only");
        restored.close();
        h.close();
    }
}
