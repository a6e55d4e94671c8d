package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.soak.Curve;
import io.vigil.soak.SoakCsv;
import io.vigil.soak.SoakSample;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vigil soak}'s flags and its --report path (the soak itself needs the stack: see docs/operations/soak.md). */
class SoakCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = VigilCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void theDefaultWarmUpCoversTheStarterRulesLongestStateInAnHourLongSoak() {
        assertEquals(java.time.Duration.ofMinutes(30), SoakCommand.defaultWarmUp(java.time.Duration.ofHours(1)));
        assertEquals(java.time.Duration.ofMinutes(30), SoakCommand.defaultWarmUp(java.time.Duration.ofMinutes(45)));
        assertEquals(java.time.Duration.ofMinutes(10), SoakCommand.defaultWarmUp(java.time.Duration.ofMinutes(30)));
    }

    @Test
    void withTimeScaleTheDefaultWarmUpIsTheTimeTheSixHourWindowsTakeToFill() {
        var m = java.time.Duration.ofMinutes(1);
        // 6h30m of event time at 8x is 48m45s of wall time, rounded up to whole one-minute samples
        assertEquals(
                java.time.Duration.ofMinutes(49), SoakCommand.defaultWarmUp(java.time.Duration.ofMinutes(90), 8, m));
        // a soak too short to see them fill keeps the scale-1 default rather than judging nothing
        assertEquals(
                java.time.Duration.ofMinutes(30), SoakCommand.defaultWarmUp(java.time.Duration.ofMinutes(50), 8, m));
        assertEquals(java.time.Duration.ofMinutes(30), SoakCommand.defaultWarmUp(java.time.Duration.ofHours(1), 1, m));
    }

    @Test
    void badFlagsSayWhatWouldBeRight() {
        Run scale = run("soak", "--time-scale", "0");
        assertEquals(2, scale.exit());
        assertTrue(
                scale.err().contains("--time-scale 0 is out of range; give 1 (event time = wall time) to 60"),
                scale.err());

        Run r = run("soak", "--duration", "1x");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'1x'") && r.err().contains("expected e.g. 30s, 5m"), r.err());

        r = run("soak", "--rate", "0");
        assertEquals(2, r.exit());
        assertTrue(
                r.err().contains("'--rate': '0' is out of range; give records per second from 1 to 100000"), r.err());

        // generate takes the same --rate and --duration and says the same about them
        r = run("generate", "--kafka", "127.0.0.1:1", "--rate", "0");
        assertEquals(2, r.exit());
        assertTrue(
                r.err().contains("'--rate': '0' is out of range; give records per second from 1 to 100000"), r.err());
        r = run("generate", "--kafka", "127.0.0.1:1", "--duration", "0s");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'--duration': '0s' must be positive, e.g. 30m or 1h"), r.err());
        r = run("soak", "--duration", "0s");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'--duration': '0s' must be positive, e.g. 30m or 1h"), r.err());

        r = run("soak", "--duration", "20m", "--warm-up", "20m");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("at least warm-up + 3 intervals = 23m"), r.err());

        // Without --warm-up: 30m, or a third of a shorter soak (5m of 15m here, so 5m + 3 x 5m intervals).
        r = run("soak", "--duration", "15m", "--interval", "5m");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--warm-up 5m leaves fewer than 3 samples of --duration 15m"), r.err());

        r = run("soak", "--duration", "5m", "--interval", "10m", "--warm-up", "0s");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--interval 10m is longer than --duration 5m"), r.err());

        r = run("soak", "--interval", "1s");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("give 5s or more"), r.err());

        r = run("soak", "--tolerance", "10");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("e.g. 0.1 for 10%"), r.err());

        r = run("soak", "--savepoint-every", "30s");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--savepoint-every 30s must be 0s (off) or at least --interval 1m"), r.err());

        r = run("soak", "--report", dir.resolve("missing.csv").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no such file (give a soak.csv)"), r.err());
    }

    @Test
    void withoutAStackItSaysToStartIt() {
        // Port 1 on the loopback refuses connections at once: no Flink cluster answers there.
        Run r = run("soak", "--flink", "http://127.0.0.1:1", "--kafka", "127.0.0.1:1", "--out", dir.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no Flink cluster answers at http://127.0.0.1:1"), r.err());
        assertTrue(r.err().contains("bin/vigil stack up"), r.err());
    }

    @Test
    void reportSummarisesAndPlotsAnEarlierCsv() throws IOException {
        Path csv = dir.resolve("soak.csv");
        try (SoakCsv out = new SoakCsv(csv)) {
            for (int i = 1; i <= 20; i++) {
                out.append(new SoakSample(
                        Instant.ofEpochSecond(60L * i),
                        60.0 * i,
                        Map.of(Curve.STATE_SIZE, 10.0 + i, Curve.RECORDS_IN, 200.0)));
            }
        }
        Run r = run("soak", "--report", csv.toString(), "--warm-up", "5m");
        assertEquals(0, r.exit(), r.err());
        String summary = Files.readString(dir.resolve("summary.txt"));
        assertTrue(summary.contains("state_size_mb"), summary);
        assertTrue(summary.matches("(?s).*records_in_per_s\\s+16\\s+200\\s+200\\s+200\\s.*flat.*"), summary);
        assertTrue(summary.matches("(?s).*state_size_mb\\s+16\\s+15\\s+30\\s.*growing.*"), summary);
        assertNotNull(ImageIO.read(dir.resolve("soak.png").toFile()));
    }
}
