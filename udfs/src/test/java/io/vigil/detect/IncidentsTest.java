package io.vigil.detect;

import static io.vigil.detect.Incidents.Step.FIRE;
import static io.vigil.detect.Incidents.Step.NONE;
import static io.vigil.detect.Incidents.Step.RESOLVE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The incident state machine every kind shares, judged by hand: pending, firing, kept firing, resolved. */
class IncidentsTest {
    /** Runs judgments one minute apart ('1' holds, '0' does not) and returns the steps. */
    private static List<Incidents.Step> run(long forMinutes, long keepMinutes, String judgments) {
        Incidents.Timing t = new Incidents.Timing();
        boolean open = false;
        List<Incidents.Step> steps = new ArrayList<>();
        for (int i = 0; i < judgments.length(); i++) {
            Incidents.Step s = Incidents.step(
                    forMinutes * 60_000, keepMinutes * 60_000, open, t, judgments.charAt(i) == '1', i * 60_000L);
            open = s == FIRE || (open && s != RESOLVE);
            steps.add(s);
        }
        return steps;
    }

    @Test
    void withoutForOrKeepTheFirstBreachFiresAndTheFirstClearResolves() {
        assertEquals(List.of(NONE, FIRE, NONE, RESOLVE, FIRE, RESOLVE), run(0, 0, "011010"));
    }

    @Test
    void forWaitsUntilTheConditionHeldThatLong() {
        assertEquals(List.of(NONE, NONE, NONE, FIRE, NONE), run(3, 0, "11111"));
    }

    @Test
    void aClearBeforeForStartsOver() {
        // Pending from 0m, cleared at 2m, pending again from 3m: fires at 5m, not at 2m.
        assertEquals(List.of(NONE, NONE, NONE, NONE, NONE, FIRE, NONE), run(2, 0, "1101111"));
    }

    @Test
    void keepFiringForBridgesAGapAndThenResolves() {
        // Kept firing at 1m and 2m, held again at 3m (the same incident), resolved 3m after that.
        assertEquals(List.of(FIRE, NONE, NONE, NONE, NONE, NONE, RESOLVE), run(0, 3, "1001000"));
        // A gap as long as keep_firing_for resolves: 2m after the last hold.
        assertEquals(List.of(FIRE, NONE, RESOLVE, FIRE, NONE, RESOLVE), run(0, 2, "100100"));
        assertEquals(List.of(FIRE, RESOLVE, FIRE, RESOLVE), run(0, 0, "1010"));
    }

    @Test
    void timingSaysWhenItHasNothingToRemember() {
        Incidents.Timing t = new Incidents.Timing();
        assertTrue(t.idle(false));
        Incidents.step(60_000, 0, false, t, true, 0);
        assertTrue(t.pending);
        assertFalse(t.idle(false));
        Incidents.step(60_000, 0, false, t, false, 60_000);
        assertTrue(t.idle(false), "a clear ends the pending run");
    }
}
