package io.vigil.suppress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Silences and inhibition files: what they hold, and where a wrong entry is (file:line:column). */
class SilencesFileTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void aSilencesFileHoldsOneOffAndRecurringSilences() throws Exception {
        Silences s = Silences.load(file("silences.yaml", """
                silences:
                  - id: payments-db-migration
                    matchers: ['service="payments"']
                    starts_at: 2026-12-05T22:00:00Z
                    ends_at: 2026-12-06T02:00:00Z
                    comment: DB migration
                  - id: weekend
                    matchers: ['service=~"cart|checkout"', 'severity!="critical"']
                    recurring: {time_zone: Europe/Berlin, weekdays: [sat, sun], times: ["02:00-04:00"]}
                """));
        assertEquals(2, s.silences().size());
        assertEquals("DB migration", s.silences().get(0).comment);
        assertEquals("Europe/Berlin", s.silences().get(1).timeZone);
    }

    @Test
    void aWrongSilenceIsReportedWithTheLineOfItsEntry() throws Exception {
        Path f = file("silences.yaml", """
                silences:
                  - id: ok
                    matchers: ['service="payments"']
                    ends_at: 2026-12-06T02:00:00Z
                  - id: bad
                    matchers: ['service=~"("']
                    ends_at: 2026-12-06T02:00:00Z
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Silences.load(f));
        assertEquals(
                f + ":5:5: silence 'bad': matcher 'service=~\"(\"': not a valid regular expression: Unclosed group",
                e.getMessage());
        Path typo = file("typo.yaml", "silences:\n  - id: x\n    matcher: ['a=b']\n");
        String m = assertThrows(IllegalArgumentException.class, () -> Silences.load(typo))
                .getMessage();
        assertTrue(m.startsWith(typo + ":3:"), m);
        assertTrue(m.endsWith("unknown field 'matcher' (known fields: " + Silence.FIELDS + ")"), m);
    }

    @Test
    void theStarterInhibitionLoadsAndWrongRulesNameFileLineAndColumn() throws Exception {
        InhibitRules starter = InhibitRules.load(InhibitorTest.repoFile("rules/_inhibit.yaml"));
        assertEquals(1, starter.rules().size());
        assertEquals(java.util.List.of("service"), starter.sharedEqualLabels());

        Path bad = file("_inhibit.yaml", """
                inhibit_rules:
                  - name: a
                    source_matchers: ['alertname="x"']
                    target_matchers: ['alertname="y"']
                  - name: b
                    source_matchers: ['severity=critical']
                    target_matchers: ['severity<>high']
                    equal: [service]
                """);
        String m = assertThrows(IllegalArgumentException.class, () -> InhibitRules.load(bad))
                .getMessage();
        assertEquals(
                bad + ":5:5: inhibit rule 'b': matcher 'severity<>high' is not name=\"value\", name!=\"value\", "
                        + "name=~\"regex\" or name!~\"regex\" (label names are Prometheus-safe: letters, digits, _)",
                m);
        Path unknown = file("u.yaml", "inhibit_rules:\n  - name: a\n    sources: []\n");
        String u = assertThrows(IllegalArgumentException.class, () -> InhibitRules.load(unknown))
                .getMessage();
        assertEquals(true, u.startsWith(unknown + ":3:"), u);
        assertEquals(true, u.contains("sources"), u);
    }
}
