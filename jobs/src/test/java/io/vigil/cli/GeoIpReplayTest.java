package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.ingest.geo.MaxMindDbWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil replay --geoip-db}: a replayed sshd log enriched from a GeoIP database turns the starter rule
 * {@code ssh-new-country} on; without the database the same log gives it nothing to compare.
 */
class GeoIpReplayTest {
    static final Path RULE = RulesCommandTest.rules().resolve("security/ssh-new-country.yaml");

    @TempDir
    Path dir;

    /** 100 minutes of failed logins from a British address, then one from a German one. */
    private Path authLog() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int minute = 0; minute <= 90; minute += 5) {
            lines.add(String.format(
                    "Nov  2 %02d:%02d:00 bastion sshd[812]: Failed password for root from 81.2.69.%d port 5%04d ssh2",
                    3 + minute / 60, minute % 60, 140 + minute % 7, minute));
        }
        lines.add("Nov  2 04:40:00 bastion sshd[913]: Failed password for invalid user admin from 5.6.7.8 port 40022 "
                + "ssh2");
        Path log = dir.resolve("auth.log");
        Files.write(log, lines);
        return log;
    }

    private Path geoDb() throws Exception {
        Path db = dir.resolve("GeoLite2-City.mmdb");
        new MaxMindDbWriter("GeoLite2-City")
                .put("81.2.69.0/24", MaxMindDbWriter.city("GB", "United Kingdom", "London"))
                .put("5.6.0.0/16", MaxMindDbWriter.city("DE", "Germany", "Berlin"))
                .write(db);
        return db;
    }

    private int replay(Path out, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "replay",
                "--quiet",
                "--input",
                authLog().toString(),
                "--format",
                "syslog:year=2026,zone=UTC",
                "--rules",
                RULE.toString(),
                "--out",
                out.toString()));
        args.addAll(List.of(extra));
        return VigilCli.commandLine().execute(args.toArray(String[]::new));
    }

    @Test
    void aLoginFromANewCountryAlertsOnceWhenTheLogIsEnrichedFromAGeoIpDatabase() throws Exception {
        Path out = dir.resolve("with-geoip");
        assertEquals(0, replay(out, "--geoip-db", geoDb().toString()));

        List<String> alerts = Files.readAllLines(out.resolve("alerts.jsonl"));
        assertEquals(1, alerts.size(), alerts.toString());
        assertTrue(alerts.get(0).contains("\"id\":\"ssh-new-country\""), alerts.get(0));
        assertTrue(alerts.get(0).contains("First SSH login attempt from DE on bastion"), alerts.get(0));
    }

    @Test
    void withoutTheDatabaseTheSameLogHasNoCountryToAlertOn() throws Exception {
        Path out = dir.resolve("without-geoip");
        assertEquals(0, replay(out));

        assertEquals(List.of(), Files.readAllLines(out.resolve("alerts.jsonl")));
    }

    @Test
    void aMissingDatabaseIsABadFlagNamedBeforeAnythingRuns() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path missing = dir.resolve("GeoLite2-City.mmdb");
        int exit = VigilCli.commandLine()
                .setErr(new PrintWriter(new PrintStream(err), true))
                .execute(
                        "replay",
                        "--input",
                        authLog().toString(),
                        "--format",
                        "syslog",
                        "--rules",
                        RULE.toString(),
                        "--geoip-db",
                        missing.toString());
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, e);
        assertTrue(e.contains("--geoip-db " + missing + ": no such file"), e);
    }
}
