package io.vigil.incident;

import java.util.Arrays;

/**
 * A group key's recent error records in brief, one state value of {@link IncidentCorrelator} read and written whole:
 * the trace ids of its latest failed requests, oldest first, and how many records its error log buffer holds.
 *
 * <p>Why one value and not a map state of trace ids: to evict the oldest id the map had to be listed on every new id,
 * and on RocksDB a listing seeks past the tombstone of every id removed since the last compaction, so its cost grew
 * with the job's age. A few dozen ids read and written together cost one lookup and one write. The log count lets
 * the correlator append error logs without reading its buffer, and trim the buffer only when it holds twice the bound.
 *
 * <p>A Flink POJO (public fields, no-argument constructor): its serializer is Flink's, never Kryo.
 */
public class RecentErrors {
    /** Trace ids by the time they were seen, oldest first; ties in the order they arrived. */
    public String[] traceIds = new String[0];
    /** When each of {@link #traceIds} was seen (record time), in the same order. */
    public long[] seenAt = new long[0];
    /** Records in the correlator's error log buffer, which may hold up to twice its bound between trims. */
    public int logs;

    public RecentErrors() {}

    boolean hasTrace(String traceId) {
        for (String id : traceIds) {
            if (id.equals(traceId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds a trace id seen at {@code time} after those seen no later, then drops the oldest while more than
     * {@code max} are kept (so an id older than all {@code max} kept ones is dropped at once).
     */
    void addTrace(String traceId, long time, int max) {
        int at = traceIds.length;
        while (at > 0 && seenAt[at - 1] > time) {
            at--;
        }
        String[] ids = new String[traceIds.length + 1];
        long[] times = new long[ids.length];
        System.arraycopy(traceIds, 0, ids, 0, at);
        System.arraycopy(seenAt, 0, times, 0, at);
        ids[at] = traceId;
        times[at] = time;
        System.arraycopy(traceIds, at, ids, at + 1, traceIds.length - at);
        System.arraycopy(seenAt, at, times, at + 1, seenAt.length - at);
        int drop = Math.max(0, ids.length - max);
        traceIds = Arrays.copyOfRange(ids, drop, ids.length);
        seenAt = Arrays.copyOfRange(times, drop, times.length);
    }

    /** Drops the trace ids seen before {@code time}; true if there were any. */
    boolean dropTracesBefore(long time) {
        int drop = 0;
        while (drop < seenAt.length && seenAt[drop] < time) {
            drop++;
        }
        if (drop == 0) {
            return false;
        }
        traceIds = Arrays.copyOfRange(traceIds, drop, traceIds.length);
        seenAt = Arrays.copyOfRange(seenAt, drop, seenAt.length);
        return true;
    }

    boolean isEmpty() {
        return traceIds.length == 0 && logs == 0;
    }
}
