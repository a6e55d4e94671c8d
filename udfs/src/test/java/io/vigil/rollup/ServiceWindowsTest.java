package io.vigil.rollup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vigil.testing.InMemoryMapState;
import io.vigil.testing.InMemoryValueState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * A timer finds the windows it emits from their starts, without listing the map state (on RocksDB a listing seeks past
 * every removed window's tombstone), and lists it only for windows saved before the starts were kept.
 */
class ServiceWindowsTest {
    private static final long MIN = 60_000;
    private final ServiceWindows spec = new ServiceWindows(MIN, 0);
    private final InMemoryMapState<Long, ServiceWindow> windows = new InMemoryMapState<>();
    private final InMemoryValueState<long[]> starts = new InMemoryValueState<>();
    private final List<ServiceWindow> out = new ArrayList<>();
    private final Collector<ServiceWindow> collector = new Collector<>() {
        @Override
        public void collect(ServiceWindow w) {
            out.add(w);
        }

        @Override
        public void close() {}
    };

    private void open(long start) throws Exception {
        windows.put(start, spec.empty("checkout", start));
        spec.opened(starts, start);
    }

    @Test
    void aTimerEmitsItsWindowsFromTheirStartsWithoutListingTheMap() throws Exception {
        open(2 * MIN);
        open(0);
        open(MIN);
        assertArrayEquals(new long[] {0, MIN, 2 * MIN}, starts.value);
        spec.emitDue(windows, starts, spec.fireAt(MIN), collector);
        assertEquals(List.of(0L, MIN), out.stream().map(w -> w.windowStart).toList(), "oldest first");
        assertEquals(0, windows.listings(), "the map state was not listed");
        assertArrayEquals(new long[] {2 * MIN}, starts.value);
        spec.emitDue(windows, starts, spec.fireAt(2 * MIN), collector);
        assertEquals(0, windows.listings());
        assertNull(starts.value, "no state is left once every window is emitted");
        assertEquals(Map.of(), windows.entriesNow());
    }

    @Test
    void windowsSavedWithoutTheirStartsAreListedOnceAndEmittedAsBefore() throws Exception {
        windows.put(0L, spec.empty("checkout", 0)); // saved by an earlier build: no starts
        windows.put(MIN, spec.empty("checkout", MIN));
        open(2 * MIN); // opened after the restore: its start is kept, the earlier two are not
        spec.emitDue(windows, starts, spec.fireAt(0), collector);
        assertEquals(1, windows.listings(), "the timer's own window was not among the starts: the map was listed");
        assertEquals(List.of(0L), out.stream().map(w -> w.windowStart).toList());
        assertArrayEquals(new long[] {MIN, 2 * MIN}, starts.value, "the listed starts are kept from now on");
        spec.emitDue(windows, starts, spec.fireAt(MIN), collector);
        spec.emitDue(windows, starts, spec.fireAt(2 * MIN), collector);
        assertEquals(1, windows.listings());
        assertEquals(
                List.of(0L, MIN, 2 * MIN), out.stream().map(w -> w.windowStart).toList());
        assertNull(starts.value);
    }
}
