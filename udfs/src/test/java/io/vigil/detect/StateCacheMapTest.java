package io.vigil.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        MapState<Long, String> m = buckets(cache);

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
        assertEquals(Map.of(3L, "c", 6L, "f"), contents(buckets(cache)));
    }

    @Test
    void aClearedMapKeepsOnlyWhatWasPutAfter() throws Exception {
        InMemoryMapState<Long, String> backendMap = new InMemoryMapState<>();
        backendMap.put(1L, "a");
        StateCache cache = new StateCache(backend(backendMap), 1_000);
        MapState<Long, String> m = buckets(cache);
        m.clear();
        m.put(2L, "b");
        m.put(3L, "c");
        m.remove(3L);
        cache.flush();
        assertEquals(Map.of(2L, "b"), backendMap.entriesNow());
    }

    @Test
    void aKeyTheBackendDoesNotHoldIsNotRemovedThere() throws Exception {
        InMemoryMapState<Long, String> backendMap = new InMemoryMapState<>();
        backendMap.put(1L, "a");
        StateCache cache = new StateCache(backend(backendMap), 1_000);
        MapState<Long, String> m = buckets(cache);

        assertNull(m.get(2L)); // read: the backend has no entry
        m.put(2L, "b");
        m.remove(2L);
        m.put(3L, "c"); // not read: the backend may hold it
        m.remove(3L);
        m.remove(1L); // not read either, and held by the backend
        cache.flush();
        assertEquals(Map.of(), backendMap.entriesNow());
        assertEquals(2, backendMap.removals(), "keys 3 and 1 removed in the backend, 2 not");
    }

    @Test
    void keysPutAndRemovedBeforeTheBackendHeldThemDoNotFillTheCache() throws Exception {
        InMemoryMapState<Long, String> backendMap = new InMemoryMapState<>();
        StateCache cache = new StateCache(backend(backendMap), 2);
        MapState<Long, String> m = buckets(cache);
        assertEquals(Map.of(), contents(m)); // the map is known whole: new keys are not in the backend
        for (long k = 0; k < 10; k++) {
            m.put(k, "v" + k);
            m.remove(k);
            assertFalse(cache.full(), "key " + k);
        }
        m.put(10L, "v10");
        cache.flush();
        assertEquals(Map.of(10L, "v10"), backendMap.entriesNow());
        assertEquals(0, backendMap.removals());
    }

    @Test
    void aKeyPutAsNewAndRemovedIsNeverWrittenButOneTheBackendHoldsIsRemovedThere() throws Exception {
        InMemoryMapState<Long, String> backendMap = new InMemoryMapState<>();
        backendMap.put(1L, "a");
        StateCache cache = new StateCache(backend(backendMap), 1_000);
        StateCache.CachedMapState<Long, String> m = (StateCache.CachedMapState<Long, String>) buckets(cache);

        m.putNew(2L, "b"); // never read, but the caller knows the map has no entry
        m.remove(2L);
        m.remove(1L); // not read: kept as a removal
        m.putNew(1L, "a2"); // the map has no entry now, the backend still does
        m.remove(1L);
        m.putNew(3L, "c");
        assertEquals(0, backendMap.reads(), "nothing read");
        cache.writeBackAndKeep();
        assertEquals(Map.of(3L, "c"), backendMap.entriesNow());
        assertEquals(1, backendMap.removals(), "key 1 removed in the backend, 2 not");

        m = (StateCache.CachedMapState<Long, String>) buckets(cache);
        m.remove(3L); // written at the write-back: the backend holds it now
        m.putNew(4L, "d");
        cache.flush();
        assertEquals(Map.of(4L, "d"), backendMap.entriesNow());
        assertEquals(2, backendMap.removals());
        assertEquals(0, backendMap.reads());
    }

    @Test
    void writingBackForACheckpointKeepsWhatTheCacheHolds() throws Exception {
        InMemoryMapState<Long, String> backendMap = new InMemoryMapState<>();
        backendMap.put(1L, "a");
        StateCache cache = new StateCache(backend(backendMap), 1_000);
        MapState<Long, String> m = buckets(cache);
        assertEquals("a", m.get(1L));
        assertNull(m.get(2L));
        m.put(2L, "b");
        m.put(3L, "c");
        m.remove(3L);
        int reads = backendMap.reads();

        cache.writeBackAndKeep();
        assertEquals(Map.of(1L, "a", 2L, "b"), backendMap.entriesNow());
        m = buckets(cache);
        assertEquals("a", m.get(1L));
        assertEquals("b", m.get(2L));
        assertEquals(reads, backendMap.reads(), "answered from the cache");
        assertNull(m.get(3L));

        m.remove(2L); // written at the last write-back: the backend holds it now
        m.put(4L, "d");
        cache.writeBackAndKeep();
        assertEquals(Map.of(1L, "a", 4L, "d"), backendMap.entriesNow());
        cache.flush();
        assertEquals(Map.of(1L, "a", 4L, "d"), contents(buckets(cache)));
    }

    @Test
    void aMapClearedBeforeACheckpointIsNotClearedAgainAfterIt() throws Exception {
        InMemoryMapState<Long, String> backendMap = new InMemoryMapState<>();
        backendMap.put(1L, "a");
        StateCache cache = new StateCache(backend(backendMap), 1_000);
        MapState<Long, String> m = buckets(cache);
        m.clear();
        m.put(2L, "b");
        cache.writeBackAndKeep();
        assertEquals(Map.of(2L, "b"), backendMap.entriesNow());
        buckets(cache).put(3L, "c");
        cache.writeBackAndKeep();
        assertEquals(Map.of(2L, "b", 3L, "c"), backendMap.entriesNow());
    }

    @Test
    void aFullCacheForgetsKeysReadAsAbsentBeforeItWritesEverythingBack() throws Exception {
        InMemoryMapState<Long, String> backendMap = new InMemoryMapState<>();
        backendMap.put(1L, "a");
        StateCache cache = new StateCache(backend(backendMap), 8);
        MapState<Long, String> m = buckets(cache);
        assertEquals("a", m.get(1L));
        m.put(2L, "b");
        for (long k = 10; k < 17; k++) {
            assertNull(m.get(k)); // as a sequence rule's expiry timer finds no pending records
        }
        assertTrue(cache.full());
        assertFalse(cache.makeRoom(), "forgetting the absent keys made room");
        assertFalse(cache.full());
        int reads = backendMap.reads();
        assertEquals("a", m.get(1L));
        assertEquals("b", m.get(2L));
        assertEquals(reads, backendMap.reads(), "what was read or changed is still held");
        assertEquals(Map.of(1L, "a"), backendMap.entriesNow(), "nothing written");
        assertNull(m.get(10L));
        assertTrue(backendMap.reads() > reads, "a forgotten key is read again");

        for (long k = 20; k < 27; k++) {
            m.put(k, "v" + k);
        }
        assertTrue(cache.full());
        assertTrue(cache.makeRoom(), "changes are only written back");
        assertEquals(9, backendMap.entriesNow().size());
        assertFalse(cache.full());
    }

    @Test
    void aCacheOverItsCapacityIsEmptiedAtTheCheckpoint() throws Exception {
        InMemoryMapState<Long, String> backendMap = new InMemoryMapState<>();
        StateCache cache = new StateCache(backend(backendMap), 2);
        MapState<Long, String> m = buckets(cache);
        m.put(1L, "a");
        m.put(2L, "b");
        m.put(3L, "c");
        assertTrue(cache.full());
        cache.writeBackAndKeep();
        assertFalse(cache.full());
        assertEquals(Map.of(1L, "a", 2L, "b", 3L, "c"), backendMap.entriesNow());
        int reads = backendMap.reads();
        assertEquals("a", buckets(cache).get(1L));
        assertEquals(reads + 1, backendMap.reads(), "read from the backend again");
    }

    /**
     * Many rule versions under each of a few keys, entered in turn as a record's matched rules are: each (key,
     * version) keeps its own states in the cache, as the backend does after the write-back. Versions 0 and the
     * negative ones are real fingerprints too.
     */
    @Test
    void everyRuleVersionOfAKeyKeepsItsOwnStates() throws Exception {
        Map<String, InMemoryMapState<Long, String>> backendMaps = new TreeMap<>();
        String[] current = {null};
        StateCache.Backend backend = new StateCache.Backend() {
            @Override
            @SuppressWarnings("unchecked")
            public <S extends State> S state(long namespace, StateDescriptor<S, ?> descriptor) {
                return (S) backendMaps.computeIfAbsent(current[0] + "/" + namespace, k -> new InMemoryMapState<>());
            }

            @Override
            public void setCurrentKey(String key) {
                current[0] = key;
            }
        };
        StateCache cache = new StateCache(backend, 1_000_000);
        String[] keys = {"checkout", "cart", "payments"};
        long[] versions = new long[60];
        for (int v = 0; v < versions.length; v++) {
            // Equal in their low 44 bits: a table placing versions by their low bits alone would stack them all.
            versions[v] = (v - 30) * 0x1000_0000_0000L;
        }
        for (long version : versions) {
            for (String key : keys) {
                current[0] = key;
                cache.enter(key, version);
                cache.map(BUCKETS).put(version, key);
            }
        }
        for (String key : keys) {
            current[0] = key;
            for (long version : versions) {
                cache.enter(key, version);
                assertEquals(Map.of(version, key), contents(cache.map(BUCKETS)), key + " " + version);
            }
        }
        assertTrue(backendMaps.values().stream().allMatch(m -> m.entriesNow().isEmpty()), "nothing written yet");

        cache.flush();
        assertEquals(keys.length * versions.length, backendMaps.size());
        for (String key : keys) {
            for (long version : versions) {
                assertEquals(
                        Map.of(version, key),
                        backendMaps.get(key + "/" + version).entriesNow());
            }
        }
    }

    /** The map of the one key and rule version the tests use. */
    private static MapState<Long, String> buckets(StateCache cache) {
        cache.enter("checkout", 7L);
        return cache.map(BUCKETS);
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
