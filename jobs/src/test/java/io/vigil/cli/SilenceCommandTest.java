package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.suppress.Silence;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vigil silence add}: the silence its flags make, and wrong input refused before Kafka is touched. */
class SilenceCommandTest {
    private static final Instant NOW = Instant.parse("2026-12-04T15:00:00Z");

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void realClock() {
        SilenceCommand.clock = Clock.systemUTC();
    }

    private Silence fromFlags(String... args) {
        SilenceCommand.clock = Clock.fixed(NOW, ZoneOffset.UTC);
        SilenceCommand.Add add = new SilenceCommand.Add();
        new CommandLine(add).parseArgs(args);
        return add.fromFlags();
    }

    private int run(String... args) {
        return VigilCli.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
    }

    @Test
    void aOneOffSilenceRunsFromNowForAnHourUnlessToldOtherwise() {
        Silence s = fromFlags("--id", "db", "-m", "service=\"payments\"", "-c", "migration", "-a", "alice");
        assertEquals(NOW.toEpochMilli(), s.startsAt);
        assertEquals(NOW.plusSeconds(3600).toEpochMilli(), s.endsAt);
        assertEquals(
                "{\"id\":\"db\",\"matchers\":[\"service=\\\"payments\\\"\"],\"starts_at\":\"2026-12-04T15:00:00Z\","
                        + "\"ends_at\":\"2026-12-04T16:00:00Z\",\"created_by\":\"alice\",\"comment\":\"migration\"}",
                s.toJson());
        Silence later = fromFlags("-m", "service=cart", "--start", "2026-12-05T22:00:00Z", "-d", "4h");
        assertEquals(Instant.parse("2026-12-06T02:00:00Z").toEpochMilli(), later.endsAt);
        assertTrue(later.id.startsWith("s-"), later.id);
    }

    @Test
    void aRecurringWindowHasNoBoundsUnlessGiven() {
        Silence s = fromFlags(
                "--id",
                "weekend",
                "-m",
                "service=~\"cart|checkout\"",
                "--time-zone",
                "Europe/Berlin",
                "--weekdays",
                "sat,sun",
                "--times",
                "02:00-04:00");
        assertEquals(Long.MIN_VALUE, s.startsAt);
        assertEquals(Long.MAX_VALUE, s.endsAt);
        assertTrue(s.covers(Instant.parse("2026-12-05T01:30:00Z").toEpochMilli())); // Saturday 02:30 in Berlin
        String wrong = assertThrows(
                        IllegalArgumentException.class,
                        () -> fromFlags("-m", "a=b", "--time-zone", "UTC", "--weekdays", "funday"))
                .getMessage();
        assertTrue(wrong.contains("'funday' is not a weekday"), wrong);
    }

    @Test
    void wrongSilencesAreRefusedBeforeTouchingKafka() throws Exception {
        // No broker at this address: the silence is refused first, so nothing tries to connect.
        assertEquals(1, run("silence", "add", "--bootstrap-servers", "127.0.0.1:1", "-m", "service==payments"));
        assertTrue(err.toString().contains("matcher 'service==payments' is not name=\"value\""), err.toString());
        assertTrue(err.toString().contains("nothing published"), err.toString());

        Path f = Files.writeString(dir.resolve("silences.yaml"), "silences:\n  - id: x\n    matchers: [a=b]\n");
        assertEquals(1, run("silence", "add", "--bootstrap-servers", "127.0.0.1:1", "--file", f.toString()));
        assertTrue(err.toString().contains(f + ":2:5: silence 'x' has neither starts_at/ends_at"), err.toString());

        assertEquals(2, run("silence", "add", "--bootstrap-servers", "127.0.0.1:1"));
        assertTrue(err.toString().contains("give at least one --match MATCHER"), err.toString());
    }
}
