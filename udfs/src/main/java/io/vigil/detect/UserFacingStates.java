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

    /** A map state whose views read as empty when nothing is stored. */
    static final class MapView<K, V> implements MapState<K, V> {
        final MapState<K, V> state;

        MapView(MapState<K, V> state) {
            this.state = state;
        }

        @Override
        public V get(K key) throws Exception {
            return state.get(key);
        }

        @Override
        public void put(K key, V value) throws Exception {
            state.put(key, value);
        }

        @Override
        public void putAll(Map<K, V> map) throws Exception {
            state.putAll(map);
        }

        @Override
        public void remove(K key) throws Exception {
            state.remove(key);
        }

        @Override
        public boolean contains(K key) throws Exception {
            return state.contains(key);
        }

        @Override
        public Iterable<Map.Entry<K, V>> entries() throws Exception {
            Iterable<Map.Entry<K, V>> e = state.entries();
            return e == null ? Collections.emptyList() : e;
        }

        @Override
        public Iterable<K> keys() throws Exception {
            Iterable<K> k = state.keys();
            return k == null ? Collections.emptyList() : k;
        }

        @Override
        public Iterable<V> values() throws Exception {
            Iterable<V> v = state.values();
            return v == null ? Collections.emptyList() : v;
        }

        @Override
        public Iterator<Map.Entry<K, V>> iterator() throws Exception {
            Iterator<Map.Entry<K, V>> i = state.iterator();
            return i == null ? Collections.emptyIterator() : i;
        }

        @Override
        public boolean isEmpty() throws Exception {
            return state.isEmpty();
        }

        @Override
        public void clear() {
            state.clear();
        }
    }
}
