package io.vigil.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * An update stream (rules, catalog, silences) connected to the telemetry must not move event time when the telemetry
 * pauses: a record after a pause longer than the idleness timeout is on time, not late. The update streams once
 * claimed the end of time as their watermark; after such a pause that became the connected operator's watermark, and
 * every later record was late for good.
 */
class UpdateStreamWatermarksTest {
    private static final MapStateDescriptor<Long, Long> UPDATES =
            new MapStateDescriptor<>("updates", Types.LONG, Types.LONG);

    @Test
    void aRecordAfterAPauseInTheEventsIsOnTimeWithAnIdleUpdateStream() throws Exception {
        assertEquals(List.of(false, false, false), lateFlags(CompactedTopic.alwaysIdle()));
    }

    /** The control: with the end of time as the update stream's watermark, the records after the pause are late. */
    @Test
    void theEndOfTimeAsTheUpdateStreamsWatermarkMakesThemLate() throws Exception {
        assertEquals(List.of(false, true, true), lateFlags(WatermarkStrategy.forGenerator(ctx -> new EndOfTime())));
    }

    /**
     * Three events at event times 1 s, 2 s and 3 s, the second sent after a two-second pause (idleness: 300 ms),
     * connected with an update stream that never sends anything; returns, per event, whether it arrived behind the
     * connected operator's watermark.
     */
    private static List<Boolean> lateFlags(WatermarkStrategy<Long> updateWatermarks) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(50));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        DataStream<Long> updates = env.fromSource(
                new DataGeneratorSource<>(i -> i, Long.MAX_VALUE, RateLimiterStrategy.perSecond(0.000001), Types.LONG),
                updateWatermarks,
                "updates");
        DataStream<Long> events = env.fromSource(
                new DataGeneratorSource<>(i -> (i + 1) * 1000, 3, new PauseBeforeSecond(), Types.LONG),
                WatermarkStrategy.<Long>forMonotonousTimestamps()
                        .withTimestampAssigner((e, previous) -> e)
                        .withIdleness(Duration.ofMillis(300)),
                "events");
        return events.connect(updates.broadcast(UPDATES))
                .process(
                        new BroadcastProcessFunction<Long, Long, Boolean>() {
                            @Override
                            public void processElement(Long e, ReadOnlyContext ctx, Collector<Boolean> out) {
                                out.collect(ctx.currentWatermark() >= e);
                            }

                            @Override
                            public void processBroadcastElement(Long u, Context ctx, Collector<Boolean> out) {}
                        },
                        Types.BOOLEAN)
                .executeAndCollect(3);
    }

    /** Grants the first record at once and the later ones after a two-second pause. */
    private static final class PauseBeforeSecond implements RateLimiterStrategy<NumberSequenceSplit> {
        private static final long serialVersionUID = 1L;

        @Override
        public RateLimiter<NumberSequenceSplit> createRateLimiter(int parallelism) {
            AtomicInteger asked = new AtomicInteger();
            return permits -> asked.getAndIncrement() == 1
                    ? CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS))
                    : CompletableFuture.completedFuture(null);
        }
    }

    private static final class EndOfTime implements WatermarkGenerator<Long> {
        @Override
        public void onEvent(Long event, long eventTimestamp, WatermarkOutput output) {}

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.emitWatermark(new Watermark(Long.MAX_VALUE));
        }
    }
}
