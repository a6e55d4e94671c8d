package io.vigil.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlertIdsTest {
    @Test
    void theSameRuleKeyAndWindowGiveTheSameId() {
        assertEquals(AlertIds.of("r", "r\u001fcheckout", 0, 60_000), AlertIds.of("r", "r\u001fcheckout", 0, 60_000));
    }

    @Test
    void anyDifferenceGivesAnotherId() {
        Set<String> ids = new HashSet<>();
        ids.add(AlertIds.of("r", "r\u001fcheckout", 0, 60_000));
        ids.add(AlertIds.of("s", "r\u001fcheckout", 0, 60_000));
        ids.add(AlertIds.of("r", "r\u001fcart", 0, 60_000));
        ids.add(AlertIds.of("r", "r\u001fcheckout", 60_000, 120_000));
        ids.add(AlertIds.of("r", "r\u001fcheckout", 0, 120_000));
        ids.add(AlertIds.of("r", "r\u001fcheckout", 1, 60_000));
        assertEquals(6, ids.size());
    }

    @Test
    void readableRulePrefixAndFixedLengthDigest() {
        String id = AlertIds.of("ssh-brute-force", "k", 1, 2);
        assertTrue(id.matches("ssh-brute-force-[0-9a-f]{20}"), id);
    }

    @Test
    void resolvedIdsDeriveFromTheFiringId() {
        String firing = AlertIds.of("r", "k", 1, 2);
        assertEquals(firing + "-resolved", AlertIds.resolved(firing));
        assertNotEquals(firing, AlertIds.resolved(firing));
    }
}
