package io.vigil.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.ingest.TelemetryDecoder;
import io.vigil.model.Ingested;
import io.vigil.model.TelemetryJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The source's record function: any index, in any order, gives the record the generator made at that place. */
class GeneratorSourceTest {
    private static TelemetryGenerator gen;
    private static long[] offsets;

    @BeforeAll
    static void generator() {
        // Long enough to hold the bad records of ticks 100 and 700.
        gen = new TelemetryGenerator(
                TelemetryGenerator.DEFAULT_SEED, TelemetryGenerator.DEFAULT_START, Duration.ofMinutes(120));
        offsets = gen.offsets();
    }

    /** What the record at {@code index} must be: found by walking the ticks, decoded directly. */
    private static String expected(long index) {
        int tick = 0;
        while (offsets[tick + 1] <= index) {
            tick++;
        }
        byte[] raw = gen.tick(tick).get((int) (index - offsets[tick]));
        List<Ingested> out = new ArrayList<>();
        TelemetryDecoder d = TelemetryGeneratorTest.decoder();
        d.decode(raw, "generator:" + index, out::add);
        return describe(out.get(0));
    }

    private static String describe(Ingested in) {
        return in.isDead()
                ? "dead " + in.deadLetter.reason + " " + in.deadLetter.origin + " "
                        + new String(in.deadLetter.raw, java.nio.charset.StandardCharsets.UTF_8)
                : TelemetryJson.write(in.telemetry);
    }

    private static GeneratorSource.Records records() {
        GeneratorSource.Records r = new GeneratorSource(gen).records();
        r.open(null);
        return r;
    }

    @Test
    void arbitraryIndicesInAnyOrder() {
        long total = offsets[offsets.length - 1];
        List<Long> indices = new ArrayList<>();
        Random rnd = new Random(7);
        for (int i = 0; i < 300; i++) {
            indices.add((long) rnd.nextInt((int) total));
        }
        // Tick boundaries and both ends.
        for (int t : new int[] {1, 2, 99, 100, 101, 699, 700, 701, offsets.length - 2}) {
            indices.add(offsets[t]);
            indices.add(offsets[t] - 1);
        }
        indices.add(0L);
        indices.add(total - 1);
        Collections.shuffle(indices, rnd);
        GeneratorSource.Records r = records();
        for (long index : indices) {
            assertEquals(expected(index), describe(r.map(index)), "record " + index);
        }
    }

    @Test
    void sequentialIndicesGiveTheWholeRunInOrder() {
        GeneratorSource.Records r = records();
        long last = Long.MIN_VALUE;
        int deadLetters = 0;
        for (long i = 0; i < offsets[offsets.length - 1]; i++) {
            Ingested in = r.map(i);
            if (in.isDead()) {
                deadLetters++;
                assertEquals("generator:" + i, in.deadLetter.origin);
                continue;
            }
            assertTrue(in.telemetry.timestamp >= last, "record " + i);
            last = in.telemetry.timestamp;
        }
        assertEquals(2, deadLetters, "the bad records of ticks 100 and 700");
    }

    @Test
    void aDenserHistorySendsEachTicksRecordsThatManyTimesEachCopyInItsOwnPartOfTheTick() {
        int density = 3;
        GeneratorSource denser = new GeneratorSource(gen).denser(density);
        long total = offsets[offsets.length - 1];
        assertEquals(density * total, denser.total());
        assertEquals(
                denser.total(),
                new GeneratorSource(gen).denser(2).denser(density).total(),
                "the demo's, times 3");
        GeneratorSource.Records dense = denser.records();
        dense.open(null);
        GeneratorSource.Records demo = records();
        long part = TelemetryGenerator.TICK_MS / density;
        long last = Long.MIN_VALUE;
        long index = 0;
        for (int tick = 0; tick < 120; tick++) {
            long start = gen.startMs() + tick * TelemetryGenerator.TICK_MS;
            for (int copy = 0; copy < density; copy++) {
                for (long i = offsets[tick]; i < offsets[tick + 1]; i++, index++) {
                    Ingested expected = demo.map(i);
                    Ingested got = dense.map(index);
                    if (expected.isDead()) {
                        assertTrue(got.isDead(), "record " + index);
                        continue;
                    }
                    long ts = got.telemetry.timestamp;
                    assertEquals(start + (expected.telemetry.timestamp - start) / density + copy * part, ts);
                    assertTrue(ts >= start + copy * part && ts <= start + (copy + 1) * part, "record " + index);
                    assertTrue(ts >= last, "event time goes back at record " + index);
                    last = ts;
                    got.telemetry.timestamp = expected.telemetry.timestamp;
                    assertEquals(describe(expected), describe(got), "record " + index);
                }
            }
        }
        assertTrue(index > 100 * density, "the ticks held records: " + index);
    }

    @Test
    void aDensityOutsideOneToATickOfMillisecondsIsRefused() {
        GeneratorSource demo = new GeneratorSource(gen);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> demo.denser(0));
        assertTrue(e.getMessage().contains("from 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> demo.denser((int) TelemetryGenerator.TICK_MS + 1));
    }

    @Test
    void theBadRecordsAreTheLastOfTheirTicks() {
        GeneratorSource.Records r = records();
        assertTrue(r.map(offsets[101] - 1).isDead());
        assertTrue(r.map(offsets[701] - 1).isDead());
        assertTrue(!r.map(offsets[101] - 2).isDead());
        assertTrue(!r.map(offsets[101]).isDead());
    }
}
