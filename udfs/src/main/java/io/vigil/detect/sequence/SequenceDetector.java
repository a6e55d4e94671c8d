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
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /** The signal every step pins, if they all pin the same one. */
    @Override
    public Signal signal() {
        Signal signal = null;
        for (Step s : all) {
            Signal own = Match.signal(spec(s));
            if (own == null || (signal != null && own != signal)) {
                return null;
            }
            signal = own;
        }
        return signal;
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
        Run run = new Run(ctx, Partials.decode(stored.value()));
        long base = run.partials.firstSeq();
        BitSet before = run.partials.evidence(base);
        List<Telemetry> at = pending.get(timestamp);
        if (at != null) {
            pending.remove(timestamp);
            for (Telemetry t : at) {
                run.judge(t);
            }
        }
        run.expire(timestamp);
        MapState<Long, Telemetry> records = ctx.mapState(RECORDS);
        if (run.partials.list.isEmpty()) {
            stored.clear();
            records.clear();
            return;
        }
        BitSet after = run.partials.evidence(base);
        for (int i = before.nextSetBit(0); i >= 0; i = before.nextSetBit(i + 1)) {
            if (!after.get(i)) {
                records.remove(base + i);
            }
        }
        for (Map.Entry<Long, Telemetry> e : run.fresh.entrySet()) {
            if (after.get((int) (e.getKey() - base))) {
                records.put(e.getKey(), e.getValue());
            }
        }
        stored.update(run.partials.encode());
    }

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

        /** One record, in event-time order. */
        void judge(Telemetry t) throws Exception {
            expire(t.timestamp);
            long seq = partials.nextSeq++;
            fresh.put(seq, t);
            boolean[] takes = new boolean[steps.size()];
            for (int i = 0; i < takes.length; i++) {
                takes[i] = conditions[i].test(t);
            }
            if (absent != null && absent.test(t)) {
                partials.list.removeIf(this::waiting);
            }
            for (Partial p : partials.list) {
                advance(p, seq, t.timestamp, takes);
                if (!absence && complete(p)) {
                    match(p, -1);
                    partials.list.clear(); // skip past the last event: every partial match began at or before it
                    return;
                }
            }
            if (takes[0] && partials.list.size() < MAX_PARTIALS) {
                Partial p = new Partial(seq, t.timestamp, steps.size());
                p.take(0, seq, t.timestamp, evidence);
                if (!absence && complete(p)) {
                    match(p, -1);
                    partials.list.clear();
                    return;
                }
                partials.list.add(p);
                ctx.registerTimer(t.timestamp + within);
            }
        }

        /**
         * Drops the partial matches whose first record is {@code within} or more before {@code now}; one that waited
         * out its absence step is a match.
         */
        void expire(long now) throws Exception {
            for (int i = 0; i < partials.list.size(); i++) {
                Partial p = partials.list.get(i);
                if (now - p.startTs < within) {
                    return; // the list is in start order
                }
                partials.list.remove(i--);
                if (waiting(p)) {
                    match(p, p.startTs + within);
                    partials.list.removeIf(q -> q.startSeq <= p.lastSeq); // skip past the last event
                }
            }
        }

        /**
         * Moves a partial match on by one record: a loop takes every record it can (greedy, as CEP compiles a loop
         * with a step after it), else the next step takes the record once the current one has its minimum, else the
         * record is ignored. The branch CEP also keeps, the loop that ignored the record the next step took, never gets
         * ahead of this one in the shapes {@link SequenceKind#keyed} admits, so it is not kept.
         */
        private void advance(Partial p, long seq, long ts, boolean[] takes) {
            int i = p.step;
            Step s = steps.get(i);
            long c = p.counts[i];
            if ((s.max() < 0 || c < s.max()) && takes[i]) {
                p.take(i, seq, ts, evidence);
            } else if (i + 1 < steps.size() && c >= s.min() && takes[i + 1]) {
                p.step = i + 1;
                p.take(i + 1, seq, ts, evidence);
            }
        }

        private boolean complete(Partial p) {
            int last = steps.size() - 1;
            return p.step == last && p.counts[last] >= steps.get(last).min();
        }

        private boolean waiting(Partial p) {
            return absence && complete(p);
        }

        private void match(Partial p, long absenceEnd) throws Exception {
            MapState<Long, Telemetry> records = ctx.mapState(RECORDS);
            List<SequenceAlerts.Taken> taken = new ArrayList<>();
            for (int i = 0; i <= p.step; i++) {
                List<Telemetry> kept = new ArrayList<>(p.evidence[i].length);
                for (long seq : p.evidence[i]) {
                    Telemetry r = fresh.get(seq);
                    kept.add(r != null ? r : records.get(seq));
                }
                taken.add(new SequenceAlerts.Taken(steps.get(i).name(), p.counts[i], kept));
            }
            ctx.emit(SequenceAlerts.alert(ctx.rule(), ctx.key(), all, taken, p.startTs, p.lastTs, absenceEnd));
        }
    }

    /** The partial matches of one key in start order, and the next record sequence number; stored as one long[]. */
    static final class Partials {
        long nextSeq;
        final List<Partial> list = new ArrayList<>();

        static Partials decode(long[] a) {
            Partials ps = new Partials();
            if (a == null) {
                return ps;
            }
            ps.nextSeq = a[0];
            int at = 2;
            for (long n = 0; n < a[1]; n++) {
                Partial p = new Partial(a[at], a[at + 1], (int) a[at + 2]);
                p.lastSeq = a[at + 3];
                p.lastTs = a[at + 4];
                p.step = (int) a[at + 5];
                at += 6;
                for (int i = 0; i <= p.step; i++) {
                    p.counts[i] = a[at];
                    p.evidence[i] = Arrays.copyOfRange(a, at + 2, at + 2 + (int) a[at + 1]);
                    at += 2 + (int) a[at + 1];
                }
                ps.list.add(p);
            }
            return ps;
        }

        long[] encode() {
            int size = 2;
            for (Partial p : list) {
                size += 6;
                for (int i = 0; i <= p.step; i++) {
                    size += 2 + p.evidence[i].length;
                }
            }
            long[] a = new long[size];
            a[0] = nextSeq;
            a[1] = list.size();
            int at = 2;
            for (Partial p : list) {
                a[at] = p.startSeq;
                a[at + 1] = p.startTs;
                a[at + 2] = p.counts.length;
                a[at + 3] = p.lastSeq;
                a[at + 4] = p.lastTs;
                a[at + 5] = p.step;
                at += 6;
                for (int i = 0; i <= p.step; i++) {
                    a[at] = p.counts[i];
                    a[at + 1] = p.evidence[i].length;
                    System.arraycopy(p.evidence[i], 0, a, at + 2, p.evidence[i].length);
                    at += 2 + p.evidence[i].length;
                }
            }
            return a;
        }

        /** The lowest sequence number a partial match can keep as evidence: its first record's, or the next one. */
        long firstSeq() {
            long first = nextSeq;
            for (Partial p : list) {
                first = Math.min(first, p.startSeq);
            }
            return first;
        }

        /**
         * The sequence numbers of every record a partial match keeps as evidence, as bits from {@code base} (at most
         * {@link #firstSeq()}). A bit set rather than a {@code HashSet<Long>}: a key with errors all the time keeps
         * hundreds of partial matches, whose evidence this gathers twice per timer; boxing and hashing them was a
         * third of the detectors' time in {@code bench e2e}. Its size is one bit per record judged for this key since
         * the oldest partial match began (bounded by {@code within}): 125 KB for a million such records, where the set
         * held the evidence of up to {@link SequenceDetector#MAX_PARTIALS} partial matches (5,000 boxed numbers, about
         * 250 KB, with the default evidence of 5).
         */
        BitSet evidence(long base) {
            BitSet seqs = new BitSet((int) (nextSeq - base));
            for (Partial p : list) {
                for (int i = 0; i <= p.step; i++) {
                    for (long seq : p.evidence[i]) {
                        seqs.set((int) (seq - base));
                    }
                }
            }
            return seqs;
        }
    }

    /** One partial match: where it started, the step it is in, and per step its count and evidence. */
    static final class Partial {
        final long startSeq;
        final long startTs;
        long lastSeq;
        long lastTs;
        int step;
        /** Records taken per step. */
        final long[] counts;

        final long[][] evidence;

        Partial(long startSeq, long startTs, int steps) {
            this.startSeq = startSeq;
            this.startTs = startTs;
            this.counts = new long[steps];
            this.evidence = new long[steps][];
            Arrays.fill(evidence, new long[0]);
        }

        /**
         * Takes a record into step {@code i}, keeping as evidence the step's first {@code keep - 1} records and its
         * last, as the alerts of CEP matches do.
         */
        void take(int i, long seq, long ts, int keep) {
            long n = ++counts[i];
            long[] e = evidence[i];
            if (keep > 0 && (n < keep || e.length < keep)) {
                e = Arrays.copyOf(e, e.length + 1);
            }
            if (e.length > 0 && n >= e.length) {
                e[e.length - 1] = seq;
            }
            evidence[i] = e;
            lastSeq = seq;
            lastTs = ts;
        }
    }
}
