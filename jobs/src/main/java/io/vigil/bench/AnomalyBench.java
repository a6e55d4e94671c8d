package io.vigil.bench;

import io.vigil.detect.DetectorOperator;
import io.vigil.detect.FixedRuleRouter;
import io.vigil.detect.Routed;
import io.vigil.detect.RuleBook;
import io.vigil.detect.RuleRouter;
import io.vigil.detect.anomaly.AnomalyConfig;
import io.vigil.detect.anomaly.AnomalyDetector;
import io.vigil.detect.anomaly.AnomalyScore;
import io.vigil.detect.anomaly.AnomalyScorer;
import io.vigil.detect.anomaly.AnomalyState;
import io.vigil.detect.anomaly.EwmStats;
import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil bench anomaly}: points per second per core of the anomaly scorer on synthetic series (daily rhythm,
 * noise, occasional spikes and steps), against a plain exponentially weighted z-score measured in the same run, and
 * the serialized size of one series' state as Flink's POJO serializer writes it.
 */
@Command(
        name = "anomaly",
        mixinStandardHelpOptions = true,
        description = "Measure anomaly scorer throughput (points/s on one core) and state bytes per series.")
public final class AnomalyBench implements Callable<Integer> {
    @Option(
            names = "--series",
            description = "Series interleaved (state objects kept live). Default: ${DEFAULT-VALUE}",
            defaultValue = "1000")
    int series;

    @Option(
            names = "--points",
            description = "Points per series per round. Default: ${DEFAULT-VALUE}",
            defaultValue = "2000")
    int points;

    @Option(
            names = "--rounds",
            description = "Measured rounds after one warm-up round. Default: ${DEFAULT-VALUE}",
            defaultValue = "3")
    int rounds;

    @Option(
            names = "--operator",
            description = "Also measure the anomaly rule in the detector operator (the detection "
                    + "job's graph, parallelism 1) against a keyed pass-through in the same run.")
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
            throw new IllegalStateException(
                    "AnomalyState is not a Flink POJO (" + info + "): it would go through Kryo");
        }
        TypeSerializer<AnomalyState> serializer = info.createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(4096);
        serializer.serialize(warm, out);
        System.out.printf(
                Locale.ROOT,
                "anomaly scorer : %,12.0f points/s on one core (%d series x %d points, %d rounds)%n",
                scorerRate,
                series,
                points,
                rounds);
        System.out.printf(
                Locale.ROOT,
                "EW z baseline  : %,12.0f points/s on one core (ratio scorer/baseline %.3f)%n",
                baselineRate,
                scorerRate / baselineRate);
        System.out.printf(
                Locale.ROOT,
                "state per series: %d bytes serialized by Flink's POJO serializer (%s)%n",
                out.length(),
                scorer.config().seasonalSlots + " time-of-day slots");
        // The anomaly rule's detector keeps, per series, that state plus its alerting/rollup status under the metric
        // name; per key it adds the expiry timer's time (8 bytes) and the operator's rule-version entry.
        AnomalyDetector.SeriesStatus status = new AnomalyDetector.SeriesStatus();
        status.lastInterval = 0L;
        status.maxModel = "likelihood";
        TypeInformation<AnomalyDetector.SeriesStatus> statusInfo =
                TypeInformation.of(AnomalyDetector.SeriesStatus.class);
        if (!(statusInfo instanceof PojoTypeInfo)) {
            throw new IllegalStateException("SeriesStatus is not a Flink POJO: it would go through Kryo");
        }
        DataOutputSerializer statusOut = new DataOutputSerializer(256);
        statusInfo.createSerializer(new SerializerConfigImpl()).serialize(status, statusOut);
        System.out.printf(
                Locale.ROOT,
                "anomaly rule    : %d + %d bytes per series (scorer state + alerting/rollup "
                        + "status, no open incident) plus the metric name as map key%n",
                out.length(),
                statusOut.length());
        if (operator) {
            measureOperator(data, ts);
        }
        if (sink == 42) {
            System.out.println(); // keeps the JIT from discarding the work
        }
        return 0;
    }

    /**
     * The anomaly rule in the shared detector operator as the detection job runs it with rules fixed at start
     * (source, rule router in the source's task, keyBy routing key, {@link DetectorOperator}, rollups discarded)
     * against the same graph whose keyed operator only buffers each point in keyed state until an event-time timer,
     * without scoring. Both run at parallelism 1 in this JVM, measured as every benchmark's job is ({@link
     * BenchJobs#execute}): per second of the job's net runtime and per second of this process's CPU time (all threads:
     * source, router, operator, GC), which other processes on the machine do not distort.
     */
    private void measureOperator(double[][] data, long[] ts) throws Exception {
        List<Telemetry> points = new ArrayList<>();
        for (int i = 0; i < points(data); i++) {
            for (int s = 0; s < data.length; s++) {
                points.add(Telemetry.metric(ts[i], "bench", "series-" + s, data[s][i]));
            }
        }
        RuleSpec rule = NabJobRunner.rule(Map.of());
        rule.match = new LinkedHashMap<>(Map.of("signal", "metric", "service.name", "bench"));
        double[] pass = null;
        double[] scoring = null;
        for (int round = 0; round <= 1; round++) { // round 0 warms up
            pass = runJob(points, rule, false);
            scoring = runJob(points, rule, true);
        }
        System.out.printf(
                Locale.ROOT,
                "operator (detection job graph, parallelism 1, %,d points, %d series, 4 " + "rollups per point):%n",
                points.size(),
                data.length);
        System.out.printf(
                Locale.ROOT,
                "  anomaly rule in DetectorOperator: %,10.0f points/s wall, %,10.0f points per CPU-second%n",
                scoring[0],
                scoring[1]);
        System.out.printf(
                Locale.ROOT,
                "  keyed pass-through (same graph) : %,10.0f points/s wall, %,10.0f points per CPU-second%n",
                pass[0],
                pass[1]);
        System.out.printf(
                Locale.ROOT,
                "  ratio anomaly/pass-through      : %.3f wall, %.3f CPU%n",
                scoring[0] / pass[0],
                scoring[1] / pass[1]);
    }

    private static int points(double[][] data) {
        return data[0].length;
    }

    /** Runs the graph once; returns {points per wall second, points per CPU second of this process}. */
    private static double[] runJob(List<Telemetry> points, RuleSpec rule, boolean score) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        RuleBook book = new RuleBook(List.of(rule));
        DataStream<RuleUpdate> updates = env.fromData(List.of(new RuleUpdate()), TypeInformation.of(RuleUpdate.class));
        KeyedStream<Routed, String> keyed = env.fromData(points, TypeInformation.of(Telemetry.class))
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Telemetry>forMonotonousTimestamps()
                        .withTimestampAssigner((t, x) -> t.timestamp))
                .process(new FixedRuleRouter(new RuleRouter(book)), TypeInformation.of(Routed.class))
                .keyBy(r -> r.key, Types.STRING);
        if (score) {
            SingleOutputStreamOperator<Alert> detected = keyed.connect(updates.broadcast())
                    .transform("Detectors", TypeInformation.of(Alert.class), new DetectorOperator(book));
            detected.sinkTo(new DiscardingSink<>());
            detected.getSideOutput(DetectorOperator.ROLLUPS).sinkTo(new DiscardingSink<>());
        } else {
            keyed.connect(updates.broadcast(RuleBook.RULES))
                    .process(new PassThrough())
                    .sinkTo(new DiscardingSink<>());
        }
        BenchJobs.Run run = BenchJobs.execute(env, "vigil bench anomaly");
        return new double[] {run.perSecond(points.size()), run.perCpuSecond(points.size())};
    }

    /**
     * Baseline: like the detector, keeps each point in keyed state until an event-time timer at its timestamp and then
     * emits one rollup, without scoring.
     */
    static final class PassThrough extends KeyedBroadcastProcessFunction<String, Routed, RuleUpdate, Rollup> {
        private static final long serialVersionUID = 1L;
        private transient MapState<Long, Double> pending;

        @Override
        public void open(OpenContext ctx) {
            pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending", Types.LONG, Types.DOUBLE));
        }

        @Override
        public void processElement(Routed r, ReadOnlyContext ctx, Collector<Rollup> out) throws Exception {
            pending.put(r.record.timestamp, r.record.value);
            ctx.timerService().registerEventTimeTimer(r.record.timestamp);
        }

        @Override
        public void processBroadcastElement(RuleUpdate u, Context ctx, Collector<Rollup> out) {}

        @Override
        public void onTimer(long ts, OnTimerContext ctx, Collector<Rollup> out) throws Exception {
            Double v = pending.get(ts);
            pending.remove(ts);
            out.collect(new Rollup("last", "bench", ts, ts + 1, v == null ? Double.NaN : v, 1));
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
