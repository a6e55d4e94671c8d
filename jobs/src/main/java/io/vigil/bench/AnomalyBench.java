package io.vigil.bench;

import io.vigil.detect.anomaly.AnomalyConfig;
import io.vigil.detect.anomaly.AnomalyScore;
import io.vigil.detect.anomaly.AnomalyScorer;
import io.vigil.detect.anomaly.AnomalyState;
import io.vigil.detect.anomaly.EwmStats;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataOutputSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code vigil bench anomaly}: points per second per core of the anomaly scorer on synthetic series (daily rhythm,
 * noise, occasional spikes and steps), against a plain exponentially weighted z-score measured in the same run, and
 * the serialized size of one series' state as Flink's POJO serializer writes it.
 */
@Command(name = "anomaly", mixinStandardHelpOptions = true,
        description = "Measure anomaly scorer throughput (points/s on one core) and state bytes per series.")
public final class AnomalyBench implements Callable<Integer> {
    @Option(names = "--series", description = "Series interleaved (state objects kept live). Default: ${DEFAULT-VALUE}",
            defaultValue = "1000")
    int series;

    @Option(names = "--points", description = "Points per series per round. Default: ${DEFAULT-VALUE}",
            defaultValue = "2000")
    int points;

    @Option(names = "--rounds", description = "Measured rounds after one warm-up round. Default: ${DEFAULT-VALUE}",
            defaultValue = "3")
    int rounds;

    @Option(names = "--operator", description = "Also measure the keyed scoring function in a local Flink job "
            + "(parallelism 1) against a keyed pass-through in the same run.")
    boolean operator;

    @Override
    public Integer call() throws Exception {
        if (series < 1 || points < 1 || rounds < 1) {
            throw new IllegalArgumentException("--series, --points and --rounds must be at least 1");
        }
        AnomalyScorer scorer = new AnomalyScorer(new AnomalyConfig());
        double[][] data = synthetic(series, points);
        long[] ts = new long[points];
        for (int i = 0; i < points; i++) {
            ts[i] = 1_400_000_000_000L + i * 300_000L;
        }
        double scorerRate = 0;
        double baselineRate = 0;
        double sink = 0;
        for (int round = 0; round <= rounds; round++) {
            AnomalyState[] states = new AnomalyState[series];
            EwmStats[] base = new EwmStats[series];
            for (int s = 0; s < series; s++) {
                states[s] = scorer.newState();
                base[s] = new EwmStats();
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < points; i++) {
                for (int s = 0; s < series; s++) {
                    AnomalyScore a = scorer.score(states[s], ts[i], data[s][i]);
                    sink += a.score;
                }
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < points; i++) {
                for (int s = 0; s < series; s++) {
                    sink += base[s].z(data[s][i], 1e-9);
                    base[s].update(data[s][i], 2.0 / 289);
                }
            }
            long t2 = System.nanoTime();
            if (round > 0) { // round 0 warms the JIT up
                scorerRate += (double) series * points / ((t1 - t0) / 1e9) / rounds;
                baselineRate += (double) series * points / ((t2 - t1) / 1e9) / rounds;
            }
        }
        AnomalyState warm = scorer.newState();
        for (int i = 0; i < points; i++) {
            scorer.score(warm, ts[i], data[0][i]);
        }
        TypeInformation<AnomalyState> info = TypeInformation.of(AnomalyState.class);
        if (!(info instanceof PojoTypeInfo)) {
            throw new IllegalStateException("AnomalyState is not a Flink POJO (" + info + "): it would go through Kryo");
        }
        TypeSerializer<AnomalyState> serializer = info.createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(4096);
        serializer.serialize(warm, out);
        System.out.printf(Locale.ROOT, "anomaly scorer : %,12.0f points/s on one core (%d series x %d points, %d rounds)%n",
                scorerRate, series, points, rounds);
        System.out.printf(Locale.ROOT, "EW z baseline  : %,12.0f points/s on one core (ratio scorer/baseline %.3f)%n",
                baselineRate, scorerRate / baselineRate);
        System.out.printf(Locale.ROOT, "state per series: %d bytes serialized by Flink's POJO serializer (%s)%n",
                out.length(), scorer.config().seasonalSlots + " time-of-day slots");
        if (operator) {
            measureOperator(data, ts);
        }
        if (sink == 42) {
            System.out.println(); // keeps the JIT from discarding the work
        }
        return 0;
    }

    /**
     * Points/s of the keyed scoring function in a Flink job on one slot (source, keyBy, score, discard) against the
     * same job with a keyed function that only touches its state, so the ratio isolates the scoring cost.
     */
    private void measureOperator(double[][] data, long[] ts) throws Exception {
        java.util.List<io.vigil.model.Telemetry> points = new java.util.ArrayList<>();
        for (int i = 0; i < points(data); i++) {
            for (int s = 0; s < data.length; s++) {
                points.add(io.vigil.model.Telemetry.metric(ts[i], "bench", "series-" + s, data[s][i]));
            }
        }
        double passThrough = 0;
        double scoring = 0;
        for (int round = 0; round <= 1; round++) { // round 0 warms up
            passThrough = runJob(points, new PassThrough());
            scoring = runJob(points, new io.vigil.detect.anomaly.AnomalySeriesFunction(new AnomalyConfig(), 7 * 86_400_000L));
        }
        System.out.printf(Locale.ROOT, "operator (Flink, 1 slot): %,10.0f points/s; keyed pass-through %,10.0f "
                + "points/s (ratio %.3f)%n", scoring, passThrough, scoring / passThrough);
    }

    private static int points(double[][] data) {
        return data[0].length;
    }

    private static double runJob(java.util.List<io.vigil.model.Telemetry> points,
            org.apache.flink.streaming.api.functions.KeyedProcessFunction<String, io.vigil.model.Telemetry,
                    io.vigil.model.Rollup> fn) throws Exception {
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env =
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(points)
                .assignTimestampsAndWatermarks(org.apache.flink.api.common.eventtime.WatermarkStrategy
                        .<io.vigil.model.Telemetry>forMonotonousTimestamps().withTimestampAssigner((t, x) -> t.timestamp))
                .keyBy(t -> t.name).process(fn)
                .returns(io.vigil.model.Rollup.class)
                .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>());
        long t0 = System.nanoTime();
        env.execute("vigil bench anomaly");
        return points.size() / ((System.nanoTime() - t0) / 1e9);
    }

    /** Baseline: buffers each point in keyed state and fires an event-time timer like the scorer, without scoring. */
    static final class PassThrough extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<String,
            io.vigil.model.Telemetry, io.vigil.model.Rollup> {
        private static final long serialVersionUID = 1L;
        private transient org.apache.flink.api.common.state.ValueState<Double> last;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
            last = getRuntimeContext().getState(new org.apache.flink.api.common.state.ValueStateDescriptor<>("last",
                    org.apache.flink.api.common.typeinfo.Types.DOUBLE));
        }

        @Override
        public void processElement(io.vigil.model.Telemetry t, Context ctx,
                org.apache.flink.util.Collector<io.vigil.model.Rollup> out) throws Exception {
            last.update(t.value);
            ctx.timerService().registerEventTimeTimer(t.timestamp);
        }

        @Override
        public void onTimer(long ts, OnTimerContext ctx, org.apache.flink.util.Collector<io.vigil.model.Rollup> out)
                throws Exception {
            out.collect(new io.vigil.model.Rollup("last", "bench", ts, ts + 1, last.value(), 1));
        }
    }

    /** Daily sine plus noise, with a spike every ~700 points and a step in a third of the series. */
    static double[][] synthetic(int series, int points) {
        Random rnd = new Random(7);
        double[][] d = new double[series][points];
        for (int s = 0; s < series; s++) {
            double level = 10 + rnd.nextDouble() * 90;
            double amp = level * rnd.nextDouble() * 0.5;
            for (int i = 0; i < points; i++) {
                double x = level + amp * Math.sin(2 * Math.PI * i / 288.0) + rnd.nextGaussian() * level * 0.05;
                if (rnd.nextInt(700) == 0) {
                    x += level * 2;
                }
                if (s % 3 == 0 && i > points / 2) {
                    x += level * 0.3;
                }
                d[s][i] = x;
            }
        }
        return d;
    }
}
