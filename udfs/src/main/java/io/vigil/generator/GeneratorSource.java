package io.vigil.generator;

import io.vigil.ingest.Decoders;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.TelemetryDecoder;
import io.vigil.job.TelemetrySource;
import io.vigil.model.Ingested;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The generator as a job source: a bounded {@link DataGeneratorSource} whose n-th element is the n-th generated
 * record, decoded by the real canonical-JSON decoder. Record n is found from per-tick offsets, so the source can start
 * (or resume after a restore) at any index. Runs with parallelism 1 so event time leaves it in order.
 */
public final class GeneratorSource implements TelemetrySource {
    private static final long serialVersionUID = 1L;

    private final TelemetryGenerator generator;
    /**
     * Where each tick's records start. Finding them generates the whole history once, so they are found here and
     * shipped with the job rather than again in every reader.
     */
    private final long[] offsets;

    private final long total;

    /** How many times each tick's records are sent, each copy in its own part of the tick (see {@link #denser}). */
    private final int density;

    public GeneratorSource(TelemetryGenerator generator) {
        this(generator, generator.offsets(), 1);
    }

    /** @param demoOffsets where each tick's records start at density 1; copied, scaled by {@code density} */
    private GeneratorSource(TelemetryGenerator generator, long[] demoOffsets, int density) {
        if (density < 1 || density > TelemetryGenerator.TICK_MS) {
            throw new IllegalArgumentException("density must be from 1 (each record once) to "
                    + TelemetryGenerator.TICK_MS + " (a copy a millisecond of the tick), got " + density);
        }
        this.generator = generator;
        this.density = density;
        this.offsets = new long[demoOffsets.length];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = demoOffsets[i] * density;
        }
        this.total = offsets[(int) generator.ticks()];
    }

    /**
     * The same history with {@code density} times the records in every window: each tick's records are sent that many
     * times, the copies one after another, each with its timestamps squeezed into its own {@code 1/density} of the
     * tick (so event time still only moves forward). Services, hosts, users and their patterns are the demo's; what
     * changes is how many records a key has per window. A benchmark runs a simulated day in seconds, so work done per
     * window and key (timers, window ends) weighs far more per record than in a live stream of the same rate, whose day
     * has that many more records; a denser history shows how that work spreads.
     */
    public GeneratorSource denser(int density) {
        // From this source's offsets: finding them again would generate the whole history once more (1.2 to 2.7 s for
        // the benchmarks' day, at the start of every command and of every case's JVM).
        long[] demoOffsets = new long[offsets.length];
        for (int i = 0; i < offsets.length; i++) {
            demoOffsets[i] = offsets[i] / this.density;
        }
        return new GeneratorSource(generator, demoOffsets, density);
    }

    /** Number of raw records the source emits. */
    public long total() {
        return total;
    }

    @Override
    public DataStream<Ingested> create(StreamExecutionEnvironment env, WatermarkStrategy<Ingested> watermarks) {
        DataGeneratorSource<Ingested> source =
                new DataGeneratorSource<>(records(), total, TypeInformation.of(Ingested.class));
        return env.fromSource(source, watermarks, "Telemetry generator")
                .uid("generator")
                .setParallelism(1);
    }

    /**
     * The same records, after which the source stays open and emits nothing until the job is stopped (with a
     * savepoint, to measure the state a run leaves: a finished job keeps none). {@code limiter} is asked once per
     * record and must never grant the one after the last.
     */
    public TelemetrySource heldOpen(RateLimiterStrategy<NumberSequenceSource.NumberSequenceSplit> limiter) {
        GeneratorFunction<Long, Ingested> records = records();
        long count = total + 1;
        return (env, watermarks) -> env.fromSource(
                        new DataGeneratorSource<>(records, count, limiter, TypeInformation.of(Ingested.class)),
                        watermarks,
                        "Telemetry generator")
                .uid("generator")
                .setParallelism(1);
    }

    /** The function from a record's index to the record. */
    Records records() {
        return new Records(generator, offsets, density);
    }

    /** Maps a record index to the decoded record; keeps the current tick's raw records. */
    static final class Records implements GeneratorFunction<Long, Ingested> {
        private static final long serialVersionUID = 1L;

        private final TelemetryGenerator generator;
        /** Where each tick's records start, counting every copy of them. */
        private final long[] offsets;

        private final int density;
        private transient TelemetryDecoder decoder;
        private transient long bufferedTick;
        private transient int bufferedCopy;
        private transient List<byte[]> buffered;
        private transient List<Ingested> decoded;

        Records(TelemetryGenerator generator, long[] offsets, int density) {
            this.generator = generator;
            this.offsets = offsets;
            this.density = density;
        }

        @Override
        public void open(SourceReaderContext readerContext) {
            // Generated history may lie in the past or the future of the wall clock: only the earliest-time bound
            // applies.
            decoder = Decoders.forFormat("json", IngestLimits.defaults().withoutFutureBound());
            bufferedTick = -1;
            decoded = new ArrayList<>(1);
        }

        @Override
        public Ingested map(Long index) {
            int tick = Arrays.binarySearch(offsets, index);
            // binarySearch gives the tick starting at index, or -(insertion point) - 1 for an index inside a tick;
            // several empty ticks can share an offset, so step to the last one with that offset.
            if (tick < 0) {
                tick = -tick - 2;
            } else {
                while (tick + 1 < offsets.length - 1 && offsets[tick + 1] == index) {
                    tick++;
                }
            }
            long size = (offsets[tick + 1] - offsets[tick]) / density;
            int copy = (int) ((index - offsets[tick]) / size);
            if (tick != bufferedTick || copy != bufferedCopy) {
                // Each copy generates its tick again: the source then costs each record what it does at density 1,
                // so a denser history compares with its own no-rules run as the demo's does.
                buffered = generator.tick(tick);
                bufferedTick = tick;
                bufferedCopy = copy;
            }
            byte[] raw = buffered.get((int) ((index - offsets[tick]) % size));
            decoded.clear();
            decoder.decode(raw, "generator:" + index, decoded::add);
            // One canonical JSON object decodes to exactly one record or one dead letter.
            Ingested record = decoded.get(0);
            if (density > 1 && !record.isDead()) {
                // Squeezed into this copy's part of the tick, before the record leaves the source.
                long start = generator.startMs() + tick * TelemetryGenerator.TICK_MS;
                long part = TelemetryGenerator.TICK_MS / density;
                record.telemetry.timestamp = start + (record.telemetry.timestamp - start) / density + copy * part;
            }
            return record;
        }
    }
}
