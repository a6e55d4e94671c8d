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

    public GeneratorSource(TelemetryGenerator generator) {
        this.generator = generator;
        this.offsets = generator.offsets();
        this.total = offsets[(int) generator.ticks()];
    }

    /** Number of raw records the source emits. */
    public long total() {
        return total;
    }

    @Override
    public DataStream<Ingested> create(StreamExecutionEnvironment env, WatermarkStrategy<Ingested> watermarks) {
        DataGeneratorSource<Ingested> source =
                new DataGeneratorSource<>(new Records(generator, offsets), total, TypeInformation.of(Ingested.class));
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
        GeneratorFunction<Long, Ingested> records = new Records(generator, offsets);
        long count = total + 1;
        return (env, watermarks) -> env.fromSource(
                        new DataGeneratorSource<>(records, count, limiter, TypeInformation.of(Ingested.class)),
                        watermarks,
                        "Telemetry generator")
                .uid("generator")
                .setParallelism(1);
    }

    /** Maps a record index to the decoded record; keeps the current tick's raw records. */
    static final class Records implements GeneratorFunction<Long, Ingested> {
        private static final long serialVersionUID = 1L;

        private final TelemetryGenerator generator;
        private final long[] offsets;
        private transient TelemetryDecoder decoder;
        private transient long bufferedTick;
        private transient List<byte[]> buffered;
        private transient List<Ingested> decoded;

        Records(TelemetryGenerator generator, long[] offsets) {
            this.generator = generator;
            this.offsets = offsets;
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
            if (tick != bufferedTick) {
                buffered = generator.tick(tick);
                bufferedTick = tick;
            }
            byte[] raw = buffered.get((int) (index - offsets[tick]));
            decoded.clear();
            decoder.decode(raw, "generator:" + index, decoded::add);
            // One canonical JSON object decodes to exactly one record or one dead letter.
            return decoded.get(0);
        }
    }
}
