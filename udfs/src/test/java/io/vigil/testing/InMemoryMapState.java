package io.vigil.testing;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.MapState;

/**
 * A backend's map state for unit tests, kept in a sorted map, that counts how often it is listed (its entries, keys
 * or values read in full), which on RocksDB is a seek through the key's entries, how often a key is read, and how often
 * one is removed (on RocksDB a write, even of a key it does not hold).
 */
public final class InMemoryMapState<K extends Comparable<K>, V> implements MapState<K, V> {
    private final TreeMap<K, V> entries = new TreeMap<>();
    private int listings;
    private int reads;
    private int removals;

    /** A copy of the entries now. */
    public Map<K, V> entriesNow() {
        return new TreeMap<>(entries);
    }

    /** How often the state was listed so far. */
    public int listings() {
        return listings;
    }

    /** How often a key was read ({@code get} or {@code contains}) so far. */
    public int reads() {
        return reads;
    }

    /** How often a key was removed so far, whether the state held it or not. */
    public int removals() {
        return removals;
    }

    @Override
    public V get(K key) {
        reads++;
        return entries.get(key);
    }

    @Override
    public void put(K key, V value) {
        entries.put(key, value);
    }

    @Override
    public void putAll(Map<K, V> map) {
        entries.putAll(map);
    }

    @Override
    public void remove(K key) {
        removals++;
        entries.remove(key);
    }

    @Override
    public boolean contains(K key) {
        reads++;
        return entries.containsKey(key);
    }

    @Override
    public Iterable<Map.Entry<K, V>> entries() {
        listings++;
        return new TreeMap<>(entries).entrySet();
    }

    @Override
    public Iterable<K> keys() {
        listings++;
        return new ArrayList<>(entries.keySet());
    }

    @Override
    public Iterable<V> values() {
        listings++;
        return new ArrayList<>(entries.values());
    }

    @Override
    public Iterator<Map.Entry<K, V>> iterator() {
        return entries().iterator();
    }

    @Override
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public void clear() {
        entries.clear();
    }
}
