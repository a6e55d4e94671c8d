package io.vigil.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.file.TelemetryFileSource;
import io.vigil.model.Alert;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real-format sshd auth log replayed through the whole job (as {@code bin/vigil replay --format syslog} does):
 * attacks from two addresses that end in a success give one brute-force alert each (the second burst from the first
 * address falls in its realert period), the legitimate users none.
 */
class AuthLogBruteForceTest {
    @Test
    void twoAttackersOneAlertEachAndNoneForTheLegitimateLogins(@TempDir Path out) throws Exception {
        JobRun run = JobRun.run(
                new TelemetryFileSource(
                        List.of(Path.of("src/test/resources/syslog/auth.log")),
                        "syslog:year=2026,zone=UTC",
                        IngestLimits.defaults().withoutFutureBound()),
                RuleSource.directory(Path.of("..", "rules", "security", "ssh-brute-force.yaml")),
                out);
        List<Alert> firing = run.firing();
        Set<String> sources =
                firing.stream().map(a -> a.keyFields.get("source.ip")).collect(Collectors.toSet());
        assertEquals(Set.of("203.0.113.45", "198.51.100.7"), sources, "alerts: " + firing);
        assertEquals(2, firing.size(), "once each within the realert period: " + firing);
        Alert first = firing.stream()
                .filter(a -> a.keyFields.get("source.ip").equals("203.0.113.45"))
                .findFirst()
                .orElseThrow();
        assertEquals(12.0, first.observed, "11 failed logins (one of them 'message repeated 5 times') and a success");
        assertTrue(run.deadLetters.isEmpty(), "every line of the log is syslog: " + run.deadLetters);
    }
}
