package io.vigil.detect;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;

/**
 * List and map state as a rule's detector expects them: empty, never null, when nothing is stored. Flink gives user
 * functions this view (its own wrappers are package-private); the detector operator reads namespaced state from the
 * keyed backend directly, which answers null for absent entries, so it wraps them here.
 */
final class UserFacingStates {
    private UserFacingStates() {}

    /** A list state that reads as an empty list when nothing is stored. */
    static final class ListView<T> implements ListState<T> {
        final ListState<T> state;

        ListView(ListState<T> state) {
            this.state = state;
        }

        @Override
        public Iterable<T> get() throws Exception {
            Iterable<T> items = state.get();
            return items == null ? Collections.emptyList() : items;
        }

        @Override
        public void add(T value) throws Exception {
            state.add(value);
        }

        @Override
        public void update(List<T> values) throws Exception {
            state.update(values);
        }

        @Override
        public void addAll(List<T> values) throws Exception {
            state.addAll(values);
        }

        @Override
        public void clear() {
            state.clear();
        }
    }

    /**
     * A map state of the heap backend whose views read as empty when nothing is stored, and which does not store again
     * the object it just read.
     *
     * <p>Detectors read an entry, change it in place and put it back (a bucket's counts, a pane's aggregates), as
     * state on any backend must be written back. On the heap backend the value {@link #get} returns is the stored
     * object itself, safe to change in place: while a snapshot is taken, the backend's copy-on-write map hands out a
     * fresh copy and keeps it as the live entry. Putting that same object back under the same key changes nothing, yet
     * looks the key and the namespace up once more and hashes the entry again: with 200 rules on the heap, puts were
     * 8% of the detectors' thread, most of them of that kind (docs/benchmarks.md, thirteenth session). So a put of the
     * object the last {@link #get} returned, under its key, is skipped; any other change, and {@link #forget} (the
     * operator calls it whenever the view is handed out, so under another key or rule version), ends that. Only the
     * heap backend gets this view; other backends' state is written back by {@link StateCache}.
     */
    static final class MapView<K, V> implements MapState<K, V> {
        final MapState<K, V> state;
        /** The key and value of the last {@link #get} since the view was handed out and nothing else changed it. */
        private K readKey;

        private V readValue;

        MapView(MapState<K, V> state) {
            this.state = state;
        }

        /** Forgets the entry last read: the view is handed out again, perhaps under another key or namespace. */
        void forget() {
            readKey = null;
            readValue = null;
        }

        @Override
        public V get(K key) throws Exception {
            V value = state.get(key);
            readKey = key;
            readValue = value;
            return value;
        }

        @Override
        public void put(K key, V value) throws Exception {
            if (value != null && value == readValue && key.equals(readKey)) {
                return; // the stored object itself, changed in place: see the class comment
            }
            forget();
            state.put(key, value);
        }

        @Override
        public void putAll(Map<K, V> map) throws Exception {
            forget();
            state.putAll(map);
        }

        @Override
        public void remove(K key) throws Exception {
            forget();
            state.remove(key);
        }

        @Override
        public boolean contains(K key) throws Exception {
            return state.contains(key);
        }

        @Override
        public Iterable<Map.Entry<K, V>> entries() throws Exception {
            forget(); // an entry can be changed through them
            Iterable<Map.Entry<K, V>> e = state.entries();
            return e == null ? Collections.emptyList() : e;
        }

        @Override
        public Iterable<K> keys() throws Exception {
            forget(); // an entry can be removed through them
            Iterable<K> k = state.keys();
            return k == null ? Collections.emptyList() : k;
        }

        @Override
        public Iterable<V> values() throws Exception {
            forget(); // an entry can be changed through them
            Iterable<V> v = state.values();
            return v == null ? Collections.emptyList() : v;
        }

        @Override
        public Iterator<Map.Entry<K, V>> iterator() throws Exception {
            forget(); // an entry can be changed through them
            Iterator<Map.Entry<K, V>> i = state.iterator();
            return i == null ? Collections.emptyIterator() : i;
        }

        @Override
        public boolean isEmpty() throws Exception {
            return state.isEmpty();
        }

        @Override
        public void clear() {
            forget();
            state.clear();
        }
    }
}
