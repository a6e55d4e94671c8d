package io.vigil.detect;

import java.util.Arrays;

/**
 * The state cache's table of what it knows of one map state's keys: an open-addressing table (linear probing) whose
 * probes compare one {@code long} per place. A {@code Long} key, the key of most detectors' maps (a pane's or a bucket's
 * start, a pending record's time), is compared by that value, so a lookup loads no boxed key and no hash node; other keys
 * by their hash first, then by {@code equals}.
 *
 * <p>Written here rather than kept a {@code HashMap}: with 200 rules on RocksDB, the state cache's {@code HashMap} calls
 * took 4.0% of the detectors' thread in a profile and this table's 1.5% (docs/benchmarks.md): a probe here loads a
 * long from an array and the value, where a {@code HashMap}'s loads the table, a node, the boxed key and the value, over
 * thousands of small maps. Vigil has no primitive-collections library, and this needs only find, put, remove and a
 * walk that may remove. (The cache's table of rule versions, {@code StateCache.KeySlots}, is keyed by a primitive
 * version it never boxes, and makes its slots as it finds them.)
 *
 * <p>Keys may be null. A table whose keys are all {@code Long}s compares them by value; a key of another class (or null)
 * turns it into a table of hashes and {@code equals} until it is empty again, when its next key decides anew.
 */
final class KeyTable<K, V> {
    /** Stands for the null key, so a free place is a null. */
    private static final Object NULL_KEY = new Object();

    /** Each place's key's value when the keys are {@code Long}s, else its hash. */
    private long[] tags = new long[8];

    private Object[] keys = new Object[8];
    private Object[] values = new Object[8];
    private int size;
    /** Whether every key is a {@code Long}, compared by its tag alone. */
    private boolean longKeys;

    int size() {
        return size;
    }

    V get(K key) {
        Object k = key == null ? NULL_KEY : key;
        if (longKeys && !(k instanceof Long)) {
            return null;
        }
        long tag = tag(k);
        int mask = keys.length - 1;
        for (int i = index(tag, mask); ; i = (i + 1) & mask) {
            Object held = keys[i];
            if (held == null) {
                return null;
            }
            if (tags[i] == tag && (longKeys || held.equals(k))) {
                return value(i);
            }
        }
    }

    void put(K key, V value) {
        Object k = key == null ? NULL_KEY : key;
        if (size == 0) {
            longKeys = k instanceof Long;
        } else if (longKeys && !(k instanceof Long)) {
            hashKeys();
        }
        long tag = tag(k);
        int mask = keys.length - 1;
        int i = index(tag, mask);
        for (; keys[i] != null; i = (i + 1) & mask) {
            if (tags[i] == tag && (longKeys || keys[i].equals(k))) {
                values[i] = value;
                return;
            }
        }
        keys[i] = k;
        tags[i] = tag;
        values[i] = value;
        if (++size * 3 > keys.length * 2) {
            resize(keys.length * 2);
        }
    }

    void remove(K key) {
        Object k = key == null ? NULL_KEY : key;
        if (longKeys && !(k instanceof Long)) {
            return;
        }
        long tag = tag(k);
        int mask = keys.length - 1;
        for (int i = index(tag, mask); keys[i] != null; i = (i + 1) & mask) {
            if (tags[i] == tag && (longKeys || keys[i].equals(k))) {
                removeAt(i);
                return;
            }
        }
    }

    void clear() {
        if (keys.length > 8) {
            tags = new long[8];
            keys = new Object[8];
            values = new Object[8];
        } else {
            Arrays.fill(keys, null);
            Arrays.fill(values, null);
        }
        size = 0;
    }

    /** The number of places, for a walk with {@link #keyAt} and {@link #valueAt}. */
    int places() {
        return keys.length;
    }

    /** Whether place {@code i} holds an entry. */
    boolean held(int i) {
        return keys[i] != null;
    }

    @SuppressWarnings("unchecked")
    K keyAt(int i) {
        Object k = keys[i];
        return k == NULL_KEY ? null : (K) k;
    }

    V valueAt(int i) {
        return value(i);
    }

    /** Decides, for an entry, whether the table keeps it. */
    interface Retainer<K, V, E extends Exception> {
        boolean keep(K key, V value) throws E;
    }

    /**
     * Calls {@code retainer} once for every entry and removes those it does not keep. The walk goes backwards in probe
     * order from a free place: removing an entry only moves entries that come after it in probe order, which the walk
     * has passed, into places it has passed, so no entry is skipped or seen twice.
     */
    <E extends Exception> void retain(Retainer<K, V, E> retainer) throws E {
        if (size == 0) {
            return;
        }
        int mask = keys.length - 1;
        int free = 0;
        while (keys[free] != null) {
            free++;
        }
        for (int i = (free - 1) & mask; i != free; i = (i - 1) & mask) {
            if (keys[i] != null && !retainer.keep(keyAt(i), value(i))) {
                removeAt(i);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private V value(int i) {
        return (V) values[i];
    }

    /** Empties place {@code i}, moving later entries of its probe run back so that every entry stays reachable. */
    private void removeAt(int i) {
        int mask = keys.length - 1;
        int gap = i;
        for (int j = (i + 1) & mask; keys[j] != null; j = (j + 1) & mask) {
            int home = index(tags[j], mask);
            // j may move to the gap when its home is not in the cyclic range (gap, j]
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                keys[gap] = keys[j];
                tags[gap] = tags[j];
                values[gap] = values[j];
                gap = j;
            }
        }
        keys[gap] = null;
        values[gap] = null;
        size--;
    }

    private void resize(int places) {
        long[] oldTags = tags;
        Object[] oldKeys = keys;
        Object[] oldValues = values;
        tags = new long[places];
        keys = new Object[places];
        values = new Object[places];
        int mask = places - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != null) {
                int i = index(oldTags[j], mask);
                while (keys[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                tags[i] = oldTags[j];
                values[i] = oldValues[j];
            }
        }
    }

    /** Tags every key by its hash, for keys that are not all {@code Long}s. */
    private void hashKeys() {
        longKeys = false;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                tags[i] = keys[i].hashCode();
            }
        }
        resize(keys.length);
    }

    private long tag(Object k) {
        return longKeys ? (Long) k : k.hashCode();
    }

    /** The home place of a tag; its bits are spread, as pane starts share their low bits. */
    private static int index(long tag, int mask) {
        long h = tag * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
