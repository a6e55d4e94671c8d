package io.vigil.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RuleBookVersionsTest {
    @Test
    void everyRunningVersionIsFoundByItsFingerprintAndNoOtherIs() {
        List<RuleSpec> specs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            RuleSpec s = Specs.latency("bound", 100 + i);
            s.id = "latency-" + i;
            specs.add(s);
        }
        List<CompiledRule> rules = RuleCompiler.compileAll(specs);
        RuleBook.Versions versions = new RuleBook.Versions(rules);

        Set<Long> running = new HashSet<>();
        for (CompiledRule r : rules) {
            assertSame(r, versions.get(r.fingerprint), r.id());
            running.add(r.fingerprint);
        }
        assertEquals(300, running.size());
        // Fingerprints next to running ones land in the same or the next slots: probing must stop at an empty one.
        for (CompiledRule r : rules) {
            for (long near : new long[] {r.fingerprint + 1, r.fingerprint - 1, r.fingerprint ^ (1L << 40)}) {
                if (!running.contains(near)) {
                    assertNull(versions.get(near));
                }
            }
        }
    }

    @Test
    void noRulesFindNothing() {
        RuleBook.Versions none = new RuleBook.Versions(List.of());
        assertNull(none.get(0L));
        assertNull(none.get(42L));
    }
}
