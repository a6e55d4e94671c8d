package io.vigil.detect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * detector changed is written back once: before a checkpoint's barrier ({@link #writeBackAndKeep}, after which the
 * cache goes on holding the same states), and when the cache holds more than its capacity or the operator reads or
 * clears state across keys ({@link #flush}, which empties it).
 *
 * <p>A cached value is the object the detector last stored, as the heap backend hands out: detectors already run on
 * both backends, so they store what they change. Map state is cached entry by entry; iterating a map loads its
 * remaining entries once. Nothing is read from the backend twice until the cache is emptied.
 *
 * <p>Written here rather than taken from a library: Flink's state backends have no write-back layer for operator code
 * (the ForSt backend's caches hold serialized bytes, so every access still (de)serializes), and the cache must be
 * flushed exactly at the operator's barrier, which only the operator knows.
 */
final class StateCache {
    /** A cached map, which can be told that it has no entry for a key (see {@link DetectorContext#putNew}). */
    interface CachedMapState<K, V> extends MapState<K, V> {
        /** {@link #put}, where the caller knows the map has no entry for {@code key} now. */
        void putNew(K key, V value);
    }

    /** Opens a state of the backend in a rule version's namespace for the backend's current key. */
    interface Backend {
        <S extends State> S state(long namespace, StateDescriptor<S, ?> descriptor) throws Exception;

        void setCurrentKey(String key);
    }

    /** One rule version's states for one key, the few its detector uses, found by their descriptor. */
    private static final class Slot {
        final String key;
        final long namespace;
        Cached[] states = new Cached[4];
        /**
         * Each state's descriptor, beside the states, so a search loads no state: asking each state for its descriptor
         * (a virtual call) took 276 of the search's 670 samples, 6.4% of the detectors' thread with 200 rules on
         * RocksDB in a profile, and the search with this array 3.6% (docs/benchmarks.md).
         */
        StateDescriptor<?, ?>[] descriptors = new StateDescriptor<?, ?>[4];

        int count;

        Slot(String key, long namespace) {
            this.key = key;
            this.namespace = namespace;
        }

        /** The state of {@code d}: the same descriptor object first (detectors keep theirs in constants), then its name. */
        Cached find(StateDescriptor<?, ?> d) {
            for (int i = 0; i < count; i++) {
                if (descriptors[i] == d) {
                    return states[i];
                }
            }
            for (int i = 0; i < count; i++) {
                if (descriptors[i].getName().equals(d.getName())) {
                    return states[i];
                }
            }
            return null;
        }

        void add(Cached c, StateDescriptor<?, ?> d) {
            if (count == states.length) {
                states = Arrays.copyOf(states, count * 2);
                descriptors = Arrays.copyOf(descriptors, count * 2);
            }
            descriptors[count] = d;
            states[count++] = c;
        }
    }

    /**
     * One key's slots by rule version: an open-addressing table on the version itself. Written here rather than a
     * {@code HashMap<Long, Slot>}, which boxed the version and went through a lambda for every rule of every record
     * ({@code computeIfAbsent} 5.5% of the detectors' thread with 200 rules on RocksDB in a profile; the slot lookup
     * took about 4% fewer of the thread's samples with this table); Vigil has no primitive-keyed map library, and
     * this one needs only find-or-add and a walk.
     */
    private static final class KeySlots {
        /**
         * Each place's version, beside its slot although the slot knows it: a probe compares without loading the slot
         * (with the versions read from the slots instead, the lookup took 141 and 165 samples against 97 to 124, JFR
         * at 200 rules on RocksDB).
         */
        private long[] versions = new long[8];

        private Slot[] slots = new Slot[8];
        private int count;

        /** The slot of {@code version}, added for {@code key} when there is none. */
        Slot get(String key, long version) {
            int mask = slots.length - 1;
            for (int i = index(version, mask); ; i = (i + 1) & mask) {
                Slot s = slots[i];
                if (s == null) {
                    s = new Slot(key, version);
                    versions[i] = version;
                    slots[i] = s;
                    if (++count * 3 > slots.length * 2) {
                        grow();
                    }
                    return s;
                }
                if (versions[i] == version) {
                    return s;
                }
            }
        }

        /** The slots in table order (nulls are free places). */
        Slot[] table() {
            return slots;
        }

        private void grow() {
            Slot[] old = slots;
            slots = new Slot[old.length * 2];
            versions = new long[old.length * 2];
            int mask = slots.length - 1;
            for (Slot s : old) {
                if (s != null) {
                    int i = index(s.namespace, mask);
                    while (slots[i] != null) {
                        i = (i + 1) & mask;
                    }
                    slots[i] = s;
                    versions[i] = s.namespace;
                }
            }
        }

        /** Versions are fingerprints, but their low bits are spread anyway in case one is not. */
        private static int index(long version, int mask) {
            long h = version * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }
    }

    private final Backend backend;
    private final int capacity;
    /**
     * The slots by key, then by rule version. A record runs every rule it matched on one key, so the key's slots are
     * found once per record and each rule's among that key's only; one map of every (key, version) pair, tens of
     * thousands of them between flushes with 200 rules, missed the processor's caches at each rule (its lookups took 8%
     * of the detectors' thread on RocksDB in a profile).
     */
    private final Map<String, KeySlots> slots = new HashMap<>();
    /** Values, map entries and list items held, counted as they are added and dropped. */
    private int size;

    /** The key and rule version entered; their slot is found when a state is first asked for. */
    private String key;

    private long namespace;
    /** The slots of {@link #key}, or null until looked up. */
    private KeySlots keySlots;
    /** The slot of {@link #key} and {@link #namespace}, or null until looked up. */
    private Slot slot;

    /**
     * @param capacity values, map entries and list items held before everything is written back and dropped: bounds the
     *     heap the cache takes
     */
    StateCache(Backend backend, int capacity) {
        this.backend = backend;
        this.capacity = capacity;
    }

    /** Points the cache at a rule version and the backend's current key (which must be {@code key}). */
    void enter(String key, long namespace) {
        if (slot != null && slot.namespace == namespace && slot.key.equals(key)) {
            return;
        }
        if (this.key == null || !this.key.equals(key)) {
            keySlots = null;
        }
        this.key = key;
        this.namespace = namespace;
        slot = null;
    }

    boolean full() {
        return size > capacity;
    }

    /**
     * Makes room in a full cache: first by forgetting the keys it read as absent, which needs no write (a sequence rule
     * looks for pending records at each of its expiry timers and mostly finds none: with 200 rules those reads were
     * nearly a quarter of a full cache), then, if it is still more than three quarters full, by writing everything
     * back and emptying it ({@link #flush}), after which every state is read from the backend again. Forgetting walks
     * the cache, so it is kept for when it frees a quarter: the walks then cost no more per entry than the flushes.
     *
     * @return whether the cache was flushed, which leaves the backend's current key wherever the last write put it
     */
    boolean makeRoom() throws Exception {
        for (KeySlots ofKey : slots.values()) {
            for (Slot s : ofKey.table()) {
                if (s == null) {
                    continue;
                }
                for (int i = 0; i < s.count; i++) {
                    size -= s.states[i].forgetAbsent();
                }
            }
        }
        if (size > capacity - capacity / 4) {
            flush();
            return true;
        }
        return false;
    }

    /**
     * Writes every changed state back to the backend and empties the cache. Leaves the backend's current key wherever
     * the last write put it: callers in the middle of a record or timer set it back.
     */
    void flush() throws Exception {
        writeBack();
        slots.clear();
        keySlots = null;
        slot = null;
        size = 0;
    }

    /**
     * Writes every changed state back to the backend and keeps what the cache holds, as the backend now has it: for a
     * checkpoint's barrier, after which the same keys and rules go on (emptying the cache there had every state read
     * from RocksDB again after each checkpoint). The cache is still emptied when it holds more than its capacity.
     */
    void writeBackAndKeep() throws Exception {
        writeBack();
        if (full()) {
            flush();
        }
    }

    private void writeBack() throws Exception {
        for (KeySlots ofKey : slots.values()) {
            boolean keySet = false;
            for (Slot s : ofKey.table()) {
                if (s == null) {
                    continue;
                }
                for (int i = 0; i < s.count; i++) {
                    Cached c = s.states[i];
                    if (c.dirty()) {
                        if (!keySet) {
                            backend.setCurrentKey(s.key);
                            keySet = true;
                        }
                        c.writeBack(backend.state(s.namespace, s.descriptors[i]));
                    }
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    <T> ValueState<T> value(ValueStateDescriptor<T> d) {
        Slot at = slot();
        Cached c = at.find(d);
        if (c == null) {
            c = new CachedValue<>(at, d);
            at.add(c, d);
        }
        return (ValueState<T>) c;
    }

    @SuppressWarnings("unchecked")
    <K, V> MapState<K, V> map(MapStateDescriptor<K, V> d) {
        Slot at = slot();
        Cached c = at.find(d);
        if (c == null) {
            c = new CachedMap<>(at, d);
            at.add(c, d);
        }
        return (MapState<K, V>) c;
    }

    @SuppressWarnings("unchecked")
    <T> ListState<T> list(ListStateDescriptor<T> d) {
        Slot at = slot();
        Cached c = at.find(d);
        if (c == null) {
            c = new CachedList<>(at, d);
            at.add(c, d);
        }
        return (ListState<T>) c;
    }

    /** The slot of the key and rule version entered. */
    private Slot slot() {
        if (slot == null) {
            if (keySlots == null) {
                keySlots = slots.computeIfAbsent(key, k -> new KeySlots());
            }
            slot = keySlots.get(key, namespace);
        }
        return slot;
    }

    /**
     * The backend's state {@code d} of slot {@code at}; the backend's current key is the slot's while a detector runs.
     */
    private <S extends State> S stored(Slot at, StateDescriptor<S, ?> d) {
        try {
            return backend.state(at.namespace, d);
        } catch (Exception e) {
            throw new IllegalStateException("cannot open keyed state " + d.getName(), e);
        }
    }

    private abstract static class Cached {
        /** The key and rule version whose state this is. */
        final Slot at;

        Cached(Slot at) {
            this.at = at;
        }

        abstract boolean dirty();

        /** Writes the changes to {@code stored}; the state is then as the backend holds it, with nothing changed. */
        abstract void writeBack(State stored) throws Exception;

        /** Forgets what was read from the backend as absent and not changed since; returns how many entries. */
        abstract int forgetAbsent();
    }

    private final class CachedValue<T> extends Cached implements ValueState<T> {
        private final ValueStateDescriptor<T> descriptor;
        private boolean loaded;
        private boolean dirty;
        private T value;

        CachedValue(Slot at, ValueStateDescriptor<T> descriptor) {
            super(at);
            this.descriptor = descriptor;
        }

        @Override
        public T value() throws IOException {
            if (!loaded) {
                value = stored(at, descriptor).value();
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
        int forgetAbsent() {
            if (!loaded || dirty || value != null) {
                return 0;
            }
            loaded = false;
            return 1;
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
            dirty = false;
        }
    }

    /** Marks a map key known to have no entry (removed here, or absent in the backend). */
    private static final Object ABSENT = new Object();

    /** What the cache knows of one key of a map. */
    private static final class Known {
        /** The entry's value, or {@link #ABSENT}. */
        Object value;
        /** To be written back. */
        boolean changed;
        /**
         * The backend may hold an entry for the key: false when it was read as absent, or was put here after the map was
         * read whole or cleared. A removal of such a key is not written back, and the key is dropped from the cache; on
         * RocksDB every delete, even of a key it never held, is a write (a threshold rule's chunk of pending values is
         * put and removed between two write-backs: with 200 rules, the deletes took a sixth of the time the detectors'
         * thread spent in RocksDB's calls in a profile).
         */
        boolean stored;

        Known(Object value, boolean changed, boolean stored) {
            this.value = value;
            this.changed = changed;
            this.stored = stored;
        }
    }

    private final class CachedMap<K, V> extends Cached implements CachedMapState<K, V> {
        private final MapStateDescriptor<K, V> descriptor;
        /** Entries known here. */
        private final Map<K, Known> known = new HashMap<>();
        /** Known entries changed since the last write-back. */
        private int changed;
        /** Every entry of the map is in {@link #known}. */
        private boolean complete;
        /** The backend's entries are to be dropped before the changed ones are written. */
        private boolean cleared;

        CachedMap(Slot at, MapStateDescriptor<K, V> descriptor) {
            super(at);
            this.descriptor = descriptor;
        }

        private Object lookup(K key) throws Exception {
            Known k = known.get(key);
            if (k != null) {
                return k.value;
            }
            if (complete) {
                return ABSENT;
            }
            MapState<K, V> s = stored(at, descriptor);
            Object v = s.get(key);
            if (v == null && !s.contains(key)) {
                v = ABSENT;
            }
            known.put(key, new Known(v, false, v != ABSENT));
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

        /**
         * Sets the entry of {@code key}; a key not known here is taken to be held by the backend unless {@code absent}
         * (or the map is known whole).
         */
        private void set(K key, Object v, boolean absent) {
            Known k = known.get(key);
            if (k == null) {
                known.put(key, new Known(v, true, !complete && !absent));
                size++;
                changed++;
                return;
            }
            k.value = v;
            if (!k.changed) {
                k.changed = true;
                changed++;
            }
        }

        @Override
        public void put(K key, V value) {
            set(key, value, false);
        }

        /**
         * A key the cache does not know and the map has no entry for has none in the backend either (what the backend
         * holds is the map but for the changes known here), so removing it before the next write-back writes nothing.
         */
        @Override
        public void putNew(K key, V value) {
            set(key, value, true);
        }

        @Override
        public void putAll(Map<K, V> map) {
            map.forEach(this::put);
        }

        @Override
        public void remove(K key) {
            Known k = known.get(key);
            if (k == null ? complete : k.value == ABSENT && !k.stored) {
                return; // nothing to remove, here or in the backend
            }
            if (k != null && !k.stored) {
                // Nothing to write back: forgotten, it is not counted against the capacity (a threshold rule puts and
                // removes a chunk of pending values every few records). Read again, the backend has no entry.
                known.remove(key);
                size--;
                changed -= k.changed ? 1 : 0;
                return;
            }
            set(key, ABSENT, false);
        }

        @Override
        public void clear() {
            size -= known.size();
            known.clear();
            changed = 0;
            complete = true;
            cleared = true;
        }

        /** Loads the backend's entries not known here, once. */
        private void loadAll() throws Exception {
            if (complete) {
                return;
            }
            Iterable<Map.Entry<K, V>> stored = stored(at, descriptor).entries();
            if (stored != null) {
                for (Map.Entry<K, V> e : stored) {
                    Known k = known.get(e.getKey());
                    if (k == null) {
                        known.put(e.getKey(), new Known(e.getValue(), false, true));
                        size++;
                    } else {
                        k.stored = true;
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
            for (Map.Entry<K, Known> e : known.entrySet()) {
                Object v = e.getValue().value;
                if (v != ABSENT) {
                    out.add(new Entry(e.getKey(), (V) v));
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
            for (Known k : known.values()) {
                if (k.value != ABSENT) {
                    return false;
                }
            }
            return true;
        }

        @Override
        int forgetAbsent() {
            int forgotten = 0;
            for (Iterator<Known> it = known.values().iterator(); it.hasNext(); ) {
                Known k = it.next();
                if (k.value == ABSENT && !k.changed) { // a removal not written back yet is a change
                    it.remove();
                    forgotten++;
                }
            }
            return forgotten;
        }

        @Override
        boolean dirty() {
            return cleared || changed > 0;
        }

        @Override
        @SuppressWarnings("unchecked")
        void writeBack(State stored) throws Exception {
            MapState<K, V> s = (MapState<K, V>) stored;
            if (cleared) {
                s.clear();
            }
            for (Iterator<Map.Entry<K, Known>> it = known.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<K, Known> e = it.next();
                Known k = e.getValue();
                if (!k.changed) {
                    continue;
                }
                if (k.value != ABSENT) {
                    s.put(e.getKey(), (V) k.value);
                    k.changed = false;
                    k.stored = true;
                    continue;
                }
                if (k.stored && !cleared) {
                    s.remove(e.getKey());
                }
                it.remove(); // as after a removal of a key the backend did not hold
                size--;
            }
            changed = 0;
            cleared = false;
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

        CachedList(Slot at, ListStateDescriptor<T> descriptor) {
            super(at);
            this.descriptor = descriptor;
        }

        @Override
        public Iterable<T> get() throws Exception {
            if (items == null) {
                Iterable<T> stored = stored(at, descriptor).get();
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
        boolean dirty() {
            return replaced || !appended.isEmpty();
        }

        @Override
        int forgetAbsent() {
            return 0; // a list read as empty is one entry of none: nothing is counted for it
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
            if (items == null) {
                size -= appended.size(); // counted when added; unread, the list holds none of its items here now
            }
            replaced = false;
            appended.clear();
        }
    }
}
