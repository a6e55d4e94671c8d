package io.vigil.detect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/**
 * A write-back cache of the detectors' keyed state, for backends where every state access is a serialization round
 * trip (RocksDB, the cluster's backend). A rule's detector reads and writes its state many times per key between
 * checkpoints (a threshold's pane on every record, a flatline's buckets at every boundary), and in RocksDB each of
 * those is a JNI call, a key serialization and a value (de)serialization; here they are map lookups, and each state a
 * detector touched is written back once, when {@link #flush} runs: before a checkpoint's barrier, when the cache holds
 * more than its capacity, and before the operator reads or clears state across keys.
 *
 * <p>A cached value is the object the detector last stored, as the heap backend hands out: detectors already run on
 * both backends, so they store what they change. Map state is cached entry by entry; iterating a map loads its
 * remaining entries once. Nothing is read from the backend twice between flushes.
 *
 * <p>Written here rather than taken from a library: Flink's state backends have no write-back layer for operator code
 * (the ForSt backend's caches hold serialized bytes, so every access still (de)serializes), and the cache must be
 * flushed exactly at the operator's barrier, which only the operator knows.
 */
final class StateCache {
    /** Opens a state of the backend in a rule version's namespace for the backend's current key. */
    interface Backend {
        <S extends State> S state(long namespace, StateDescriptor<S, ?> descriptor) throws Exception;

        void setCurrentKey(String key);
    }

    /** One rule version's states for one key. */
    private record Slot(String key, long namespace) {}

    private final Backend backend;
    private final int capacity;
    private final Map<Slot, Map<String, Cached>> slots = new HashMap<>();
    /** Values, map entries and list items held, counted as they are added. */
    private int size;

    private Slot slot;
    private Map<String, Cached> current;

    /**
     * @param capacity values, map entries and list items held before everything is written back: bounds the heap the
     *     cache takes when checkpoints are rare
     */
    StateCache(Backend backend, int capacity) {
        this.backend = backend;
        this.capacity = capacity;
    }

    /** Points the cache at a rule version and the backend's current key (which must be {@code key}). */
    void enter(String key, long namespace) {
        if (slot == null || slot.namespace != namespace || !slot.key.equals(key)) {
            slot = new Slot(key, namespace);
            current = null;
        }
    }

    boolean full() {
        return size > capacity;
    }

    /**
     * Writes every changed state back to the backend and empties the cache. Leaves the backend's current key wherever
     * the last write put it: callers in the middle of a record or timer set it back.
     */
    void flush() throws Exception {
        for (Map.Entry<Slot, Map<String, Cached>> e : slots.entrySet()) {
            Slot s = e.getKey();
            boolean keySet = false;
            for (Cached c : e.getValue().values()) {
                if (c.dirty()) {
                    if (!keySet) {
                        backend.setCurrentKey(s.key);
                        keySet = true;
                    }
                    c.writeBack(backend.state(s.namespace, c.descriptor()));
                }
            }
        }
        slots.clear();
        slot = null;
        current = null;
        size = 0;
    }

    @SuppressWarnings("unchecked")
    <T> ValueState<T> value(ValueStateDescriptor<T> d) {
        Cached c = states().get(d.getName());
        if (c == null) {
            c = new CachedValue<>(d);
            current.put(d.getName(), c);
        }
        return (ValueState<T>) c;
    }

    @SuppressWarnings("unchecked")
    <K, V> MapState<K, V> map(MapStateDescriptor<K, V> d) {
        Cached c = states().get(d.getName());
        if (c == null) {
            c = new CachedMap<>(d);
            current.put(d.getName(), c);
        }
        return (MapState<K, V>) c;
    }

    @SuppressWarnings("unchecked")
    <T> ListState<T> list(ListStateDescriptor<T> d) {
        Cached c = states().get(d.getName());
        if (c == null) {
            c = new CachedList<>(d);
            current.put(d.getName(), c);
        }
        return (ListState<T>) c;
    }

    private Map<String, Cached> states() {
        if (current == null) {
            current = slots.computeIfAbsent(slot, s -> new HashMap<>(8));
        }
        return current;
    }

    /** The backend's state of the current slot; the backend's current key is the slot's while a detector runs. */
    private <S extends State> S stored(StateDescriptor<S, ?> d) {
        try {
            return backend.state(slot.namespace, d);
        } catch (Exception e) {
            throw new IllegalStateException("cannot open keyed state " + d.getName(), e);
        }
    }

    private abstract static class Cached {
        abstract StateDescriptor<?, ?> descriptor();

        abstract boolean dirty();

        abstract void writeBack(State stored) throws Exception;
    }

    private final class CachedValue<T> extends Cached implements ValueState<T> {
        private final ValueStateDescriptor<T> descriptor;
        private boolean loaded;
        private boolean dirty;
        private T value;

        CachedValue(ValueStateDescriptor<T> descriptor) {
            this.descriptor = descriptor;
        }

        @Override
        public T value() throws IOException {
            if (!loaded) {
                value = stored(descriptor).value();
                loaded = true;
                size++;
            }
            return value;
        }

        @Override
        public void update(T v) {
            if (!loaded) {
                loaded = true;
                size++;
            }
            value = v;
            dirty = true;
        }

        @Override
        public void clear() {
            update(null);
        }

        @Override
        StateDescriptor<?, ?> descriptor() {
            return descriptor;
        }

        @Override
        boolean dirty() {
            return dirty;
        }

        @Override
        @SuppressWarnings("unchecked")
        void writeBack(State stored) throws Exception {
            ValueState<T> s = (ValueState<T>) stored;
            if (value == null) {
                s.clear();
            } else {
                s.update(value);
            }
        }
    }

    /** Marks a map key known to have no entry (removed here, or absent in the backend). */
    private static final Object ABSENT = new Object();

    private final class CachedMap<K, V> extends Cached implements MapState<K, V> {
        private final MapStateDescriptor<K, V> descriptor;
        /** Entries known here: values, or {@link #ABSENT}. */
        private final Map<K, Object> known = new HashMap<>();

        private final Set<K> changed = new HashSet<>();
        /** Every entry of the map is in {@link #known}. */
        private boolean complete;
        /** The backend's entries are to be dropped before the changed ones are written. */
        private boolean cleared;

        CachedMap(MapStateDescriptor<K, V> descriptor) {
            this.descriptor = descriptor;
        }

        private Object lookup(K key) throws Exception {
            Object v = known.get(key);
            if (v != null || known.containsKey(key)) {
                return v;
            }
            if (complete) {
                return ABSENT;
            }
            MapState<K, V> s = stored(descriptor);
            v = s.get(key);
            if (v == null && !s.contains(key)) {
                v = ABSENT;
            }
            known.put(key, v);
            size++;
            return v;
        }

        @Override
        @SuppressWarnings("unchecked")
        public V get(K key) throws Exception {
            Object v = lookup(key);
            return v == ABSENT ? null : (V) v;
        }

        @Override
        public boolean contains(K key) throws Exception {
            return lookup(key) != ABSENT;
        }

        private void set(K key, Object v) {
            if (!known.containsKey(key)) {
                size++;
            }
            known.put(key, v);
            changed.add(key);
        }

        @Override
        public void put(K key, V value) {
            set(key, value);
        }

        @Override
        public void putAll(Map<K, V> map) {
            map.forEach(this::set);
        }

        @Override
        public void remove(K key) {
            if (complete && !known.containsKey(key)) {
                return; // nothing to remove
            }
            set(key, ABSENT);
        }

        @Override
        public void clear() {
            size -= known.size();
            known.clear();
            changed.clear();
            complete = true;
            cleared = true;
        }

        /** Loads the backend's entries not known here, once. */
        private void loadAll() throws Exception {
            if (complete) {
                return;
            }
            Iterable<Map.Entry<K, V>> stored = stored(descriptor).entries();
            if (stored != null) {
                for (Map.Entry<K, V> e : stored) {
                    if (!known.containsKey(e.getKey())) {
                        known.put(e.getKey(), e.getValue());
                        size++;
                    }
                }
            }
            complete = true;
        }

        /** The map's entries now, copied, so the detector may change the map while it iterates. */
        @SuppressWarnings("unchecked")
        private List<Map.Entry<K, V>> live() throws Exception {
            loadAll();
            List<Map.Entry<K, V>> out = new ArrayList<>(known.size());
            for (Map.Entry<K, Object> e : known.entrySet()) {
                if (e.getValue() != ABSENT) {
                    out.add(new Entry(e.getKey(), (V) e.getValue()));
                }
            }
            return out;
        }

        @Override
        public Iterable<Map.Entry<K, V>> entries() throws Exception {
            return live();
        }

        @Override
        public Iterable<K> keys() throws Exception {
            List<K> out = new ArrayList<>();
            for (Map.Entry<K, V> e : live()) {
                out.add(e.getKey());
            }
            return out;
        }

        @Override
        public Iterable<V> values() throws Exception {
            List<V> out = new ArrayList<>();
            for (Map.Entry<K, V> e : live()) {
                out.add(e.getValue());
            }
            return out;
        }

        @Override
        public Iterator<Map.Entry<K, V>> iterator() throws Exception {
            Iterator<Map.Entry<K, V>> it = live().iterator();
            return new Iterator<>() {
                private Map.Entry<K, V> last;

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Map.Entry<K, V> next() {
                    last = it.next();
                    return last;
                }

                @Override
                public void remove() {
                    if (last == null) {
                        throw new IllegalStateException("next() was not called");
                    }
                    CachedMap.this.remove(last.getKey());
                    last = null;
                }
            };
        }

        @Override
        public boolean isEmpty() throws Exception {
            loadAll();
            for (Object v : known.values()) {
                if (v != ABSENT) {
                    return false;
                }
            }
            return true;
        }

        @Override
        StateDescriptor<?, ?> descriptor() {
            return descriptor;
        }

        @Override
        boolean dirty() {
            return cleared || !changed.isEmpty();
        }

        @Override
        @SuppressWarnings("unchecked")
        void writeBack(State stored) throws Exception {
            MapState<K, V> s = (MapState<K, V>) stored;
            if (cleared) {
                s.clear();
            }
            for (K key : changed) {
                Object v = known.get(key);
                if (v == ABSENT) {
                    if (!cleared) {
                        s.remove(key);
                    }
                } else {
                    s.put(key, (V) v);
                }
            }
        }

        /** An entry whose value set writes through to the map, as the backends' entries do. */
        private final class Entry implements Map.Entry<K, V> {
            private final K key;
            private V value;

            Entry(K key, V value) {
                this.key = key;
                this.value = value;
            }

            @Override
            public K getKey() {
                return key;
            }

            @Override
            public V getValue() {
                return value;
            }

            @Override
            public V setValue(V v) {
                V old = value;
                value = v;
                put(key, v);
                return old;
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof Map.Entry<?, ?> e
                        && Objects.equals(key, e.getKey())
                        && Objects.equals(value, e.getValue());
            }

            @Override
            public int hashCode() {
                return Objects.hashCode(key) ^ Objects.hashCode(value);
            }
        }
    }

    private final class CachedList<T> extends Cached implements ListState<T> {
        private final ListStateDescriptor<T> descriptor;
        /** The whole list; null until read. */
        private List<T> items;
        /** Items added since the last flush and not yet in the backend, while the list is not {@link #replaced}. */
        private final List<T> appended = new ArrayList<>();
        /** The backend's list is to be replaced by {@link #items}. */
        private boolean replaced;

        CachedList(ListStateDescriptor<T> descriptor) {
            this.descriptor = descriptor;
        }

        @Override
        public Iterable<T> get() throws Exception {
            if (items == null) {
                Iterable<T> stored = stored(descriptor).get();
                items = new ArrayList<>();
                if (stored != null) {
                    for (T t : stored) {
                        items.add(t);
                    }
                }
                items.addAll(appended);
                size += items.size() - appended.size();
            }
            return Collections.unmodifiableList(items);
        }

        @Override
        public void add(T value) {
            Objects.requireNonNull(value, "list state takes no null");
            if (items != null) {
                items.add(value);
            }
            if (!replaced) {
                appended.add(value);
            }
            size++;
        }

        @Override
        public void addAll(List<T> values) {
            for (T v : values) {
                add(v);
            }
        }

        @Override
        public void update(List<T> values) {
            size -= items != null ? items.size() : appended.size();
            items = new ArrayList<>(values.size());
            for (T v : values) {
                items.add(Objects.requireNonNull(v, "list state takes no null"));
            }
            size += items.size();
            appended.clear();
            replaced = true;
        }

        @Override
        public void clear() {
            update(List.of());
        }

        @Override
        StateDescriptor<?, ?> descriptor() {
            return descriptor;
        }

        @Override
        boolean dirty() {
            return replaced || !appended.isEmpty();
        }

        @Override
        @SuppressWarnings("unchecked")
        void writeBack(State stored) throws Exception {
            ListState<T> s = (ListState<T>) stored;
            if (replaced) {
                s.update(items);
            } else {
                s.addAll(appended);
            }
        }
    }
}
