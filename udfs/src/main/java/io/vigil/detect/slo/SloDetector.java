package io.vigil.detect.slo;

import io.vigil.alert.AlertIds;
import io.vigil.alert.Templates;
import io.vigil.detect.Detector;
import io.vigil.detect.DetectorContext;
import io.vigil.detect.Incidents;
import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.rules.Durations;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Evaluates one SLO per key from compact time buckets, never from lists of events, so its state is bounded whatever
 * the traffic:
 * <ul>
 *   <li>fine buckets of {@code resolution} (1m) holding {total, bad-or-good} for the windows up to 360 buckets long
 *       (6h at 1m) and at least one coarse bucket: with the default windows 361 buckets, in entries of up to {@link
 *       #FINE_BLOCK} consecutive buckets (13 entries);</li>
 *   <li>coarse buckets of {@code coarse_resolution} (1h) for longer windows and the error budget over the period: with
 *       a 30d period 721 buckets, in entries of up to {@link #COARSE_BLOCK} (31 entries);</li>
 *   <li>the open incident of each alert (page, ticket) and, for counter SLIs, the last reading of each counter series.</li>
 * </ul>
 * So about 1,100 buckets of 16 bytes of values each in some 45 entries, under 20 KB per SLO key; {@code
 * SloDetectorTest#stateStaysBoundedWhateverTheTraffic} checks the bound.
 *
 * <p>Buckets are kept in blocks rather than one map entry each because every evaluation reads all of them: with one
 * entry per bucket an evaluation walked about 1,100 map entries (the SLO rules' evaluations were a seventh of the
 * detectors' thread with 200 rules on RocksDB), now about 45 arrays. An entry's key is the start of its first bucket
 * and its value holds {total, bad-or-good} per bucket from there, one bucket width apart, as far as the latest bucket
 * with data; a bucket with neither is empty. The earlier layout, one entry per bucket, is the same thing with one
 * bucket per entry, so state saved by it is read as it is; its entries leave as their buckets expire.
 *
 * <p>A window ending at a bucket boundary is judged by an event-time timer once the watermark passes it, so records up
 * to the watermark delay out of order count where they belong. Later records still count in the buckets (the long
 * windows and the budget see them) but are also counted as late: the evaluations of their minute are done. Records
 * older than the longest retention are dropped. Long windows are the fine buckets of their last part plus coarse
 * buckets before it; only the oldest coarse bucket is pro-rated, an error below one coarse bucket in the window.
 *
 * <p>A bounded run judges the windows that closed by its end time and no later ones (see {@link
 * io.vigil.detect.DetectorOperator}). While an alert is open or any window still holds bad events, the detector
 * re-evaluates every resolution step even without traffic, so alerts resolve and burn rates fall when the errors (or
 * all records) stop.
 */
final class SloDetector implements Detector {
    /** A window is served from fine buckets when it is at most this many of them long. */
    static final int FINE_MAX_BUCKETS = 360;

    /** Fine buckets per state entry: half an hour at the default resolution. */
    static final int FINE_BLOCK = 30;

    /** Coarse buckets per state entry: a day at the default coarse resolution. */
    static final int COARSE_BLOCK = 24;

    static final MapStateDescriptor<Long, double[]> FINE =
            new MapStateDescriptor<>("slo.fine", Types.LONG, PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO);
    static final MapStateDescriptor<Long, double[]> COARSE =
            new MapStateDescriptor<>("slo.coarse", Types.LONG, PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO);
    /** Alert name (page, ticket) to the id of its open incident. */
    private static final MapStateDescriptor<String, String> INCIDENTS =
            new MapStateDescriptor<>("slo.incidents", Types.STRING, Types.STRING);
    /** Alert name to the anti-flap times of its condition, for rules with {@code for}/{@code keep_firing_for}. */
    private static final MapStateDescriptor<String, Incidents.Timing> TIMINGS =
            new MapStateDescriptor<>("slo.timings", Types.STRING, TypeInformation.of(Incidents.Timing.class));
    /**
     * Alert name to the index (in {@link #pairs}) of the burn-rate pair that last held while its incident was open, so
     * the resolved alert names the pair that fired or last held it, not the alert's first pair.
     */
    private static final MapStateDescriptor<String, Integer> HELD =
            new MapStateDescriptor<>("slo.held", Types.STRING, Types.INT);
    /** Counter series to {timestamp, value} of its last reading. */
    private static final MapStateDescriptor<String, double[]> READINGS = new MapStateDescriptor<>(
            "slo.readings", Types.STRING, PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO);

    final double objective;
    /** One minus the objective, exactly as its author wrote it: burn rates are compared against factors with it. */
    private final BigDecimal budget;
    /** The objective as a percentage label: a constant of the rule, formatted once (it labels every rollup). */
    private final String objectivePercent;

    final long period;
    private final Sli sli;
    final List<BurnRatePair> pairs;
    final long res;
    final long coarse;
    private final long minCount;
    /** Distinct window lengths, shortest first, then the period (for the budget) last. */
    final long[] windows;
    /** Longest window served from fine buckets; at least one coarse bucket. */
    final long fineRetention;
    /** How long coarse buckets are kept: the period or the longest window, plus one bucket. */
    final long coarseRetention;

    private final Map<String, List<BurnRatePair>> alerts = new LinkedHashMap<>();

    SloDetector(
            BigDecimal objective,
            long period,
            Sli sli,
            List<BurnRatePair> pairs,
            long res,
            long coarse,
            long minCount) {
        this.objective = objective.doubleValue();
        this.budget = BigDecimal.ONE.subtract(objective);
        this.objectivePercent = fmt(objective.movePointRight(2).doubleValue());
        this.period = period;
        this.sli = sli;
        this.pairs = pairs;
        this.res = res;
        this.coarse = coarse;
        this.minCount = minCount;
        TreeSet<Long> w = new TreeSet<>();
        long longest = 0;
        for (BurnRatePair p : pairs) {
            w.add(p.longWindow);
            w.add(p.shortWindow);
            longest = Math.max(longest, p.longWindow);
            alerts.computeIfAbsent(p.alert, k -> new ArrayList<>()).add(p);
        }
        long fine = coarse;
        for (long d : w) {
            if (isFine(d)) {
                fine = Math.max(fine, d);
            }
        }
        this.fineRetention = fine;
        this.coarseRetention = Math.max(period, longest) + coarse;
        w.remove(period);
        this.windows = new long[w.size() + 1];
        int i = 0;
        for (long d : w) {
            windows[i++] = d;
        }
        windows[i] = period;
    }

    private boolean isFine(long window) {
        return window <= FINE_MAX_BUCKETS * res;
    }

    @Override
    public List<StateDescriptor<?, ?>> state() {
        return List.of(FINE, COARSE, INCIDENTS, READINGS, TIMINGS, HELD);
    }

    @Override
    public void onRecord(Telemetry t, DetectorContext ctx) throws Exception {
        double total;
        double second;
        if (sli.fromMetrics()) {
            Sli.Role role = sli.role(t);
            if (role == Sli.Role.NONE) {
                return;
            }
            double increase = increase(t, ctx);
            if (!(increase > 0)) {
                return;
            }
            total = role == Sli.Role.TOTAL ? increase : 0;
            second = role == Sli.Role.TOTAL ? 0 : increase;
        } else {
            total = 1;
            second = sli.second(t) ? 1 : 0;
        }
        long watermark = ctx.currentWatermark();
        if (watermark > Long.MIN_VALUE + coarseRetention && t.timestamp < watermark - coarseRetention) {
            ctx.late();
            return; // older than anything a window or the budget still looks at
        }
        long fineStart = Math.floorDiv(t.timestamp, res) * res;
        long fineEnd = fineStart + res - 1;
        // Timers are set with a bucket's first record only: with RocksDB each registration is a write, and every later
        // record of the bucket would set the same timer again.
        boolean newFine = false;
        if (fineEnd <= watermark) {
            ctx.late(); // its minute was judged already; it still counts in the windows judged from now on
        }
        if (fineStart + fineRetention > watermark) {
            newFine = add(ctx.mapState(FINE), fineStart, res, FINE_BLOCK, total, second);
        }
        if (newFine && fineEnd > watermark) {
            ctx.registerTimer(fineEnd);
        }
        long coarseStart = Math.floorDiv(t.timestamp, coarse) * coarse;
        boolean newCoarse = add(ctx.mapState(COARSE), coarseStart, coarse, COARSE_BLOCK, total, second);
        // Clean-up: once the budget no longer needs this coarse bucket, a timer finds the key's state empty.
        long cleanup = coarseStart + coarse + coarseRetention - 1;
        if (newCoarse && cleanup > watermark) {
            ctx.registerTimer(cleanup);
        }
    }

    /**
     * Adds to the bucket at {@code start} (of buckets {@code width} long, {@code block} per entry); true if the bucket
     * was empty. A block grows to its latest bucket with data, so a key with little traffic keeps little.
     */
    private static boolean add(
            MapState<Long, double[]> buckets, long start, long width, int block, double total, double second)
            throws Exception {
        long blockStart = Math.floorDiv(start, width * block) * width * block;
        int at = 2 * (int) ((start - blockStart) / width);
        double[] b = buckets.get(blockStart);
        if (b == null) {
            b = new double[at + 2];
        } else if (b.length < at + 2) {
            b = Arrays.copyOf(b, at + 2);
        }
        boolean created = b[at] == 0 && b[at + 1] == 0;
        b[at] += total;
        b[at + 1] += second;
        buckets.put(blockStart, b);
        return created;
    }

    /** The increase of a counter since its series' previous reading; NaN for the first reading or one out of order. */
    private double increase(Telemetry t, DetectorContext ctx) throws Exception {
        if (!sli.cumulative) {
            return t.value;
        }
        MapState<String, double[]> readings = ctx.mapState(READINGS);
        String series = Sli.series(t);
        double[] last = readings.get(series);
        if (last != null && t.timestamp <= (long) last[0]) {
            return Double.NaN; // out of order: the increase was already taken from a newer reading
        }
        readings.put(series, new double[] {t.timestamp, t.value});
        if (last == null) {
            return Double.NaN;
        }
        double d = t.value - last[1];
        return d < 0 ? t.value : d; // a drop is a counter reset: it restarted from zero
    }

    @Override
    public void onTimer(long timestamp, DetectorContext ctx) throws Exception {
        long end = timestamp + 1;
        Windows w = sums(end, ctx.mapState(FINE), ctx.mapState(COARSE));
        MapState<String, String> incidents = ctx.mapState(INCIDENTS);
        boolean open = false;
        for (Map.Entry<String, List<BurnRatePair>> e : alerts.entrySet()) {
            open |= judge(e.getKey(), e.getValue(), w, end, incidents, ctx);
        }
        // A pending alert's windows still hold bad events (it held), so `burning` below keeps it judged every step.
        emitRollups(w, end, ctx);
        boolean burning = false;
        for (int i = 0; i < windows.length - 1; i++) {
            burning |= w.bad[i] > 0;
        }
        if (open || burning) {
            ctx.registerTimer(timestamp + res); // keep judging as the windows slide, records or not
        }
        if (w.empty && !open) {
            ctx.mapState(FINE).clear();
            ctx.mapState(COARSE).clear();
            ctx.mapState(READINGS).clear();
            incidents.clear();
            ctx.mapState(TIMINGS).clear();
            ctx.mapState(HELD).clear();
        }
    }

    /** Totals and bad counts of every window ending at {@code end}; expires buckets no window needs any more. */
    Windows sums(long end, MapState<Long, double[]> fine, MapState<Long, double[]> coarseBuckets) throws Exception {
        Windows w = new Windows(windows.length);
        // Fine buckets serve the last part [from, end) of the coarse windows, from a coarse boundary on.
        long from = Math.floorDiv(end - fineRetention + coarse - 1, coarse) * coarse;
        // An entry goes when none of its buckets with data is still needed.
        List<Long> expired = new ArrayList<>();
        for (Map.Entry<Long, double[]> e : fine.entries()) {
            double[] b = e.getValue();
            boolean needed = false;
            for (int at = 0; at < b.length; at += 2) {
                if (b[at] == 0 && b[at + 1] == 0) {
                    continue; // no data
                }
                long s = e.getKey() + (at / 2) * res;
                if (s >= end) {
                    w.empty = false;
                    needed = true;
                    continue; // ahead of the watermark: judged later
                }
                if (s < end - fineRetention) {
                    continue;
                }
                w.empty = false;
                needed = true;
                for (int i = 0; i < windows.length; i++) {
                    long lo = isFine(windows[i]) && i < windows.length - 1
                            ? end - windows[i]
                            : Math.max(from, end - windows[i]);
                    if (s >= lo) {
                        w.add(i, b, at, 1.0, sli.countsGood());
                    }
                }
            }
            if (!needed) {
                expired.add(e.getKey());
            }
        }
        for (Long s : expired) {
            fine.remove(s);
        }
        expired.clear();
        for (Map.Entry<Long, double[]> e : coarseBuckets.entries()) {
            double[] b = e.getValue();
            boolean needed = false;
            for (int at = 0; at < b.length; at += 2) {
                if (b[at] == 0 && b[at + 1] == 0) {
                    continue;
                }
                long c = e.getKey() + (at / 2) * coarse;
                if (c + coarse <= end - coarseRetention) {
                    continue;
                }
                w.empty = false;
                needed = true;
                for (int i = 0; i < windows.length; i++) {
                    if (isFine(windows[i]) && i < windows.length - 1) {
                        continue;
                    }
                    long overlap = Math.min(c + coarse, from) - Math.max(c, end - windows[i]);
                    if (overlap > 0) {
                        w.add(i, b, at, (double) overlap / coarse, sli.countsGood());
                    }
                }
            }
            if (!needed) {
                expired.add(e.getKey());
            }
        }
        for (Long c : expired) {
            coarseBuckets.remove(c);
        }
        return w;
    }

    double burnRate(Windows w, int i) {
        return w.total[i] <= 0 ? 0 : (w.bad[i] / w.total[i]) / (1 - objective);
    }

    private int index(long window) {
        for (int i = 0; i < windows.length - 1; i++) {
            if (windows[i] == window) {
                return i;
            }
        }
        return windows.length - 1; // the period itself
    }

    /**
     * True when the burn rate over window {@code i} is at least the pair's factor: bad / total / (1 - objective) >=
     * factor, compared as bad >= factor * (1 - objective) * total in exact decimals, so a burn exactly on the factor
     * holds whether the objective was written 99.9 or 0.999 (in doubles one of them falls a last bit short).
     */
    boolean burns(Windows w, int i, BurnRatePair p) {
        if (w.total[i] <= 0) {
            return false;
        }
        BigDecimal allowed = new BigDecimal(w.total[i]).multiply(budget).multiply(p.exactBurnRate);
        return new BigDecimal(w.bad[i]).compareTo(allowed) >= 0;
    }

    /**
     * Judges one alert (page, ticket) through the incident lifecycle, firing or resolving it; returns whether it is
     * open afterwards.
     */
    private boolean judge(
            String name,
            List<BurnRatePair> conditions,
            Windows w,
            long end,
            MapState<String, String> incidents,
            DetectorContext ctx)
            throws Exception {
        BurnRatePair holding = null;
        for (BurnRatePair p : conditions) {
            int li = index(p.longWindow);
            int si = index(p.shortWindow);
            if (w.total[li] >= minCount && burns(w, li, p) && burns(w, si, p)) {
                holding = p;
                break;
            }
        }
        String open = incidents.get(name);
        Incidents.Step step;
        if (Incidents.antiFlap(ctx.rule())) {
            MapState<String, Incidents.Timing> timings = ctx.mapState(TIMINGS);
            Incidents.Timing timing = timings.get(name);
            if (timing == null) {
                timing = new Incidents.Timing();
            }
            step = Incidents.step(
                    ctx.rule().forMillis, ctx.rule().keepFiringForMillis, open != null, timing, holding != null, end);
            boolean openAfter = step == Incidents.Step.FIRE || (open != null && step != Incidents.Step.RESOLVE);
            if (timing.idle(openAfter)) {
                timings.remove(name);
            } else {
                timings.put(name, timing);
            }
        } else {
            step = holding != null && open == null
                    ? Incidents.Step.FIRE
                    : holding == null && open != null ? Incidents.Step.RESOLVE : Incidents.Step.NONE;
        }
        MapState<String, Integer> held = ctx.mapState(HELD);
        if (step == Incidents.Step.FIRE) {
            Alert a = alert(name, holding, w, end, ctx);
            incidents.put(name, a.id);
            held.put(name, pairs.indexOf(holding));
            ctx.emit(a);
            return true;
        }
        if (step == Incidents.Step.RESOLVE) {
            Integer last = held.get(name);
            BurnRatePair shown = last != null && last >= 0 && last < pairs.size() ? pairs.get(last) : conditions.get(0);
            Alert a = Incidents.resolution(alert(name, shown, w, end, ctx), open);
            // What resolved it: the short window's burn fell below the factor.
            a.observed = burnRate(w, index(shown.shortWindow));
            a.comparison = "<";
            incidents.remove(name);
            held.remove(name);
            ctx.emit(a);
            return false;
        }
        if (open != null && holding != null) {
            int i = pairs.indexOf(holding);
            Integer last = held.get(name);
            if (last == null || last != i) {
                held.put(name, i);
            }
        }
        return open != null;
    }

    private Alert alert(String name, BurnRatePair p, Windows w, long end, DetectorContext ctx) {
        double longBurn = burnRate(w, index(p.longWindow));
        double shortBurn = burnRate(w, index(p.shortWindow));
        Alert a = ctx.newAlert(end - p.longWindow, end, longBurn, p.burnRate, ">=");
        // One incident per alert name: page and ticket open and resolve apart, also in Realert.
        a.key = ctx.key() + '/' + name;
        a.id = AlertIds.of(ctx.rule().id(), a.key, a.windowStart, a.windowEnd);
        a.incidentId = a.id;
        a.severity = p.severity;
        double remaining = budgetRemaining(w);
        a.labels.put("slo.alert", name);
        a.labels.put("slo.objective", objectivePercent());
        a.labels.put("slo.period", Durations.format(period));
        a.labels.put("slo.long_window", Durations.format(p.longWindow));
        a.labels.put("slo.short_window", Durations.format(p.shortWindow));
        a.annotations.put("burn_rate.long", fmt(longBurn));
        a.annotations.put("burn_rate.short", fmt(shortBurn));
        a.annotations.put("error_budget_remaining", fmt(remaining));
        if (!ctx.rule().spec.annotations.containsKey("summary")) {
            a.message = Templates.titled(a, ctx.rule().spec.name, ctx.keyFields())
                    + ": error budget burning " + fmt(longBurn) + "x over " + Durations.format(p.longWindow) + " and "
                    + fmt(shortBurn) + "x over " + Durations.format(p.shortWindow) + " (" + name + " at "
                    + fmt(p.burnRate) + "x); " + budgetText(remaining);
        }
        return a;
    }

    /** "40% of the 30d budget left", or once overspent "30d budget exhausted (650% spent)": never a negative left. */
    String budgetText(double remaining) {
        String budget = Durations.format(period) + " budget";
        return remaining >= 0
                ? Math.round(remaining * 100) + "% of the " + budget + " left"
                : budget + " exhausted (" + Math.round((1 - remaining) * 100) + "% spent)";
    }

    /** Share of the period's error budget not yet spent: 1 untouched, 0 spent, negative overspent. */
    double budgetRemaining(Windows w) {
        int i = windows.length - 1;
        if (w.total[i] <= 0) {
            return 1;
        }
        return 1 - w.bad[i] / ((1 - objective) * w.total[i]);
    }

    private void emitRollups(Windows w, long end, DetectorContext ctx) {
        for (int i = 0; i < windows.length - 1; i++) {
            ctx.emit(rollup("slo_burn_rate", end - windows[i], end, burnRate(w, i), w.total[i], ctx)
                    .label("window", Durations.format(windows[i])));
        }
        int p = windows.length - 1;
        ctx.emit(rollup("slo_error_budget_remaining", end - period, end, budgetRemaining(w), w.total[p], ctx)
                .label("window", Durations.format(period)));
        ctx.emit(rollup("slo_sli", end - period, end, w.total[p] <= 0 ? 1 : 1 - w.bad[p] / w.total[p], w.total[p], ctx)
                .label("window", Durations.format(period)));
    }

    private Rollup rollup(String metric, long start, long end, double value, double count, DetectorContext ctx) {
        String service = ctx.keyFields().get("service.name");
        if (service == null && ctx.rule().spec.match.get("service.name") instanceof String) {
            service = (String) ctx.rule().spec.match.get("service.name");
        }
        Rollup r = new Rollup(metric, service, start, end, value, Math.round(count));
        r.label("slo", ctx.rule().id());
        r.label("objective", objectivePercent());
        ctx.keyFields().forEach((k, v) -> {
            if (!k.equals("service.name")) {
                r.label(k, v);
            }
        });
        return r;
    }

    private String objectivePercent() {
        return objectivePercent;
    }

    private static String fmt(double d) {
        return io.vigil.alert.Templates.number(d);
    }

    /** Sums of one evaluation, index-aligned with {@link #windows}. */
    static final class Windows {
        final double[] total;
        final double[] bad;
        boolean empty = true;

        Windows(int n) {
            total = new double[n];
            bad = new double[n];
        }

        /** Adds the bucket whose {total, bad-or-good} start at {@code at} in {@code buckets}, times {@code share}. */
        void add(int i, double[] buckets, int at, double share, boolean countsGood) {
            double t = buckets[at];
            double second = buckets[at + 1];
            total[i] += t * share;
            bad[i] += (countsGood ? Math.max(0, t - second) : second) * share;
        }
    }
}
