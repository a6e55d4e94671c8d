package io.vigil.detect.anomaly;

import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.Arrays;

/**
 * Scores one metric series per key with {@link AnomalyScorer} from keyed state and emits, per point, the rollups
 * {@code anomaly_score} (labels {@code series}, {@code model}, {@code alert}), {@code anomaly_expected},
 * {@code anomaly_lower} and {@code anomaly_upper}. It is the operator the NAB benchmark and the throughput benchmark
 * run, and the reference behaviour for the {@code anomaly} rule kind's detector.
 *
 * <p>What it assumes about the stream: points come in any event-time order; each waits in keyed state until the
 * watermark passes its timestamp and series are scored in event-time order (points with one timestamp in arrival
 * order). A point at or behind the watermark can no longer be placed and is dropped (counted by the caller's metrics
 * if needed). A series that sends nothing for {@code expireAfterMs} of event time is forgotten: an expiry timer on an
 * hourly grid clears its state, so stopped series do not hold state forever.
 */
public class AnomalySeriesFunction extends KeyedProcessFunction<String, Telemetry, Rollup> {
    private static final long serialVersionUID = 1L;
    /** Expiry timers are rounded up to this grid so a busy series keeps at most a few of them. */
    static final long EXPIRY_GRID_MS = 3_600_000L;

    private final AnomalyConfig config;
    private final long expireAfterMs;
    private transient AnomalyScorer scorer;
    private transient ValueState<AnomalyState> state;
    private transient MapState<Long, double[]> pending;

    public AnomalySeriesFunction(AnomalyConfig config, long expireAfterMs) {
        this.config = config.validate();
        if (expireAfterMs <= 0) {
            throw new IllegalArgumentException("expire_after must be positive, not " + expireAfterMs + " ms");
        }
        this.expireAfterMs = expireAfterMs;
    }

    public static ValueStateDescriptor<AnomalyState> stateDescriptor() {
        return new ValueStateDescriptor<>("anomaly.series", TypeInformation.of(AnomalyState.class));
    }

    @Override
    public void open(OpenContext ctx) {
        scorer = new AnomalyScorer(config);
        state = getRuntimeContext().getState(stateDescriptor());
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("anomaly.pending", Types.LONG,
                PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement(Telemetry t, Context ctx, Collector<Rollup> out) throws Exception {
        if (!Double.isFinite(t.value) || t.timestamp <= ctx.timerService().currentWatermark()) {
            return;
        }
        double[] p = pending.get(t.timestamp);
        if (p == null) {
            p = new double[0];
            ctx.timerService().registerEventTimeTimer(t.timestamp);
        }
        double[] q = Arrays.copyOf(p, p.length + 1);
        q[p.length] = t.value;
        pending.put(t.timestamp, q);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Rollup> out) throws Exception {
        double[] values = pending.get(ts);
        AnomalyState s = state.value();
        if (values == null) {
            // An expiry check: forget the series if nothing arrived for expireAfterMs.
            if (s != null && s.lastTimestamp + expireAfterMs <= ts) {
                state.clear();
            }
            return;
        }
        pending.remove(ts);
        if (s == null) {
            s = scorer.newState();
        }
        String series = ctx.getCurrentKey();
        for (double v : values) {
            AnomalyScore a = scorer.score(s, ts, v);
            out.collect(rollup("anomaly_score", series, ts, a.score).label("model", a.model)
                    .label("alert", Boolean.toString(a.alert)));
            out.collect(rollup("anomaly_expected", series, ts, a.expected));
            out.collect(rollup("anomaly_lower", series, ts, a.lower));
            out.collect(rollup("anomaly_upper", series, ts, a.upper));
        }
        state.update(s);
        long due = ts + expireAfterMs;
        ctx.timerService().registerEventTimeTimer(Math.floorDiv(due, EXPIRY_GRID_MS) * EXPIRY_GRID_MS
                + EXPIRY_GRID_MS - 1);
    }

    private static Rollup rollup(String metric, String series, long ts, double value) {
        return new Rollup(metric, "", ts, ts + 1, value, 1).label("series", series);
    }
}
