package io.vigil.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyTable} holds what a {@code HashMap} would after the same puts, removals and walks that remove, whatever
 * its keys: pane starts that share their low bits (so probe runs are long and removals move entries), strings whose
 * hashes collide, and a null or a string among {@code Long}s.
 */
class KeyTablePropertiesTest {
    /** One step: 0 put, 1 remove, 2 get, 3 a walk that drops the entries whose value is odd. */
    record Step(int op, Object key, int value) {}

    @Property(tries = 300)
    void holdsWhatAHashMapHoldsAfterTheSameSteps(@ForAll("steps") List<Step> steps) {
        KeyTable<Object, Integer> table = new KeyTable<>();
        Map<Object, Integer> expected = new HashMap<>();
        for (Step s : steps) {
            switch (s.op()) {
                case 0 -> {
                    table.put(s.key(), s.value());
                    expected.put(s.key(), s.value());
                }
                case 1 -> {
                    table.remove(s.key());
                    expected.remove(s.key());
                }
                case 2 -> assertEquals(expected.get(s.key()), table.get(s.key()), "get " + s.key());
                default -> {
                    List<Object> seen = new ArrayList<>();
                    table.retain((k, v) -> {
                        seen.add(k);
                        return v % 2 == 0;
                    });
                    assertEquals(expected.size(), seen.size(), "each entry seen once");
                    assertEquals(expected.keySet(), new HashSet<>(seen));
                    expected.values().removeIf(v -> v % 2 != 0);
                }
            }
            assertEquals(expected, contents(table));
        }
        for (Object k : expected.keySet()) {
            assertEquals(expected.get(k), table.get(k));
        }
    }

    @Test
    void aLongTableFindsNoKeyOfAnotherClassAndTakesOneWithoutLosingItsOwn() {
        KeyTable<Object, String> table = new KeyTable<>();
        for (long pane = 0; pane < 50; pane++) {
            table.put(pane * 60_000, "p" + pane);
        }
        assertNull(table.get("0"));
        assertNull(table.get(null));
        table.put(null, "none");
        table.put("60000", "text");
        assertEquals(52, table.size());
        assertEquals("p1", table.get(60_000L));
        assertEquals("none", table.get(null));
        assertEquals("text", table.get("60000"));
        table.remove(null);
        assertNull(table.get(null));
        assertEquals("p49", table.get(49 * 60_000L));
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Object> panes = Arbitraries.longs().between(0, 40).map(p -> (Object) (p * 60_000L));
        // "Aa" and "BB" have the same hash, so every word of them does too
        Arbitrary<Object> colliding =
                Arbitraries.strings().withChars("AB").ofLength(4).map(KeyTablePropertiesTest::aaForBb);
        Arbitrary<Object> odd = Arbitraries.of("x", "y").map(o -> (Object) o).injectNull(0.5);
        Arbitrary<Object> keys = Arbitraries.frequencyOf(Tuple.of(8, panes), Tuple.of(4, colliding), Tuple.of(1, odd));
        Arbitrary<Step> step = Combinators.combine(
                        Arbitraries.frequency(Tuple.of(10, 0), Tuple.of(6, 1), Tuple.of(4, 2), Tuple.of(1, 3)),
                        keys,
                        Arbitraries.integers().between(0, 9))
                .as(Step::new);
        return step.list().ofMaxSize(200);
    }

    /** A word of "Aa" and "BB" pairs for a word of A and B: all of one length share one hash. */
    private static Object aaForBb(String ab) {
        StringBuilder b = new StringBuilder();
        for (char c : ab.toCharArray()) {
            b.append(c == 'A' ? "Aa" : "BB");
        }
        return b.toString();
    }

    private static Map<Object, Integer> contents(KeyTable<Object, Integer> table) {
        Map<Object, Integer> out = new HashMap<>();
        for (int i = 0; i < table.places(); i++) {
            if (table.held(i)) {
                out.put(table.keyAt(i), table.valueAt(i));
            }
        }
        assertEquals(table.size(), out.size());
        return out;
    }
}
