package io.vigil.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testing.InMemoryValueState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link SharedTimers} keeps, per time, the rule versions due as a map of insertion-ordered sets would: checked against
 * one over random sequences of adds, removals and takes on a few times and versions, so times and versions repeat.
 */
class SharedTimersTest {
    /** One step: 0 adds, 1 removes, 2 takes; a time and a version drawn from a few each. */
    record Step(int op, long time, long version) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Combinators.combine(
                        Arbitraries.integers().between(0, 9),
                        Arbitraries.longs().between(-3, 5),
                        Arbitraries.longs().between(0, 40))
                .as((op, time, version) -> new Step(op < 6 ? 0 : op < 8 ? 1 : 2, time * 60_000 - 1, version));
        return step.list().ofMaxSize(300);
    }

    @Property(tries = 300)
    void keepsWhatAMapOfOrderedSetsKeeps(@ForAll("steps") List<Step> steps) throws Exception {
        InMemoryValueState<long[]> due = new InMemoryValueState<>();
        Map<Long, Set<Long>> model = new LinkedHashMap<>();
        for (Step s : steps) {
            switch (s.op()) {
                case 0 -> {
                    boolean first = !model.containsKey(s.time());
                    model.computeIfAbsent(s.time(), t -> new LinkedHashSet<>()).add(s.version());
                    assertEquals(first, SharedTimers.add(due, s.time(), s.version()), s.toString());
                }
                case 1 -> {
                    Set<Long> versions = model.get(s.time());
                    boolean last = versions != null && versions.size() == 1 && versions.contains(s.version());
                    if (versions != null) {
                        versions.remove(s.version());
                        if (versions.isEmpty()) {
                            model.remove(s.time());
                        }
                    }
                    assertEquals(last, SharedTimers.remove(due, s.time(), s.version()), s.toString());
                }
                default -> {
                    Set<Long> versions = model.remove(s.time());
                    long[] expected = versions == null
                            ? new long[0]
                            : versions.stream().mapToLong(Long::longValue).toArray();
                    assertArrayEquals(expected, SharedTimers.take(due, s.time()), s.toString());
                }
            }
            if (model.isEmpty()) {
                assertNull(due.value, "nothing due leaves no value");
            }
        }
        for (Map.Entry<Long, Set<Long>> e : new ArrayList<>(model.entrySet())) {
            long[] expected = e.getValue().stream().mapToLong(Long::longValue).toArray();
            assertArrayEquals(expected, SharedTimers.take(due, e.getKey()));
        }
        assertNull(due.value);
    }

    @Test
    void twoHundredRulesJoiningOneTimeSetOneTimer() throws Exception {
        InMemoryValueState<long[]> due = new InMemoryValueState<>();
        assertTrue(SharedTimers.add(due, 59_999, 1));
        for (long v = 2; v <= 200; v++) {
            assertFalse(SharedTimers.add(due, 59_999, v));
            assertFalse(SharedTimers.add(due, 59_999, v), "a version is due once");
        }
        assertTrue(SharedTimers.add(due, 119_999, 7), "another time needs a timer of its own");
        assertEquals(200, SharedTimers.take(due, 59_999).length);
        assertArrayEquals(new long[] {7}, SharedTimers.take(due, 119_999));
        assertNull(due.value);
    }

    @Test
    void aCorruptListIsReportedNotRead() {
        InMemoryValueState<long[]> due = new InMemoryValueState<>();
        due.value = new long[] {9, 59_999, 1, 5};
        assertThrows(IllegalStateException.class, () -> SharedTimers.take(due, 59_999));
        due.value = new long[] {4, 59_999, 3, 5};
        assertThrows(IllegalStateException.class, () -> SharedTimers.add(due, 59_999, 6));
        due.value = new long[] {6, 59_999, 1, 5, 119_999, 1}; // cut short after a time, where its count would be
        assertThrows(IllegalStateException.class, () -> SharedTimers.take(due, 119_999));
        due.value = new long[] {5, 59_999, 1, 5, 119_999};
        assertThrows(IllegalStateException.class, () -> SharedTimers.remove(due, 119_999, 5));
    }
}
