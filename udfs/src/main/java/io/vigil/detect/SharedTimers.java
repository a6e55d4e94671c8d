package io.vigil.detect;

import io.vigil.rules.CompiledRule;
import java.util.Arrays;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;

/**
 * The rule versions due at each time of a key whose rules share timers: one timer per key and time, where each rule
 * version had a timer of its own in its own namespace.
 *
 * <p>Why: on RocksDB a timer is a write when it is set and a seek, a read and a delete when it fires (Flink keeps each
 * key group's earliest timers on the heap and refills them from RocksDB): 17 to 20% of the detectors' thread with 200
 * rules in a profile (docs/benchmarks.md). Rules of one key group mostly judge at the same instants (bucket and window
 * ends on the minute): the demo's day fired 614,000 timers at 64,700 keys and times with 200 copies of the starter
 * rules, and 97,000 for 64,300 with the starter rules alone. On the heap a timer costs no more than keeping its rule
 * versions here would, and each rule version keeps timers of its own.
 *
 * <p>What is due is one value per key, in the namespace of no rule version ({@link CompiledRule#NO_VERSION}), read and
 * written through the state cache like the detectors' own state: a map entry per key and time would have been
 * several thousand more entries for the cache to hold (its capacity counts entries), and one value is one read and
 * one write per key. It is a {@code long[]}: the number of its longs in use, then for each time with rule versions due
 * {@code time, n, version 1, ..., version n}, each version once (as Flink holds one timer per key, namespace and time),
 * in the order they joined; a key has a few dozen times at most (a rule's windows and buckets ahead), so the times are
 * searched in order. The array grows by doubling, as 200 rules joining one time would otherwise copy it 200 times.
 */
final class SharedTimers {
    /** The namespace of the shared timers and of what is due. */
    static final long NAMESPACE = CompiledRule.NO_VERSION;

    static final ValueStateDescriptor<long[]> DUE =
            new ValueStateDescriptor<>("vigil.timers.due", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);

    private SharedTimers() {}

    /** Adds {@code version} to those due at {@code time}; true when none were, and the key's timer is to be set. */
    static boolean add(ValueState<long[]> due, long time, long version) throws Exception {
        long[] list = due.value();
        if (list == null) {
            due.update(new long[] {4, time, 1, version});
            return true;
        }
        int used = used(list);
        int at = find(list, used, time);
        if (at < 0) {
            list = room(list, used, 3);
            list[used] = time;
            list[used + 1] = 1;
            list[used + 2] = version;
            list[0] = used + 3;
            due.update(list);
            return true;
        }
        int n = (int) list[at + 1];
        int end = at + 2 + n;
        for (int i = at + 2; i < end; i++) {
            if (list[i] == version) {
                return false;
            }
        }
        list = room(list, used, 1);
        System.arraycopy(list, end, list, end + 1, used - end);
        list[end] = version;
        list[at + 1] = n + 1;
        list[0] = used + 1;
        due.update(list);
        return false;
    }

    /**
     * Removes {@code version} from those due at {@code time}; true when it was the last, and the key's timer is to be
     * deleted.
     */
    static boolean remove(ValueState<long[]> due, long time, long version) throws Exception {
        long[] list = due.value();
        if (list == null) {
            return false;
        }
        int used = used(list);
        int at = find(list, used, time);
        if (at < 0) {
            return false;
        }
        int n = (int) list[at + 1];
        for (int i = at + 2; i < at + 2 + n; i++) {
            if (list[i] == version) {
                if (n == 1) {
                    cut(due, list, used, at, 3);
                    return true;
                }
                System.arraycopy(list, i + 1, list, i, used - i - 1);
                list[at + 1] = n - 1;
                list[0] = used - 1;
                due.update(list);
                return false;
            }
        }
        return false;
    }

    /** The versions due at {@code time}, in the order they joined, forgotten here. */
    static long[] take(ValueState<long[]> due, long time) throws Exception {
        long[] list = due.value();
        if (list == null) {
            return new long[0];
        }
        int used = used(list);
        int at = find(list, used, time);
        if (at < 0) {
            return new long[0];
        }
        int n = (int) list[at + 1];
        long[] versions = Arrays.copyOfRange(list, at + 2, at + 2 + n);
        cut(due, list, used, at, 2 + n);
        return versions;
    }

    /** Where {@code time}'s entry starts, or -1. */
    private static int find(long[] list, int used, long time) {
        int i = 1;
        while (i < used) {
            if (i + 1 == used) {
                throw corrupt(list, used); // a time with no count after it
            }
            long n = list[i + 1];
            if (n < 1 || i + 2 + n > used) {
                throw corrupt(list, used);
            }
            if (list[i] == time) {
                return i;
            }
            i += 2 + (int) n;
        }
        return -1;
    }

    /** Drops {@code length} longs at {@code at}; the value is cleared when nothing is left due. */
    private static void cut(ValueState<long[]> due, long[] list, int used, int at, int length) throws Exception {
        if (used - length == 1) {
            due.clear();
            return;
        }
        System.arraycopy(list, at + length, list, at, used - at - length);
        list[0] = used - length;
        due.update(list);
    }

    private static long[] room(long[] list, int used, int more) {
        return used + more <= list.length ? list : Arrays.copyOf(list, Math.max(2 * list.length, used + more));
    }

    private static int used(long[] list) {
        if (list.length == 0 || list[0] < 1 || list[0] > list.length) {
            throw corrupt(list, list.length == 0 ? 0 : (int) Math.min(list[0], Integer.MAX_VALUE));
        }
        return (int) list[0];
    }

    private static IllegalStateException corrupt(long[] list, int used) {
        return new IllegalStateException(
                "corrupt list of due rule versions: " + used + " longs in use of " + list.length);
    }
}
