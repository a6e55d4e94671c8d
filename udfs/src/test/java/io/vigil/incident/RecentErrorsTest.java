package io.vigil.incident;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RecentErrorsTest {
    @Test
    void traceIdsAreKeptOldestFirstTiesInArrivalOrderAndTheOldestGoPastTheBound() {
        RecentErrors r = new RecentErrors();
        r.addTrace("c", 30, 3);
        r.addTrace("a", 10, 3);
        r.addTrace("b", 30, 3);
        assertArrayEquals(new String[] {"a", "c", "b"}, r.traceIds);
        r.addTrace("d", 20, 3);
        assertArrayEquals(new String[] {"d", "c", "b"}, r.traceIds);
        assertArrayEquals(new long[] {20, 30, 30}, r.seenAt);
        r.addTrace("old", 5, 3);
        assertArrayEquals(new String[] {"d", "c", "b"}, r.traceIds, "older than every kept id: dropped at once");
        assertTrue(r.hasTrace("c"));
        assertFalse(r.hasTrace("old"));
    }

    @Test
    void tracesSeenBeforeATimeAreDroppedAndAnEmptyValueSaysSo() {
        RecentErrors r = new RecentErrors();
        assertTrue(r.isEmpty());
        r.addTrace("a", 10, 5);
        r.addTrace("b", 20, 5);
        assertFalse(r.dropTracesBefore(10));
        assertTrue(r.dropTracesBefore(11));
        assertArrayEquals(new String[] {"b"}, r.traceIds);
        assertTrue(r.dropTracesBefore(21));
        assertTrue(r.isEmpty());
        r.logs = 1;
        assertFalse(r.isEmpty(), "logs in the buffer");
    }
}
