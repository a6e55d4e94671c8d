package io.vigil.detect.anomaly;

import io.vigil.detect.Detector;
import io.vigil.detect.DetectorContext;
import io.vigil.detect.Incidents;
import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Evaluates one {@code anomaly} rule per key inside the shared detector operator. A series is the metric name within
 * the rule's key, so one key may hold several series.
 *
 * <p>What it assumes about the stream: records come in any event-time order, so each point waits in state until the
 * watermark passes its timestamp (one timer per distinct timestamp), and the series are then scored in event-time
 * order, points with one timestamp in arrival order. A point at or behind the watermark can no longer be placed and is
 * counted as late. Duplicates are scored twice (the detector cannot tell a duplicate from a repeated value).
 *
 * <p>State per key: the pending points (bounded by the watermark delay), one {@link AnomalyState} and one
 * {@link SeriesStatus} per series, and the time of the one expiry timer. A series that sent nothing for
 * {@code expireAfter} of event time is forgotten when that timer fires, so stopped series do not hold state; the timer
 * is re-armed for the oldest remaining series, so a key never holds more than one expiry timer.
 *
 * <p>Output: an alert when the evidence first reaches the alerting level while no incident is open for the series,
 * resolved after {@code resolveAfter} consecutive points without red evidence; and rollups of the score, expected
 * value and band, at most four per series per {@code rollupEvery} (every point when it is 0).
 */
public final class AnomalyDetector implements Detector {
    static final MapStateDescriptor<Long, Pending> PENDING =
            new MapStateDescriptor<>("anomaly.pending", Types.LONG, TypeInformation.of(Pending.class));
    static final MapStateDescriptor<String, AnomalyState> SERIES =
            new MapStateDescriptor<>("anomaly.series", Types.STRING, TypeInformation.of(AnomalyState.class));
    static final MapStateDescriptor<String, SeriesStatus> STATUS =
            new MapStateDescriptor<>("anomaly.status", Types.STRING, TypeInformation.of(SeriesStatus.class));
    static final ValueStateDescriptor<Long> EXPIRY = new ValueStateDescriptor<>("anomaly.expiryTimer", Types.LONG);
    /** Expiry checks are rounded up to this grid, so one timer covers the series that stopped within an hour. */
    static final long EXPIRY_GRID_MS = 3_600_000L;

    static final String SCORE = "anomaly_score";
    static final String EXPECTED = "anomaly_expected";
    static final String LOWER = "anomaly_lower";
    static final String UPPER = "anomaly_upper";

    private final AnomalyScorer scorer;
    private final String field;
    private final long resolveAfter;
    private final long expireAfter;
    private final boolean rollups;
    private final long rollupEvery;

    AnomalyDetector(
            AnomalyConfig config,
            String field,
            long resolveAfter,
            long expireAfter,
            boolean rollups,
            long rollupEvery) {
        this.scorer = new AnomalyScorer(config);
        this.field = field;
        this.resolveAfter = resolveAfter;
        this.expireAfter = expireAfter;
        this.rollups = rollups;
        this.rollupEvery = rollupEvery;
    }

    @Override
    public List<StateDescriptor<?, ?>> state() {
        return List.of(PENDING, SERIES, STATUS, EXPIRY);
    }

    @Override
    public void onRecord(Telemetry t, DetectorContext ctx) throws Exception {
        double v = t.number(field);
        if (!Double.isFinite(v)) {
            return; // the record lacks the field (or it is NaN): nothing to score
        }
        if (t.timestamp <= ctx.currentWatermark()) {
            ctx.late();
            return;
        }
        MapState<Long, Pending> pending = ctx.mapState(PENDING);
        Pending p = pending.get(t.timestamp);
        if (p == null) {
            p = new Pending();
            ctx.registerTimer(t.timestamp);
        }
        p.add(t.name == null ? "" : t.name, v);
        pending.put(t.timestamp, p);
    }

    @Override
    public void onTimer(long timestamp, DetectorContext ctx) throws Exception {
        MapState<Long, Pending> pending = ctx.mapState(PENDING);
        Pending p = pending.get(timestamp);
        ValueState<Long> expiry = ctx.state(EXPIRY);
        if (p != null) {
            pending.remove(timestamp);
            MapState<String, AnomalyState> series = ctx.mapState(SERIES);
            MapState<String, SeriesStatus> status = ctx.mapState(STATUS);
            for (int i = 0; i < p.metrics.length; i++) {
                score(p.metrics[i], timestamp, p.values[i], series, status, ctx);
            }
            if (expiry.value() == null) {
                long due = expiryCheck(timestamp);
                ctx.registerTimer(due);
                expiry.update(due);
            }
        }
        Long due = expiry.value();
        if (due != null && due == timestamp) {
            expire(timestamp, expiry, ctx);
        }
    }

    /** The first grid point at which a series last seen at {@code lastSeen} is due to be forgotten. */
    private long expiryCheck(long lastSeen) {
        long due = lastSeen + expireAfter;
        return Math.floorDiv(due, EXPIRY_GRID_MS) * EXPIRY_GRID_MS + EXPIRY_GRID_MS - 1;
    }

    private void score(
            String metric,
            long ts,
            double value,
            MapState<String, AnomalyState> series,
            MapState<String, SeriesStatus> status,
            DetectorContext ctx)
            throws Exception {
        AnomalyState s = series.get(metric);
        if (s == null) {
            s = scorer.newState();
        }
        AnomalyScore a = scorer.score(s, ts, value);
        series.put(metric, s);
        SeriesStatus st = status.get(metric);
        if (st == null) {
            st = new SeriesStatus();
        }
        if (rollups) {
            rollup(metric, ts, a, st, ctx);
        }
        // Quiet means the raw evidence (before first-crossing demotion) is below red: a long anomaly whose points are
        // demoted keeps its incident open instead of resolving and re-alerting.
        boolean red = a.tailProbability <= Math.pow(10, -scorer.config().redSurprise);
        // The condition: an anomaly starts with the scorer's alert and holds until resolve_after points in a row
        // without red evidence; it runs through the incident lifecycle like every kind's condition.
        boolean open = st.incidentId != null;
        boolean tracking = open || (st.timing != null && st.timing.pending);
        st.quiet = !tracking || red ? 0 : st.quiet + 1;
        boolean holds = tracking ? st.quiet < resolveAfter : a.alert;
        Incidents.Step step;
        if (Incidents.antiFlap(ctx.rule())) {
            if (st.timing == null) {
                st.timing = new Incidents.Timing();
            }
            step = Incidents.step(ctx.rule().forMillis, ctx.rule().keepFiringForMillis, open, st.timing, holds, ts);
            if (st.timing.idle(step == Incidents.Step.FIRE || (open && step != Incidents.Step.RESOLVE))) {
                st.timing = null;
            }
        } else {
            step = holds && !open ? Incidents.Step.FIRE : !holds && open ? Incidents.Step.RESOLVE : Incidents.Step.NONE;
        }
        if (step == Incidents.Step.FIRE) {
            Alert alert = ctx.newAlert(ts, ts + 1, value, a.expected, value >= a.expected ? ">" : "<");
            describe(alert, metric, a);
            st.incidentId = alert.id;
            st.quiet = 0;
            ctx.emit(alert);
        } else if (step == Incidents.Step.RESOLVE) {
            Alert r = ctx.newAlert(ts, ts + 1, value, a.expected, value >= a.expected ? ">" : "<");
            describe(r, metric, a);
            Incidents.resolution(r, st.incidentId);
            st.incidentId = null;
            st.quiet = 0;
            ctx.emit(r);
        }
        status.put(metric, st);
    }

    /**
     * Rollups of one scored point. With {@code rollupEvery > 0} the points of a series are gathered until the first
     * point of a new interval, which emits the four rollups for everything gathered since the last emission: the
     * highest score (and its model), and the expected value and band at the emitting point.
     */
    private void rollup(String metric, long ts, AnomalyScore a, SeriesStatus st, DetectorContext ctx) {
        if (st.gathered == 0 || a.score > st.maxScore) {
            st.maxScore = a.score;
            st.maxModel = a.model;
        }
        if (st.gathered == 0) {
            st.gatheredFrom = ts;
        }
        st.gathered++;
        long interval = rollupEvery > 0 ? Math.floorDiv(ts, rollupEvery) : ts;
        if (rollupEvery > 0 && st.lastInterval != null && st.lastInterval == interval) {
            return;
        }
        long from = st.gatheredFrom;
        long n = st.gathered;
        ctx.emit(rollup(SCORE, metric, st.maxScore, from, ts, n, ctx).label("model", st.maxModel));
        ctx.emit(rollup(EXPECTED, metric, a.expected, from, ts, n, ctx));
        ctx.emit(rollup(LOWER, metric, a.lower, from, ts, n, ctx));
        ctx.emit(rollup(UPPER, metric, a.upper, from, ts, n, ctx));
        st.lastInterval = interval;
        st.gathered = 0;
        st.maxScore = 0;
        st.maxModel = null;
    }

    private static Rollup rollup(
            String name, String metric, double value, long from, long ts, long count, DetectorContext ctx) {
        Rollup r = new Rollup(name, ctx.keyFields().getOrDefault("service.name", ""), from, ts + 1, value, count);
        r.label("rule", ctx.rule().id()).label("series", metric);
        for (Map.Entry<String, String> e : ctx.keyFields().entrySet()) {
            if (!e.getKey().equals("service.name")) {
                r.label(e.getKey(), e.getValue());
            }
        }
        return r;
    }

    private static void describe(Alert alert, String metric, AnomalyScore a) {
        alert.labels.put("metric", metric);
        alert.labels.put("model", a.model);
        alert.annotations.put("anomaly_score", String.format(Locale.ROOT, "%.4f", a.score));
        alert.annotations.put("tail_probability", String.format(Locale.ROOT, "%.3g", a.tailProbability));
        alert.annotations.put("expected_band", String.format(Locale.ROOT, "[%.6g, %.6g]", a.lower, a.upper));
    }

    /** Forgets the series that sent nothing for {@code expireAfter}; re-arms the timer for the oldest one left. */
    private void expire(long timestamp, ValueState<Long> expiry, DetectorContext ctx) throws Exception {
        MapState<String, AnomalyState> series = ctx.mapState(SERIES);
        MapState<String, SeriesStatus> status = ctx.mapState(STATUS);
        List<String> gone = new ArrayList<>();
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<String, AnomalyState> e : series.entries()) {
            long last = e.getValue().lastTimestamp;
            if (last + expireAfter <= timestamp) {
                gone.add(e.getKey());
            } else {
                oldest = Math.min(oldest, last);
            }
        }
        for (String m : gone) {
            series.remove(m);
            status.remove(m);
        }
        if (oldest == Long.MAX_VALUE) {
            expiry.clear();
        } else {
            long next = expiryCheck(oldest); // a grid point after this one: oldest + expireAfter > timestamp
            ctx.registerTimer(next);
            expiry.update(next);
        }
    }

    /** Points waiting for the watermark at one timestamp: metric names and values, in arrival order. */
    public static class Pending {
        public String[] metrics = new String[0];
        public double[] values = new double[0];

        public Pending() {}

        void add(String metric, double value) {
            metrics = Arrays.copyOf(metrics, metrics.length + 1);
            values = Arrays.copyOf(values, values.length + 1);
            metrics[metrics.length - 1] = metric;
            values[values.length - 1] = value;
        }
    }

    /**
     * Alerting and rollup status of one series: the open incident, the points since the evidence was last red, and
     * the points gathered for the next rollup.
     */
    public static class SeriesStatus {
        public String incidentId;
        public long quiet;
        /** Pending and keep-firing times of the series' condition; null unless the rule sets for/keep_firing_for. */
        public Incidents.Timing timing;
        /** Rollup interval of the last emitted rollups (null before the first). */
        public Long lastInterval;

        public long gathered;
        public long gatheredFrom;
        public double maxScore;
        public String maxModel;

        public SeriesStatus() {}
    }
}
