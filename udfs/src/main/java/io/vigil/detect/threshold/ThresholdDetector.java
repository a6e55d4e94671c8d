package io.vigil.detect.threshold;

import com.tdunning.math.stats.MergingDigest;
import io.vigil.detect.Comparison;
import io.vigil.detect.Detector;
import io.vigil.detect.DetectorContext;
import io.vigil.detect.Evidence;
import io.vigil.detect.Incidents;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import io.vigil.model.TelemetryTypeInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleConsumer;
import java.util.function.Supplier;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;

/**
 * Evaluates one threshold rule per key. A window {@code [end - window, end)} is the merge of its slide-long panes; it
 * is judged by an event-time timer at {@code end - 1}, once the watermark says all its records are in; records for
 * windows that already fired are counted as late and otherwise ignored. Windows with fewer than {@code min_count}
 * records are not judged. Each judged window goes through the rule's incident lifecycle ({@link Incidents}): by
 * default a breach opens one incident (one firing alert) and the first judged window without a breach resolves it;
 * with {@code for} or {@code keep_firing_for} every window is judged while the rule is pending or firing, records or
 * not (too few records do not hold).
 *
 * <p>State per pane is split by how often it is touched, because with RocksDB every access (de)serializes the whole
 * value: a small array of aggregates read and written per record; values for the percentile's t-digest appended to
 * chunks of {@value #CHUNK} (chunk {@code c} of a pane holds its values {@code 16c} to {@code 16c + 15} since its last
 * fold) and folded into the pane's digest {@value #FOLD} at a time; the evidence records written only when a record
 * becomes evidence. One value holding all of it (the earlier {@link Pane}) cost a read and write of up to 127 doubles
 * and five JSON records per record. Evidence records are kept as records (the shuffle's compact form) and written
 * as JSON only into an alert that fires: writing JSON for every record that became evidence was a tenth of the
 * detectors' CPU in a profile, for alerts that mostly never fire. Pending values were then one list per key, which every judgement read whole and
 * wrote back without the window's panes (the largest share of a judgement in a profile); then one map entry per value
 * ({@link #PENDING}), a read and a removal per value at every fold: with 200 rules on the heap those reads were a tenth
 * of the detectors' time in a profile. A chunk is read and written per value but read and removed once per
 * {@value #CHUNK} at a fold, and stays small enough (128 bytes) that RocksDB's copy per access stays cheap; it is
 * whole from its first value on, so the heap backend changes it in place.
 */
final class ThresholdDetector implements Detector {
    /** Per pane: count, sum, min, max, values pending for the digest, then the evidence values, most extreme first. */
    static final MapStateDescriptor<Long, double[]> AGGREGATES = new MapStateDescriptor<>(
            "threshold.aggregates", Types.LONG, PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO);
    /** Per pane: its t-digest as {@link PaneDigest} stores it, every value folded so far (percentile rules only). */
    private static final MapStateDescriptor<Long, byte[]> DIGESTS = new MapStateDescriptor<>(
            "threshold.digests", Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    /**
     * Values not yet in their pane's digest, by {@link #chunk}: a pane's values since its last fold in arrival order,
     * {@value #CHUNK} per chunk, as many in all as its aggregates' pending count (the rest of the last chunk unused).
     * A NaN (never a pending value: records without one are skipped) marks a value kept in {@link #PENDING} by a
     * savepoint from before the chunks.
     */
    static final MapStateDescriptor<Long, double[]> PENDING_CHUNKS = new MapStateDescriptor<>(
            "threshold.pending-chunks", Types.LONG, PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO);
    /**
     * Pending values of savepoints taken before {@link #PENDING_CHUNKS}, by {@link #slot}: value {@code i} of a pane
     * since its last fold. Read (and removed) where a chunk has none for {@code i}; never written but by
     * {@link #migrateListedPending}.
     */
    static final MapStateDescriptor<Long, Double> PENDING =
            new MapStateDescriptor<>("threshold.pending-slots", Types.LONG, Types.DOUBLE);
    /**
     * Pending values of savepoints taken before {@link #PENDING}, as {@code {pane start, value}} in arrival order:
     * moved into their slots before the key's next fold or judgement.
     */
    static final ListStateDescriptor<double[]> LISTED_PENDING =
            new ListStateDescriptor<>("threshold.pending", PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO);
    /** Per pane: the evidence records, in the order of their values in {@link #AGGREGATES}. */
    static final MapStateDescriptor<Long, List<Telemetry>> SAMPLE_RECORDS = new MapStateDescriptor<>(
            "threshold.sample-records", Types.LONG, new ListTypeInfo<>(TelemetryTypeInfo.INSTANCE));
    /**
     * Per pane: the evidence records as JSON, as savepoints before {@link #SAMPLE_RECORDS} hold them (and panes moved
     * from {@link #LEGACY_PANES}); such a pane keeps this form until it expires.
     */
    static final MapStateDescriptor<Long, List<String>> SAMPLES =
            new MapStateDescriptor<>("threshold.samples", Types.LONG, Types.LIST(Types.STRING));
    /**
     * The panes of savepoints taken before the state was split: moved into the split state when the key's next window
     * is judged, so windows open across an upgrade keep their records.
     */
    private static final MapStateDescriptor<Long, Pane> LEGACY_PANES =
            new MapStateDescriptor<>("threshold.panes", Types.LONG, TypeInformation.of(Pane.class));

    private static final ValueStateDescriptor<String> INCIDENT =
            new ValueStateDescriptor<>("threshold.incident", Types.STRING);

    /**
     * Pending values per pane folded into its digest at once: decoding and re-encoding the digest for every record was
     * the detectors' largest cost in a profile (28% of the job's CPU with five p95 rules).
     */
    static final int FOLD = 128;

    /** Pending values per chunk; {@link #FOLD} is a multiple of it. */
    static final int CHUNK = 16;

    private static final int COUNT = 0;
    private static final int SUM = 1;
    private static final int MIN = 2;
    private static final int MAX = 3;
    private static final int PENDING_COUNT = 4;
    private static final int EVIDENCE_VALUES = 5;

    private final String field;
    private final Aggregate aggregate;
    private final long window;
    private final long slide;
    private final Comparison op;
    private final double bound;
    private final long minCount;
    private final int evidence;

    ThresholdDetector(
            String field,
            Aggregate aggregate,
            long window,
            long slide,
            Comparison op,
            double bound,
            long minCount,
            int evidence) {
        this.field = field;
        this.aggregate = aggregate;
        this.window = window;
        this.slide = slide;
        this.op = op;
        this.bound = bound;
        this.minCount = minCount;
        this.evidence = evidence;
    }

    @Override
    public List<StateDescriptor<?, ?>> state() {
        return List.of(
                AGGREGATES,
                DIGESTS,
                PENDING_CHUNKS,
                PENDING,
                LISTED_PENDING,
                SAMPLE_RECORDS,
                SAMPLES,
                LEGACY_PANES,
                INCIDENT,
                Incidents.TIMING);
    }

    @Override
    public void onRecord(Telemetry t, DetectorContext ctx) throws Exception {
        double v = aggregate.needsField() ? t.number(field) : 1.0;
        if (Double.isNaN(v)) {
            return; // the record lacks the field: nothing to aggregate
        }
        long pane = Math.floorDiv(t.timestamp, slide) * slide;
        long lastEnd = pane + window;
        if (lastEnd - 1 <= ctx.currentWatermark()) {
            ctx.late();
            return;
        }
        MapState<Long, double[]> aggregates = ctx.mapState(AGGREGATES);
        double[] a = aggregates.get(pane);
        if (a == null) {
            a = emptyAggregates();
            ctx.registerPaneTimers(pane, slide, window, aggregates.contains(pane - slide));
        }
        a[COUNT]++;
        a[SUM] += v;
        a[MIN] = Math.min(a[MIN], v);
        a[MAX] = Math.max(a[MAX], v);
        if (aggregate.percentile()) {
            appendPending(ctx, pane, (int) a[PENDING_COUNT], v);
            if (++a[PENDING_COUNT] >= FOLD) {
                migrateListedPending(ctx);
                storeFolded(ctx, pane, (int) a[PENDING_COUNT]);
                a[PENDING_COUNT] = 0;
            }
        }
        if (evidence > 0) {
            a = keepEvidence(ctx, pane, a, t, v);
        }
        aggregates.put(pane, a);
    }

    @Override
    public void onTimer(long timestamp, DetectorContext ctx) throws Exception {
        long end = timestamp + 1;
        if (Math.floorMod(end, slide) != 0) {
            // Not a window end of this rule: a timer left by an earlier version of the rule with other windows. Judging
            // it would report a window that does not exist and drop panes the real windows still need.
            return;
        }
        migrateLegacyPanes(ctx);
        migrateListedPending(ctx);
        long start = end - window;
        MapState<Long, double[]> aggregates = ctx.mapState(AGGREGATES);
        List<Long> inWindow = new ArrayList<>();
        List<double[]> inWindowAggregates = new ArrayList<>();
        List<Long> expired = new ArrayList<>();
        List<double[]> expiredAggregates = new ArrayList<>();
        long count = 0;
        for (Map.Entry<Long, double[]> e : aggregates.entries()) {
            long ps = e.getKey();
            if (ps >= start && ps < end) {
                inWindow.add(ps);
                inWindowAggregates.add(e.getValue());
                count += (long) e.getValue()[COUNT];
            }
            if (ps < end + slide - window) {
                expired.add(ps); // no later window needs it
                expiredAggregates.add(e.getValue());
            }
        }
        List<byte[]> digests =
                count >= minCount && aggregate.percentile() ? foldAll(ctx, inWindow, inWindowAggregates) : List.of();
        List<Supplier<String>> samples =
                count >= minCount && evidence > 0 ? samples(ctx, inWindow, inWindowAggregates) : List.of();
        if (!expired.isEmpty()) {
            forget(ctx, expired, expiredAggregates);
        }
        ValueState<String> incident = ctx.state(INCIDENT);
        // With for/keep_firing_for, a pending or firing rule judges every window, and one with too few records does not
        // show the condition holding. Without them, such a window is not judged and an open incident stays as it is.
        boolean watched = Incidents.antiFlap(ctx.rule())
                && (Incidents.open(incident) || Incidents.awaitingJudgment(ctx, incident));
        if (count < minCount && !watched) {
            return;
        }
        // A percentile needs the window's digests merged, the largest cost of a judgement; most windows are decided by
        // their range alone (every value on one side of the bound), and the value itself is then needed only for an
        // alert.
        Boolean decided = count < minCount ? Boolean.FALSE : aggregate.decidedByRange(inWindowAggregates, op, bound);
        double observed = decided == null ? aggregate.of(inWindowAggregates, digests, window) : Double.NaN;
        boolean breach = decided == null ? op.holds(observed, bound) : decided;
        Incidents.Step step = Incidents.judge(ctx, incident, breach, end);
        if (decided != null && count >= minCount && step != Incidents.Step.NONE) {
            observed = aggregate.of(inWindowAggregates, digests, window);
        }
        switch (step) {
            case FIRE:
                Alert alert = ctx.newAlert(start, end, observed, bound, op.symbol);
                for (Supplier<String> sample : samples) {
                    alert.evidence.add(sample.get());
                }
                Incidents.fire(ctx, incident, alert);
                break;
            case RESOLVE:
                Incidents.resolve(ctx, incident, start, end, observed, bound, op.symbol);
                break;
            default:
                break;
        }
        if (Incidents.antiFlap(ctx.rule()) && (Incidents.open(incident) || Incidents.awaitingJudgment(ctx, incident))) {
            ctx.registerTimer(end + slide - 1); // judge the next window, records or not
        }
    }

    static double count(double[] a) {
        return a[COUNT];
    }

    static double sum(double[] a) {
        return a[SUM];
    }

    static double min(double[] a) {
        return a[MIN];
    }

    static double max(double[] a) {
        return a[MAX];
    }

    private static double[] emptyAggregates() {
        return new double[] {0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0};
    }

    /**
     * Keeps the record as evidence of its pane if its value is among the {@code evidence} most extreme (largest first
     * for an upper bound; a tie goes after the values already kept), as {@link Evidence#keepExtremes} does. Returns
     * the pane's aggregates with the evidence values updated.
     */
    private double[] keepEvidence(DetectorContext ctx, long pane, double[] a, Telemetry t, double v) throws Exception {
        int kept = a.length - EVIDENCE_VALUES;
        int i = 0;
        while (i < kept && (op.upward() ? a[EVIDENCE_VALUES + i] >= v : a[EVIDENCE_VALUES + i] <= v)) {
            i++;
        }
        if (i >= evidence) {
            return a;
        }
        int keep = Math.min(kept + 1, evidence);
        double[] b = new double[EVIDENCE_VALUES + keep];
        System.arraycopy(a, 0, b, 0, EVIDENCE_VALUES + i);
        b[EVIDENCE_VALUES + i] = v;
        System.arraycopy(a, EVIDENCE_VALUES + i, b, EVIDENCE_VALUES + i + 1, keep - i - 1);
        MapState<Long, List<Telemetry>> records = ctx.mapState(SAMPLE_RECORDS);
        List<Telemetry> held = records.get(pane);
        if (held == null && kept > 0) {
            keepAsJson(ctx, pane, i, keep, t); // evidence of a pane from before the records were kept as such
            return b;
        }
        held = held == null ? new ArrayList<>(keep) : new ArrayList<>(held);
        held.add(i, t);
        if (held.size() > keep) {
            held.remove(held.size() - 1);
        }
        records.put(pane, held);
        return b;
    }

    /** Inserts {@code t} at {@code i} of a pane whose evidence is kept as JSON ({@link #SAMPLES}), keeping {@code keep}. */
    private static void keepAsJson(DetectorContext ctx, long pane, int i, int keep, Telemetry t) throws Exception {
        MapState<Long, List<String>> samples = ctx.mapState(SAMPLES);
        List<String> json = samples.get(pane);
        json = json == null ? new ArrayList<>(keep) : new ArrayList<>(json);
        json.add(i, TelemetryJson.write(t));
        if (json.size() > keep) {
            json.remove(json.size() - 1);
        }
        samples.put(pane, json);
    }

    /** The map key of a pane's {@code i}-th pending value in {@link #PENDING}; {@code i < FOLD}, so keys are a pane's own. */
    static long slot(long pane, int i) {
        return pane * FOLD + i;
    }

    /** The map key of a pane's {@code c}-th chunk of pending values; {@code c < FOLD / CHUNK}, so keys are a pane's own. */
    static long chunk(long pane, int c) {
        return pane * (FOLD / CHUNK) + c;
    }

    /**
     * Appends {@code v} as value {@code i} of the pane's pending values. A chunk is made whole ({@value #CHUNK} values)
     * with its first value and filled in place: growing it by one value at each append copied it every time (with 200
     * rules on the heap the appends were 5% of the detectors' thread, 3% after), and the heap backend skips the put of
     * the same array. Values after the pending count are never read.
     */
    private static void appendPending(DetectorContext ctx, long pane, int i, double v) throws Exception {
        MapState<Long, double[]> chunks = ctx.mapState(PENDING_CHUNKS);
        long key = chunk(pane, i / CHUNK);
        int at = i % CHUNK;
        double[] held = at == 0 ? null : chunks.get(key);
        if (held == null || held.length < CHUNK) {
            double[] whole = new double[CHUNK];
            int kept = held == null ? 0 : Math.min(held.length, at);
            if (held != null) {
                System.arraycopy(held, 0, whole, 0, kept);
            }
            // Values before this one that no chunk holds are in the slots of a savepoint from before the chunks.
            Arrays.fill(whole, kept, CHUNK, Double.NaN);
            held = whole;
        }
        held[at] = v;
        if (at == 0) {
            ctx.putNew(chunks, key, held); // the last fold removed the chunk, if the pane had one
        } else {
            chunks.put(key, held);
        }
    }

    /**
     * Removes the {@code pending} values of {@code pane} from state and gives them to {@code to} in arrival order: from
     * its chunks, and from the slots of an earlier savepoint where a chunk has none.
     */
    private static void takePending(DetectorContext ctx, long pane, int pending, DoubleConsumer to) throws Exception {
        MapState<Long, double[]> chunks = ctx.mapState(PENDING_CHUNKS);
        MapState<Long, Double> slots = null;
        for (int c = 0; c * CHUNK < pending; c++) {
            long key = chunk(pane, c);
            double[] held = chunks.get(key);
            for (int j = 0; j < CHUNK && c * CHUNK + j < pending; j++) {
                double v = held != null && j < held.length ? held[j] : Double.NaN;
                if (Double.isNaN(v)) {
                    slots = slots == null ? ctx.mapState(PENDING) : slots;
                    long slot = slot(pane, c * CHUNK + j);
                    Double saved = slots.get(slot);
                    if (saved == null) {
                        continue;
                    }
                    v = saved;
                    slots.remove(slot);
                }
                to.accept(v);
            }
            if (held != null) {
                chunks.remove(key);
            }
        }
    }

    /**
     * Folds the {@code pending} values of {@code pane} into its digest, in arrival order, and stores the digest; returns
     * the stored form.
     */
    private static byte[] storeFolded(DetectorContext ctx, long pane, int pending) throws Exception {
        MapState<Long, byte[]> digests = ctx.mapState(DIGESTS);
        byte[] stored = digests.get(pane);
        MergingDigest d = stored == null ? new MergingDigest(Pane.DIGEST_COMPRESSION) : PaneDigest.decode(stored);
        takePending(ctx, pane, pending, d::add);
        byte[] folded = PaneDigest.encode(d);
        digests.put(pane, folded);
        return folded;
    }

    /**
     * Folds every pending value of the panes {@code inWindow} into their digests, and returns the digests in the order
     * of {@code inWindow}: what the window's percentile merges. {@code aggregates} are the panes' aggregates, in the
     * same order; their pending counts are reset and stored.
     */
    private static List<byte[]> foldAll(DetectorContext ctx, List<Long> inWindow, List<double[]> aggregates)
            throws Exception {
        MapState<Long, byte[]> digests = ctx.mapState(DIGESTS);
        MapState<Long, double[]> stored = ctx.mapState(AGGREGATES);
        List<byte[]> out = new ArrayList<>(inWindow.size());
        for (int p = 0; p < inWindow.size(); p++) {
            long pane = inWindow.get(p);
            double[] a = aggregates.get(p);
            if (a[PENDING_COUNT] > 0) {
                out.add(storeFolded(ctx, pane, (int) a[PENDING_COUNT])); // folded just now: no second state read
                a[PENDING_COUNT] = 0;
                stored.put(pane, a);
            } else {
                out.add(digests.get(pane));
            }
        }
        return out;
    }

    /**
     * Moves the values of the earlier pending list ({@link #LISTED_PENDING}) into their slots. A pane's listed values
     * arrived before any in its slots (the list was last written before the upgrade), and the pane's pending count
     * counts both, so the listed ones take slots {@code 0..k-1}, which are free: the digest gets the same values in
     * the same order as without the upgrade.
     */
    private static void migrateListedPending(DetectorContext ctx) throws Exception {
        ListState<double[]> listed = ctx.listState(LISTED_PENDING);
        Iterable<double[]> values = listed.get();
        if (!values.iterator().hasNext()) {
            return;
        }
        MapState<Long, Double> slots = ctx.mapState(PENDING);
        Map<Long, Integer> next = new HashMap<>();
        for (double[] p : values) {
            long pane = (long) p[0];
            int i = next.merge(pane, 1, Integer::sum) - 1;
            slots.put(slot(pane, i), p[1]);
        }
        listed.clear();
    }

    /**
     * Drops the panes no later window needs ({@code expired}, with their {@code aggregates} in the same order), with
     * their digests, pending values and evidence.
     */
    private void forget(DetectorContext ctx, List<Long> expired, List<double[]> aggregates) throws Exception {
        MapState<Long, double[]> stored = ctx.mapState(AGGREGATES);
        for (Long ps : expired) {
            stored.remove(ps);
        }
        if (aggregate.percentile()) {
            MapState<Long, byte[]> digests = ctx.mapState(DIGESTS);
            for (int p = 0; p < expired.size(); p++) {
                long ps = expired.get(p);
                digests.remove(ps);
                takePending(ctx, ps, (int) aggregates.get(p)[PENDING_COUNT], v -> {});
            }
        }
        if (evidence > 0) {
            MapState<Long, List<Telemetry>> records = ctx.mapState(SAMPLE_RECORDS);
            MapState<Long, List<String>> samples = ctx.mapState(SAMPLES);
            for (Long ps : expired) {
                // A pane's evidence is in one of the two: as JSON only for a pane from before the records were kept.
                // Removing a key the state may not hold is a write on RocksDB, where the cache cannot tell.
                if (records.contains(ps)) {
                    records.remove(ps);
                } else {
                    samples.remove(ps);
                }
            }
        }
    }

    /**
     * The window's most extreme evidence records across its panes, as JSON to be written if the window fires (most
     * judgements do not fire, so no JSON is written for them).
     */
    private List<Supplier<String>> samples(DetectorContext ctx, List<Long> inWindow, List<double[]> aggregates)
            throws Exception {
        MapState<Long, List<Telemetry>> records = ctx.mapState(SAMPLE_RECORDS);
        MapState<Long, List<String>> stored = ctx.mapState(SAMPLES);
        List<Supplier<String>> samples = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (int p = 0; p < inWindow.size(); p++) {
            double[] a = aggregates.get(p);
            if (a.length == EVIDENCE_VALUES) {
                continue; // no evidence values kept, so no records or JSON either: not read
            }
            List<Telemetry> held = records.get(inWindow.get(p));
            if (held != null) {
                for (int i = 0; i < held.size(); i++) {
                    Telemetry record = held.get(i);
                    Supplier<String> json = () -> TelemetryJson.write(record);
                    Evidence.keepExtremes(samples, values, () -> json, a[EVIDENCE_VALUES + i], op.upward(), evidence);
                }
                continue;
            }
            List<String> json = stored.get(inWindow.get(p));
            for (int i = 0; json != null && i < json.size(); i++) {
                String record = json.get(i);
                Supplier<String> same = () -> record;
                Evidence.keepExtremes(samples, values, () -> same, a[EVIDENCE_VALUES + i], op.upward(), evidence);
            }
        }
        return samples;
    }

    /**
     * Moves the panes of the earlier single-value layout ({@link Pane}) into the split state, merged with whatever
     * records arrived for the same panes since the restore.
     */
    private void migrateLegacyPanes(DetectorContext ctx) throws Exception {
        MapState<Long, Pane> legacy = ctx.mapState(LEGACY_PANES);
        if (legacy.isEmpty()) {
            return;
        }
        MapState<Long, double[]> aggregates = ctx.mapState(AGGREGATES);
        MapState<Long, byte[]> digests = ctx.mapState(DIGESTS);
        MapState<Long, List<String>> samples = ctx.mapState(SAMPLES);
        for (Map.Entry<Long, Pane> e : legacy.entries()) {
            long pane = e.getKey();
            Pane old = e.getValue();
            double[] a = aggregates.get(pane);
            if (a == null) {
                a = emptyAggregates();
            }
            a[COUNT] += old.count;
            a[SUM] += old.sum;
            a[MIN] = Math.min(a[MIN], old.min);
            a[MAX] = Math.max(a[MAX], old.max);
            MergingDigest oldDigest = old.digest();
            if (oldDigest != null) {
                byte[] stored = digests.get(pane);
                if (stored != null) {
                    oldDigest.add(PaneDigest.decode(stored));
                }
                digests.put(pane, PaneDigest.encode(oldDigest));
            }
            if (!old.samples.isEmpty()) {
                List<String> json = new ArrayList<>();
                List<Double> values = new ArrayList<>();
                List<String> current = samples.get(pane);
                List<Telemetry> held = ctx.mapState(SAMPLE_RECORDS).get(pane);
                if (held != null) { // records kept since the restore: the pane's evidence becomes JSON
                    current = new ArrayList<>();
                    for (Telemetry r : held) {
                        current.add(TelemetryJson.write(r));
                    }
                    ctx.mapState(SAMPLE_RECORDS).remove(pane);
                }
                for (int i = 0; current != null && i < current.size(); i++) {
                    String record = current.get(i);
                    Evidence.keepExtremes(
                            json, values, () -> record, a[EVIDENCE_VALUES + i], op.upward(), Math.max(1, evidence));
                }
                for (int i = 0; i < old.samples.size(); i++) {
                    String record = old.samples.get(i);
                    Evidence.keepExtremes(
                            json, values, () -> record, old.sampleValues.get(i), op.upward(), Math.max(1, evidence));
                }
                double[] b = new double[EVIDENCE_VALUES + values.size()];
                System.arraycopy(a, 0, b, 0, EVIDENCE_VALUES);
                for (int i = 0; i < values.size(); i++) {
                    b[EVIDENCE_VALUES + i] = values.get(i);
                }
                a = b;
                samples.put(pane, json);
            }
            aggregates.put(pane, a);
        }
        legacy.clear();
    }
}
