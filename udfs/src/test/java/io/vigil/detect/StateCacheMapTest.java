package io.vigil.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vigil.testing.InMemoryMapState;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.junit.jupiter.api.Test;

/**
 * Map state through the {@link StateCache}, against an in-memory backend: removals before and after the cache knows
 * the whole map, and what reaches the backend when the cache writes back. ({@link StateCacheTest} runs the starter
 * rules over RocksDB; an SLO rule whose expired buckets stayed in the backend would still raise the same alerts, since
 * it expires them again.)
 */
class StateCacheMapTest {
    private static final MapStateDescriptor<Long, String> BUCKETS =
            new MapStateDescriptor<>("buckets", Types.LONG, Types.STRING);

    @Test
    void removedEntriesLeaveTheBackendAtTheFlushAndNeverComeBack() throws Exception {
        InMemoryMapState<Long, String> backendMap = new InMemoryMapState<>();
        backendMap.put(1L, "a");
        backendMap.put(2L, "b");
        backendMap.put(3L, "c");
        StateCache cache = new StateCache(backend(backendMap), 1_000);
        cache.enter("checkout", 7L);
        MapState<Long, String> m = cache.map(BUCKETS);

        m.remove(1L); // before the cache has read the map
        assertEquals(Map.of(2L, "b", 3L, "c"), contents(m)); // reads it all
        m.remove(2L); // now known in full
        m.put(4L, "d");
        m.remove(4L); // never in the backend
        m.remove(5L); // in neither
        m.put(6L, "f");
        assertEquals(Map.of(3L, "c", 6L, "f"), contents(m));
        assertFalse(m.contains(2L));
        assertNull(m.get(1L));
        assertEquals(Map.of(1L, "a", 2L, "b", 3L, "c"), backendMap.entriesNow(), "nothing written before the flush");

        cache.flush();
        assertEquals(Map.of(3L, "c", 6L, "f"), backendMap.entriesNow());
        cache.enter("checkout", 7L);
        assertEquals(Map.of(3L, "c", 6L, "f"), contents(cache.map(BUCKETS)));
    }

    @Test
    void aClearedMapKeepsOnlyWhatWasPutAfter() throws Exception {
        InMemoryMapState<Long, String> backendMap = new InMemoryMapState<>();
        backendMap.put(1L, "a");
        StateCache cache = new StateCache(backend(backendMap), 1_000);
        cache.enter("checkout", 7L);
        MapState<Long, String> m = cache.map(BUCKETS);
        m.clear();
        m.put(2L, "b");
        m.put(3L, "c");
        m.remove(3L);
        cache.flush();
        assertEquals(Map.of(2L, "b"), backendMap.entriesNow());
    }

    private static Map<Long, String> contents(MapState<Long, String> m) throws Exception {
        Map<Long, String> out = new TreeMap<>();
        for (Map.Entry<Long, String> e : m.entries()) {
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** One key and namespace's map: the test enters only one. */
    private static StateCache.Backend backend(InMemoryMapState<Long, String> map) {
        return new StateCache.Backend() {
            @Override
            @SuppressWarnings("unchecked")
            public <S extends State> S state(long namespace, StateDescriptor<S, ?> descriptor) {
                return (S) map;
            }

            @Override
            public void setCurrentKey(String key) {}
        };
    }
}
