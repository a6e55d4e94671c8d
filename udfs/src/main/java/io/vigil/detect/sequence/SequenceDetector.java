package io.vigil.detect.sequence;

import io.vigil.detect.Detector;
import io.vigil.detect.DetectorContext;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryTypeInfo;
import io.vigil.rules.Match;
import io.vigil.rules.RecordFilter;
import io.vigil.rules.RuleSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;

/**
 * A sequence rule as a keyed state machine inside the shared detector operator, so sequence rules are pushed, changed
 * and removed while the job runs like any other rule. It runs every shape whose steps follow each other relaxed (other
 * records may come in between): any number of steps, each with its own condition and count ({@code times},
 * {@code at_least}, {@code at_most}), all within {@code within}, and a last step that is an absence ("A not followed
 * by B within T"). The shapes that need Flink CEP's shared buffer ({@link SequenceKind#keyed} says which) stay CEP.
 *
 * <p>Semantics, those of the Flink CEP pattern {@link SequenceKind#pattern} builds (skip-till-next-match, greedy loops,
 * skip past the last event), which {@code SequenceDetectorAgreesWithCepTest} holds it to on generated streams:
 * records are judged in event-time order once the watermark passes them (records behind the watermark are counted as
 * late and dropped, as CEP drops them); every record the first step takes starts a partial match; at each record a
 * partial match takes it into its current step while the step's count allows (a loop is greedy: a record it can take
 * does not also end it), or else moves to the next step when the current one has its minimum and the next step takes
 * the record, or else ignores it; a partial match whose first record is {@code within} or more older than the record
 * being judged is dropped. The first partial match (earliest start) to complete its last step is the match, and every
 * partial match is then dropped (skip past the last event: one burst, one alert). With an absence step, a partial match
 * that completed the other steps waits: a record of the absence step drops it, and when {@code within} has passed
 * since its first record it is a match, dropping the partial matches that began within it.
 *
 * <p>Why not keep one partial match per started record, as CEP does: a partial match here is a few numbers (its step,
 * the count of each step, and the sequence numbers of the records kept as evidence: the first {@code evidence - 1} and
 * the last of each step), and the records themselves are stored once, by sequence number, only while some partial
 * match keeps one as evidence. So a burst of n failed logins costs O(n) per record, not CEP's growing shared buffer.
 *
 * <p>State per rule and key, bounded: records ahead of the watermark by timestamp ({@link #PENDING}); the partial
 * matches, at most {@link #MAX_PARTIALS} (a record that would start one more starts none); the evidence records they
 * keep. An event-time timer at each partial match's start plus {@code within} expires it, and the key's state is gone
 * once no partial match is left.
 */
final class SequenceDetector implements Detector {
    /** Partial matches per rule and key; an attacker controls how many records a burst has. */
    static final int MAX_PARTIALS = 1_000;

    static final MapStateDescriptor<Long, List<Telemetry>> PENDING =
            new MapStateDescriptor<>("sequence.pending", Types.LONG, new ListTypeInfo<>(TelemetryTypeInfo.INSTANCE));
    static final MapStateDescriptor<Long, Telemetry> RECORDS =
            new MapStateDescriptor<>("sequence.records", Types.LONG, TelemetryTypeInfo.INSTANCE);
    static final ValueStateDescriptor<long[]> PARTIALS =
            new ValueStateDescriptor<>("sequence.partials", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);

    private final List<Step> all;
    /** The steps records must match, in order (all but an absence step). */
    private final List<Step> steps;

    private final boolean absence;
    private final long within;
    private final int evidence;
    private final RecordFilter[] conditions;
    private final RecordFilter absent;

    SequenceDetector(String ruleId, SequenceKind.Definition d) {
        this.all = List.copyOf(d.steps());
        List<Step> present = new ArrayList<>();
        Step gone = null;
        for (Step s : d.steps()) {
            if (s.absent()) {
                gone = s;
            } else {
                present.add(s);
            }
        }
        this.steps = present;
        this.absence = gone != null;
        this.within = d.within().toMillis();
        this.evidence = d.evidence();
        this.conditions = new RecordFilter[present.size()];
        for (int i = 0; i < present.size(); i++) {
            conditions[i] = StepCondition.compile(ruleId, present.get(i));
        }
        this.absent = gone == null ? null : StepCondition.compile(ruleId, gone);
    }

    @Override
    public List<StateDescriptor<?, ?>> state() {
        return List.of(PENDING, RECORDS, PARTIALS);
    }

    /** Some step takes the record: no other record can change a partial match (all steps follow relaxed). */
    @Override
    public RecordFilter narrows() {
        RecordFilter any = absent;
        for (RecordFilter c : conditions) {
            RecordFilter next = c;
            RecordFilter before = any;
            any = before == null ? next : t -> before.test(t) || next.test(t);
        }
        return any;
    }

    /**
     * The signals the steps pin, when every step pins one: a sequence of error logs then a deploy event is filed under
     * logs and events, and spans and metrics never meet it.
     */
    @Override
    public Set<Signal> signals() {
        Set<Signal> signals = EnumSet.noneOf(Signal.class);
        for (Step s : all) {
            Signal own = Match.signal(spec(s));
            if (own == null) {
                return Set.of();
            }
            signals.add(own);
        }
        return signals;
    }

    /** The fields every step pins, each with the union of the steps' values: a record any step takes has one. */
    @Override
    public Map<String, Set<String>> pinnedValues() {
        Map<String, Set<String>> pinned = null;
        for (Step s : all) {
            Map<String, Set<String>> own = Match.pinnedValues(spec(s));
            if (pinned == null) {
                pinned = new LinkedHashMap<>(own);
                continue;
            }
            Map<String, Set<String>> both = new LinkedHashMap<>();
            for (Map.Entry<String, Set<String>> e : pinned.entrySet()) {
                Set<String> other = own.get(e.getKey());
                if (other != null) {
                    Set<String> union = new LinkedHashSet<>(e.getValue());
                    union.addAll(other);
                    both.put(e.getKey(), union);
                }
            }
            pinned = both;
        }
        return pinned == null ? Map.of() : pinned;
    }

    private static RuleSpec spec(Step s) {
        RuleSpec step = new RuleSpec();
        step.match = s.match();
        return step;
    }

    @Override
    public void onRecord(Telemetry t, DetectorContext ctx) throws Exception {
        if (t.timestamp <= ctx.currentWatermark()) {
            ctx.late(); // a sequence is judged in event-time order, and this record's turn has passed
            return;
        }
        MapState<Long, List<Telemetry>> pending = ctx.mapState(PENDING);
        List<Telemetry> at = pending.get(t.timestamp);
        if (at == null) {
            at = new ArrayList<>(1);
        }
        at.add(t);
        pending.put(t.timestamp, at);
        ctx.registerTimer(t.timestamp);
    }

    @Override
    public void onTimer(long timestamp, DetectorContext ctx) throws Exception {
        MapState<Long, List<Telemetry>> pending = ctx.mapState(PENDING);
        ValueState<long[]> stored = ctx.state(PARTIALS);
        List<Telemetry> at = pending.get(timestamp);
        Telemetry[] judged = NO_RECORDS;
        boolean[][] takes = null;
        boolean[] ends = null;
        if (at != null) {
            pending.remove(timestamp);
            // Every condition is read before the partial matches change: they change in place, and a condition that
            // fails (a rule error) must leave them as they were.
            judged = at.toArray(NO_RECORDS);
            takes = new boolean[judged.length][];
            ends = new boolean[judged.length];
            for (int k = 0; k < judged.length; k++) {
                takes[k] = new boolean[steps.size()];
                for (int i = 0; i < steps.size(); i++) {
                    takes[k][i] = conditions[i].test(judged[k]);
                }
                ends[k] = absent != null && absent.test(judged[k]);
            }
        }
        Run run = new Run(ctx, Partials.of(stored.value(), steps.size(), evidence));
        MapState<Long, Telemetry> records = ctx.mapState(RECORDS);
        try {
            long base = run.partials.firstSeq();
            long firstFresh = run.partials.peekNextSeq();
            for (int k = 0; k < judged.length; k++) {
                run.judge(judged[k], takes[k], ends[k]);
            }
            run.expire(timestamp);
            if (run.partials.isEmpty()) {
                stored.clear();
                records.clear();
                return;
            }
            // A stored record leaves state once no partial match keeps it: only the records some partial match
            // dropped in this run can have, so only they are looked up in what the partial matches keep now.
            long[] kept = run.partials.evidence(base);
            for (long seq : run.partials.dropped()) {
                if (seq < firstFresh && !Partials.has(kept, seq - base)) {
                    records.remove(seq); // records judged in this run were never stored
                }
            }
            for (Map.Entry<Long, Telemetry> e : run.fresh.entrySet()) {
                if (Partials.has(kept, e.getKey() - base)) {
                    records.put(e.getKey(), e.getValue());
                }
            }
            stored.update(run.partials.array());
        } catch (Exception e) {
            // The partial matches change in place: after a failure half way they may keep records that were never
            // stored, so the key starts over rather than go on from a state no run produced.
            try {
                stored.clear();
                records.clear();
            } catch (Exception c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    private static final Telemetry[] NO_RECORDS = new Telemetry[0];

    /** One timer's work for one key: the partial matches, and the records judged in it. */
    private final class Run {
        final DetectorContext ctx;
        final Partials partials;
        /** Records judged in this run by sequence number: evidence not yet in state. */
        final Map<Long, Telemetry> fresh = new HashMap<>();

        Run(DetectorContext ctx, Partials partials) {
            this.ctx = ctx;
            this.partials = partials;
        }

        /**
         * One record, in event-time order: {@code takes} says which steps' conditions it meets, {@code ends} whether
         * it is a record of the absence step.
         */
        void judge(Telemetry t, boolean[] takes, boolean ends) throws Exception {
            expire(t.timestamp);
            long seq = partials.nextSeq();
            fresh.put(seq, t);
            if (ends) {
                partials.removeIf(this::waiting);
            }
            for (int p = partials.first(), end = partials.end(); p < end; p += partials.stride) {
                advance(p, seq, t.timestamp, takes);
                if (!absence && complete(p)) {
                    match(p, -1);
                    partials.clear(); // skip past the last event: every partial match began at or before it
                    return;
                }
            }
            if (takes[0] && partials.size() < MAX_PARTIALS) {
                int p = partials.add(seq, t.timestamp);
                partials.take(p, 0, seq, t.timestamp);
                if (!absence && complete(p)) {
                    match(p, -1);
                    partials.clear();
                    return;
                }
                ctx.registerTimer(t.timestamp + within);
            }
        }

        /**
         * Drops the partial matches whose first record is {@code within} or more before {@code now}; one that waited
         * out its absence step is a match.
         */
        void expire(long now) throws Exception {
            while (!partials.isEmpty()) {
                int p = partials.first();
                if (now - partials.startTs(p) < within) {
                    return; // the partial matches are in start order
                }
                partials.removeFirst(); // its numbers stay readable here: only adding one reuses the space
                if (waiting(p)) {
                    match(p, partials.startTs(p) + within);
                    partials.removeStartedUpTo(partials.lastSeq(p)); // skip past the last event
                }
            }
        }

        /**
         * Moves a partial match on by one record: a loop takes every record it can (greedy, as CEP compiles a loop
         * with a step after it), else the next step takes the record once the current one has its minimum, else the
         * record is ignored. The branch CEP also keeps, the loop that ignored the record the next step took, never gets
         * ahead of this one in the shapes {@link SequenceKind#keyed} admits, so it is not kept.
         */
        private void advance(int p, long seq, long ts, boolean[] takes) {
            int i = partials.step(p);
            Step s = steps.get(i);
            long c = partials.count(p, i);
            if ((s.max() < 0 || c < s.max()) && takes[i]) {
                partials.take(p, i, seq, ts);
            } else if (i + 1 < steps.size() && c >= s.min() && takes[i + 1]) {
                partials.step(p, i + 1);
                partials.take(p, i + 1, seq, ts);
            }
        }

        private boolean complete(int p) {
            int last = steps.size() - 1;
            return partials.step(p) == last
                    && partials.count(p, last) >= steps.get(last).min();
        }

        private boolean waiting(int p) {
            return absence && complete(p);
        }

        private void match(int p, long absenceEnd) throws Exception {
            MapState<Long, Telemetry> records = ctx.mapState(RECORDS);
            List<SequenceAlerts.Taken> taken = new ArrayList<>();
            for (int i = 0; i <= partials.step(p); i++) {
                int n = partials.keptCount(p, i);
                List<Telemetry> kept = new ArrayList<>(n);
                for (int k = 0; k < n; k++) {
                    long seq = partials.keptSeq(p, i, k);
                    Telemetry r = fresh.get(seq);
                    kept.add(r != null ? r : records.get(seq));
                }
                taken.add(new SequenceAlerts.Taken(steps.get(i).name(), partials.count(p, i), kept));
            }
            ctx.emit(SequenceAlerts.alert(
                    ctx.rule(), ctx.key(), all, taken, partials.startTs(p), partials.lastTs(p), absenceEnd));
        }
    }

    /**
     * The partial matches of one key in start order and the next record sequence number, in the {@code long[]} that
     * is the key's state, read and changed in place. Decoding it into objects and encoding a new array at every timer
     * was four fifths of a sequence rule's time for a key that logs errors all the time (a partial match per error for
     * {@code within}, up to {@link #MAX_PARTIALS}): each timer rebuilt hundreds of them to move each on by one record.
     * In place is safe on both backends: the heap backend copies a value that a running snapshot still reads before
     * handing it out, and with RocksDB the value is a fresh copy (or the state cache's, written back on flush).
     *
     * <p>Layout: a header (the next sequence number, {@link #LAYOUT}, the offsets of the first partial match and past
     * the last), then the partial matches, each {@link #stride} numbers: its first record's sequence number and
     * timestamp, its last record's, its step, and per step its count and {@code keep} evidence slots (the step's first
     * {@code keep - 1} records, then its last). Partial matches dropped from the front leave space that is reclaimed
     * when one is added to a full array and they take an eighth of it or more (else the array grows by an eighth), so
     * dropping the oldest and adding one per record moves nothing most of the time.
     */
    static final class Partials {
        /** In place of the count of partial matches that state saved before this layout held at index 1 (never < 0). */
        static final long LAYOUT = -2;

        private static final int NEXT_SEQ = 0;
        private static final int MARK = 1;
        private static final int FIRST = 2;
        private static final int END = 3;
        private static final int HEADER = 4;

        private static final int START_SEQ = 0;
        private static final int START_TS = 1;
        private static final int LAST_SEQ = 2;
        private static final int LAST_TS = 3;
        private static final int STEP = 4;
        private static final int COUNTS = 5;

        final int keep;
        final int stride;
        private long[] a;
        /** Sequence numbers of the evidence partial matches dropped since {@link #of}, some more than once. */
        private long[] dropped = new long[16];

        private int droppedCount;

        private Partials(int steps, int keep) {
            this.keep = Math.max(keep, 0);
            this.stride = COUNTS + steps * (1 + this.keep);
            this.a = new long[HEADER];
            a[MARK] = LAYOUT;
            a[FIRST] = HEADER;
            a[END] = HEADER;
        }

        /** The partial matches in {@code stored} (null: none) of a rule with {@code steps} steps. */
        static Partials of(long[] stored, int steps, int keep) {
            Partials ps = new Partials(steps, keep);
            if (stored == null) {
                return ps;
            }
            if (stored[MARK] == LAYOUT) {
                ps.a = stored;
                return ps;
            }
            // Saved before this layout: per partial match its start, step count, last record and step, then per step
            // up to its own: its count, evidence length and evidence. Read once; the next write is in this layout.
            ps.a[NEXT_SEQ] = stored[0];
            int at = 2;
            for (long n = 0; n < stored[1]; n++) {
                int p = ps.add(stored[at], stored[at + 1]);
                ps.a[p + LAST_SEQ] = stored[at + 3];
                ps.a[p + LAST_TS] = stored[at + 4];
                int step = (int) stored[at + 5];
                ps.a[p + STEP] = step;
                at += 6;
                for (int i = 0; i <= step; i++) {
                    int c = ps.countAt(p, i);
                    ps.a[c] = stored[at];
                    int length = (int) stored[at + 1];
                    System.arraycopy(stored, at + 2, ps.a, c + 1, Math.min(length, ps.keep));
                    at += 2 + length;
                }
            }
            return ps;
        }

        /** The state to store: this layout, with room at either end that the next timers may fill. */
        long[] array() {
            return a;
        }

        /** The next record's sequence number, taken. */
        long nextSeq() {
            return a[NEXT_SEQ]++;
        }

        /** The next record's sequence number, not taken. */
        long peekNextSeq() {
            return a[NEXT_SEQ];
        }

        int first() {
            return (int) a[FIRST];
        }

        int end() {
            return (int) a[END];
        }

        boolean isEmpty() {
            return a[FIRST] == a[END];
        }

        int size() {
            return (end() - first()) / stride;
        }

        long startTs(int p) {
            return a[p + START_TS];
        }

        long lastSeq(int p) {
            return a[p + LAST_SEQ];
        }

        long lastTs(int p) {
            return a[p + LAST_TS];
        }

        int step(int p) {
            return (int) a[p + STEP];
        }

        void step(int p, int step) {
            a[p + STEP] = step;
        }

        private int countAt(int p, int i) {
            return p + COUNTS + i * (1 + keep);
        }

        /** Records taken into step {@code i}. */
        long count(int p, int i) {
            return a[countAt(p, i)];
        }

        /** How many records step {@code i} keeps as evidence. */
        int keptCount(int p, int i) {
            return (int) Math.min(count(p, i), keep);
        }

        /** The sequence number of the {@code k}th record step {@code i} keeps. */
        long keptSeq(int p, int i, int k) {
            return a[countAt(p, i) + 1 + k];
        }

        /**
         * Takes a record into step {@code i}, keeping as evidence the step's first {@code keep - 1} records and its
         * last, as the alerts of CEP matches do.
         */
        void take(int p, int i, long seq, long ts) {
            int c = countAt(p, i);
            long n = ++a[c];
            if (keep > 0) {
                if (n > keep) {
                    drop(a[c + keep]);
                }
                a[c + (int) Math.min(n, keep)] = seq; // slot n - 1 while there is one, then the last slot again
            }
            a[p + LAST_SEQ] = seq;
            a[p + LAST_TS] = ts;
        }

        /** A new partial match after the others, started by the record {@code seq}; its offset. */
        int add(long seq, long ts) {
            int first = first();
            int end = end();
            if (end + stride > a.length) {
                int live = end - first;
                if (first - HEADER >= Math.max(stride, live / 8)) {
                    System.arraycopy(a, first, a, HEADER, live); // reclaim the space of dropped ones
                } else {
                    long[] grown = new long[HEADER + live + Math.max(1, live / stride / 8) * stride];
                    System.arraycopy(a, 0, grown, 0, HEADER);
                    System.arraycopy(a, first, grown, HEADER, live);
                    a = grown;
                }
                a[FIRST] = HEADER;
                end = HEADER + live;
            }
            Arrays.fill(a, end, end + stride, 0);
            a[end + START_SEQ] = seq;
            a[end + START_TS] = ts;
            a[END] = end + stride;
            return end;
        }

        /** Drops the first (oldest) partial match. */
        void removeFirst() {
            dropEvidence(first());
            a[FIRST] += stride;
        }

        /** Drops the partial matches whose first record is {@code seq} or earlier: a prefix, as they are in order. */
        void removeStartedUpTo(long seq) {
            while (!isEmpty() && a[first() + START_SEQ] <= seq) {
                removeFirst();
            }
        }

        /** Drops the partial matches at the offsets {@code removed} accepts, keeping the others in order. */
        void removeIf(IntPredicate removed) {
            int to = first();
            for (int p = first(), end = end(); p < end; p += stride) {
                if (removed.test(p)) {
                    dropEvidence(p);
                } else {
                    if (to != p) {
                        System.arraycopy(a, p, a, to, stride);
                    }
                    to += stride;
                }
            }
            a[END] = to;
        }

        void clear() {
            for (int p = first(), end = end(); p < end; p += stride) {
                dropEvidence(p);
            }
            a[FIRST] = HEADER;
            a[END] = HEADER;
        }

        /** The lowest sequence number a partial match can keep as evidence: its first record's, or the next one. */
        long firstSeq() {
            return isEmpty() ? a[NEXT_SEQ] : a[first() + START_SEQ];
        }

        private void dropEvidence(int p) {
            for (int i = 0, last = step(p); i <= last; i++) {
                int c = countAt(p, i);
                for (int k = 0, n = keptCount(p, i); k < n; k++) {
                    drop(a[c + 1 + k]);
                }
            }
        }

        private void drop(long seq) {
            if (droppedCount > 0 && dropped[droppedCount - 1] == seq) {
                return; // a record every partial match kept as its last, dropped by each in turn: once is enough
            }
            if (droppedCount == dropped.length) {
                dropped = Arrays.copyOf(dropped, 2 * droppedCount);
            }
            dropped[droppedCount++] = seq;
        }

        /** The sequence numbers of the evidence dropped since {@link #of}, in order, each once. */
        long[] dropped() {
            long[] seqs = Arrays.copyOf(dropped, droppedCount);
            Arrays.sort(seqs);
            int n = 0;
            for (int i = 0; i < seqs.length; i++) {
                if (i == 0 || seqs[i] != seqs[i - 1]) {
                    seqs[n++] = seqs[i];
                }
            }
            return Arrays.copyOf(seqs, n);
        }

        /**
         * The sequence numbers of every record a partial match keeps as evidence, as bits from {@code base} (at most
         * {@link #firstSeq()}) in words of 64 ({@link #has}). Bits rather than a {@code HashSet<Long>}: a key with
         * errors all the time keeps hundreds of partial matches, whose evidence this gathers once per timer; boxing
         * and hashing them was a third of the detectors' time in {@code bench e2e}. One bit per record judged for this
         * key since the oldest partial match began (bounded by {@code within}): 125 KB for a million such records,
         * where the set held the evidence of up to {@link SequenceDetector#MAX_PARTIALS} partial matches (5,000 boxed
         * numbers, about 250 KB, with the default evidence of 5).
         */
        long[] evidence(long base) {
            long[] bits = new long[(int) ((a[NEXT_SEQ] - base + 63) >>> 6)];
            for (int p = first(), end = end(); p < end; p += stride) {
                for (int i = 0, last = step(p); i <= last; i++) {
                    int c = countAt(p, i);
                    for (int k = 0, n = keptCount(p, i); k < n; k++) {
                        int bit = (int) (a[c + 1 + k] - base);
                        bits[bit >>> 6] |= 1L << bit;
                    }
                }
            }
            return bits;
        }

        static boolean has(long[] bits, long bit) {
            return (bits[(int) (bit >>> 6)] & (1L << bit)) != 0;
        }
    }
}
