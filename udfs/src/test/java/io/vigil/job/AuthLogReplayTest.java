package io.vigil.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.file.TelemetryFileSource;
import io.vigil.model.Alert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A synthetic auth log with a known attacker list replayed through the whole job with every security starter rule
 * (as {@code vigil replay --format syslog} does): each attacking address makes two failed-password bursts 20 minutes
 * apart (one realert window) and never gets in; benign users mistype once, log in, sudo and open sessions. Every
 * attacker must be alerted, exactly once by ssh-failed-login-burst, and no alert may name a benign user or address.
 */
class AuthLogReplayTest {
    private static final DateTimeFormatter BSD = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);
    private static final List<String> ATTACKERS =
            List.of("203.0.113.10", "203.0.113.11", "198.51.100.12", "198.51.100.13", "192.0.2.14");
    private static final List<String> BENIGN_USERS = List.of("alice", "bob", "carol", "dave", "erin", "frank");

    @Test
    void everyAttackerAlertedOncePerWindowAndNoBenignUser(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("auth.log");
        Files.write(log, authLog(new Random(13)));
        JobRun run = JobRun.run(
                new TelemetryFileSource(
                        List.of(log),
                        "syslog:year=2026,zone=UTC",
                        IngestLimits.defaults().withoutFutureBound()),
                RuleSource.directory(Path.of("..", "rules", "security")),
                dir.resolve("out"));
        assertTrue(run.deadLetters.isEmpty(), "every line is syslog: " + run.deadLetters);
        List<Alert> firing = run.firing();

        Map<String, Long> bursts = firing.stream()
                .filter(a -> a.ruleId.equals("ssh-failed-login-burst"))
                .collect(Collectors.groupingBy(a -> a.keyFields.get("source.ip"), TreeMap::new, Collectors.counting()));
        Map<String, Long> once = new TreeMap<>();
        ATTACKERS.forEach(a -> once.put(a, 1L));
        assertEquals(once, bursts, "one burst alert per attacking address within the realert window: " + firing);

        Set<String> alertedSources = firing.stream()
                .map(a -> a.keyFields.get("source.ip"))
                .filter(s -> s != null)
                .collect(Collectors.toSet());
        assertTrue(alertedSources.containsAll(ATTACKERS), alertedSources.toString());
        for (Alert a : firing) {
            String ip = a.keyFields.get("source.ip");
            assertTrue(ip == null || ATTACKERS.contains(ip), "alert for a benign address: " + a);
            for (String field : List.of("user.name", "user.target.name")) {
                String user = a.keyFields.get(field);
                assertTrue(user == null || !BENIGN_USERS.contains(user), "alert for a benign user: " + a);
            }
        }
        // Attackers guessed root and admin from five addresses: the per-account rule sees each account once.
        assertEquals(
                Set.of("root", "admin"),
                firing.stream()
                        .filter(a -> a.ruleId.equals("ssh-failed-login-user"))
                        .map(a -> a.keyFields.get("user.name"))
                        .collect(Collectors.toSet()),
                firing.toString());
        assertEquals(
                2,
                firing.stream()
                        .filter(a -> a.ruleId.equals("ssh-failed-login-user"))
                        .count(),
                firing.toString());
    }

    /** Lines as sshd, sudo and systemd-logind write them (see AuthMessagesTest for the format sources). */
    static List<String> authLog(Random rnd) {
        LocalDateTime t0 = LocalDateTime.of(2026, 11, 2, 4, 0, 0);
        TreeMap<LocalDateTime, List<String>> lines = new TreeMap<>();
        int pid = 2000;
        for (int i = 0; i < BENIGN_USERS.size(); i++) {
            String user = BENIGN_USERS.get(i);
            String ip = "10.0.4." + (20 + i);
            LocalDateTime at = t0.plusMinutes(rnd.nextInt(50)).plusSeconds(rnd.nextInt(60));
            int port = 50000 + rnd.nextInt(10000);
            pid++;
            if (rnd.nextBoolean()) {
                add(lines, at, pid, "sshd", "Failed password for " + user + " from " + ip + " port " + port + " ssh2");
                at = at.plusSeconds(4);
            }
            add(lines, at, pid, "sshd", "Accepted password for " + user + " from " + ip + " port " + port + " ssh2");
            add(
                    lines,
                    at,
                    pid,
                    "sshd",
                    "pam_unix(sshd:session): session opened for user " + user + "(uid=" + (1000 + i) + ") by (uid=0)");
            add(lines, at.plusSeconds(1), 700, "systemd-logind", "New session " + (10 + i) + " of user " + user + ".");
            if (user.equals("alice")) {
                add(
                        lines,
                        at.plusMinutes(1),
                        pid + 500,
                        "sudo",
                        "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=postgres" + " ; COMMAND=/usr/bin/psql");
            }
            add(lines, at.plusMinutes(30), 700, "systemd-logind", "Removed session " + (10 + i) + ".");
        }
        for (String ip : ATTACKERS) {
            for (int burst = 0; burst < 2; burst++) {
                LocalDateTime at = t0.plusMinutes(5 + burst * 20).plusSeconds(rnd.nextInt(120));
                for (int conn = 0; conn < 4; conn++) {
                    pid++;
                    int port = 30000 + rnd.nextInt(30000);
                    String user = rnd.nextBoolean() ? "root" : "admin";
                    add(
                            lines,
                            at,
                            pid,
                            "sshd",
                            "Failed password for " + user + " from " + ip + " port " + port + " ssh2");
                    add(
                            lines,
                            at.plusSeconds(2),
                            pid,
                            "sshd",
                            "message repeated 2 times: [ Failed password for " + user + " from " + ip + " port " + port
                                    + " ssh2]");
                    add(
                            lines,
                            at.plusSeconds(5),
                            pid,
                            "sshd",
                            "Connection closed by authenticating user " + user + " " + ip + " port " + port
                                    + " [preauth]");
                    at = at.plusSeconds(6 + rnd.nextInt(5));
                }
                pid++;
                add(lines, at, pid, "sshd", "Invalid user oracle from " + ip + " port 4000" + burst);
                add(
                        lines,
                        at.plusSeconds(2),
                        pid,
                        "sshd",
                        "Failed password for invalid user oracle from " + ip + " port 4000" + burst + " ssh2");
            }
        }
        List<String> out = new ArrayList<>();
        lines.values().forEach(out::addAll);
        return out;
    }

    private static void add(
            TreeMap<LocalDateTime, List<String>> lines, LocalDateTime at, int pid, String prog, String m) {
        lines.computeIfAbsent(at, k -> new ArrayList<>())
                .add(BSD.format(at) + " web-1 " + prog + "[" + pid + "]: " + m);
    }
}
