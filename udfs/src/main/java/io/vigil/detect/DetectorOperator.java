package io.vigil.detect;

import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.runtime.state.internal.InternalKvState;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every hot-reloadable rule. Keyed by key group (see {@link CompiledRule#groupKeyOf}): each {@link Routed} record
 * names the rules of its group that it matched, and the operator hands it to each of their detectors in turn, with a
 * {@link DetectorContext} scoped to that rule and the rule's key.
 *
 * <p>Each rule's keyed state and timers live in a namespace of their own, the rule version's
 * {@link CompiledRule#fingerprint}, as a window operator keeps each window's state apart: rules that share a key never
 * see each other's state, and a changed rule starts clean by construction, with no version check per record. Flink's
 * {@code KeyedBroadcastProcessFunction} offers keyed state in one namespace only, which is why this is an operator.
 * On backends other than the heap, the rules of a key share one timer per time ({@link SharedTimers}), which lists the
 * rule versions due then; on the heap each rule version has timers of its own. A restore moves the timers saved in the
 * other layout (by the other backend, or by a build before shared timers) into this one's.
 *
 * <p>Rule changes arrive as broadcast updates (input 2). A changed or deleted rule's state is cleared in all keys when
 * the update arrives, and logged. A timer of a version that no longer runs (restored from before the rule files
 * changed) clears what that version kept for its key. A detector that throws is counted and reported on
 * {@link RuleRouter#RULE_ERRORS} with the record; the job and the rule's other keys go on.
 *
 * <p>On a backend other than the heap (RocksDB on the cluster), the detectors' state goes through a {@link StateCache}:
 * read once, changed in memory, written back before each checkpoint barrier, when the cache is full, and before a
 * rule change clears state across keys, so a key's state costs one round trip per checkpoint rather than several per
 * record.
 *
 * <p>End of input, one rule for every kind: a bounded run judges exactly the windows that closed by its end time, as
 * promtool's {@code eval_time}. The end is {@code until} when given (records from it on are ignored), otherwise just
 * after the newest record's event time (read from this instance's records and from the last watermark, which every
 * instance sees), so the newest record is in the run. When the input ends (the watermark jumps to its maximum) or the watermark reaches {@code until}, event time
 * advances to just before the end, so every timer of a window that closed fires, and no later timer ever does: the
 * end of a replay is not time passing, for any kind.
 */
public class DetectorOperator extends AbstractStreamOperator<Alert>
        implements TwoInputStreamOperator<Routed, RuleUpdate, Alert>, Triggerable<String, Long> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DetectorOperator.class);

    public static final OutputTag<Rollup> ROLLUPS = new OutputTag<>("detector-rollups") {};

    /**
     * Values, map entries and list items of detector state held in the {@link StateCache} between checkpoints, by
     * default. Most are small (a count, a pending value, a pane's centroids: about 100 bytes with their map entry),
     * some a sample record (about 1 KB): 23,000 held by 200 rules took 5.6 MB of heap (measured), so 5 to 50 MB by
     * estimate; the cluster's task heap is 256 MB for two slots. A job of many rules can give it more (the job's
     * {@code state-cache-entries}, docs/benchmarks.md).
     */
    public static final int STATE_CACHE_CAPACITY = 50_000;

    /** {@link SharedTimers#NAMESPACE}, boxed once: timers take their namespace as an object. */
    private static final Long SHARED = SharedTimers.NAMESPACE;

    /**
     * Restored timers collected per walk of all timers before they are moved: about 100 bytes each (the key, the
     * namespace and time), so 10 MB at most on a task heap of 128 MB, where a job with millions of timers would not
     * fit them all.
     */
    static final int TIMERS_MOVED_PER_WALK = 100_000;

    /** Ends a walk of the timers once it collected {@link #timersMovedPerWalk}; thrown without a stack trace. */
    private static final class WalkFull extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WalkFull() {
            super("walk full", null, false, false);
        }
    }

    private static final WalkFull WALK_FULL = new WalkFull();

    /** Heap state objects kept by descriptor (far more than the detectors' state names). */
    private static final int MAX_OPENED = 256;

    private final RuleBook rules;
    /** Event time a bounded run ends at; null: the newest record's. */
    private final Long until;
    /** The watermark delay: the last watermark plus it (and 1 ms) is the newest record's time. */
    private final long watermarkDelayMillis;

    private transient long newestRecord;
    /** The records' newest watermark, as their input sent it (see {@link #processWatermark1}). */
    private transient long lastWatermark;
    /** The run's end was reached: timers no longer fire, watermarks only pass through. */
    private transient boolean ended;

    private transient BroadcastState<String, String> ruleState;
    private transient InternalTimerService<Long> timers;
    private transient TimestampedCollector<Alert> collector;
    private transient Counter lateRecords;
    private transient Counter ruleErrors;
    private transient Map<String, Counter> alertCounters;
    private transient Scope scope;
    private transient boolean restored;
    /** The detectors' state, cached between checkpoints when the backend is not the heap; null on the heap. */
    private transient StateCache cache;
    /** New timers are shared by the rules of a key ({@link SharedTimers}): with the cache, unless told otherwise. */
    private transient boolean sharedTimers;
    /** Each rule version gets timers of its own on every backend, as before shared timers (for tests of restores). */
    private boolean timersPerRule;
    /** Restored timers moved per walk of the timers ({@link #settleRestoredTimers}). */
    private int timersMovedPerWalk = TIMERS_MOVED_PER_WALK;
    /** Values, map entries and list items the cache holds before it writes them back. */
    private int stateCacheCapacity = STATE_CACHE_CAPACITY;
    /** The time side outputs carry: the record's, or the timer's, as the alerts on the main output do. */
    private transient long sideTimestamp;

    /** An operator whose bounded runs end at the newest record's time (watermarks with no delay, as in tests). */
    public DetectorOperator(RuleBook rules) {
        this(rules, null, 0);
    }

    /**
     * @param until event time a bounded run ends at, or null for the newest record's
     * @param watermarkDelayMillis the telemetry's watermark delay (bounded out-of-orderness)
     */
    public DetectorOperator(RuleBook rules, Long until, long watermarkDelayMillis) {
        this.rules = rules;
        this.until = until;
        this.watermarkDelayMillis = watermarkDelayMillis;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        ruleState = getOperatorStateBackend().getBroadcastState(RuleBook.RULES);
        timers = getInternalTimerService("vigil-detector-timers", LongSerializer.INSTANCE, this);
        collector = new TimestampedCollector<>(output);
        lateRecords = getMetricGroup().counter("lateRecords");
        ruleErrors = getMetricGroup().counter("ruleEvaluationErrors");
        alertCounters = new HashMap<>();
        scope = new Scope();
        newestRecord = Long.MIN_VALUE;
        lastWatermark = Long.MIN_VALUE;
        if (restored) {
            dropStateOfRetiredVersions();
        }
        // On the heap, state objects are the cache already; elsewhere every access is a serialization round trip.
        cache = getKeyedStateBackend() instanceof HeapKeyedStateBackend
                ? null
                : new StateCache(
                        new StateCache.Backend() {
                            @Override
                            public <S extends State> S state(long namespace, StateDescriptor<S, ?> d) throws Exception {
                                return getPartitionedState(namespace, LongSerializer.INSTANCE, d);
                            }

                            @Override
                            public void setCurrentKey(String key) {
                                DetectorOperator.this.setCurrentKey(key);
                            }
                        },
                        stateCacheCapacity);
        sharedTimers = cache != null && !timersPerRule;
        if (restored) {
            settleRestoredTimers();
        }
    }

    /**
     * Sets how much detector state is cached on backends other than the heap (tests flush often with a small one, jobs
     * of many rules on RocksDB may want a larger one).
     */
    public DetectorOperator withStateCacheCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the state cache holds at least one entry, not " + capacity);
        }
        this.stateCacheCapacity = capacity;
        return this;
    }

    /**
     * Gives each rule version timers of its own, in its own namespace, on every backend (set before {@code open}), as
     * builds before {@link SharedTimers} did: tests restore what such a build saved.
     */
    DetectorOperator withTimersPerRule() {
        this.timersPerRule = true;
        return this;
    }

    /** Moves at most {@code n} restored timers per walk of the timers (set before {@code open}; tests walk often). */
    DetectorOperator withTimersMovedPerWalk(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("a walk moves at least one timer, not " + n);
        }
        this.timersMovedPerWalk = n;
        return this;
    }

    /** Makes room in the cache when it is full, then restores the key the record or timer runs under. */
    private void flushIfFull(String key) throws Exception {
        if (cache != null && cache.full() && cache.makeRoom()) {
            setCurrentKey(key);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        if (cache != null) {
            cache.writeBackAndKeep(); // the checkpoint holds every state change made before its barrier
        }
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        if (cache != null) {
            cache.flush();
        }
        super.finish();
    }

    @Override
    public void processElement1(StreamRecord<Routed> element) throws Exception {
        collector.setTimestamp(element);
        sideTimestamp = element.getTimestamp();
        Routed in = element.getValue();
        if (until != null && in.record.timestamp >= until) {
            return; // after the end of the run
        }
        newestRecord = Math.max(newestRecord, in.record.timestamp);
        flushIfFull(in.key);
        for (int i = 0, n = in.ruleCount(); i < n; i++) {
            // The version the router matched, if it still runs; else the rule's current version, by its id.
            CompiledRule rule = in.versions == null ? null : rules.ruleVersion(in.versions[i], ruleState);
            // The version the router matched keyed the record itself (the router groups rules of one key group), so
            // only another version can have been re-keyed while the record was in flight: with 200 rules the check
            // on every rule took 5% of this thread's samples.
            boolean keyedByIt = rule != null;
            if (rule == null) {
                rule = rules.rule(in.ruleId(i), ruleState);
            }
            if (rule == null || rule.detector == null || !(keyedByIt || rule.inGroup(in.key))) {
                continue; // deleted, disabled or re-keyed while the record was in flight
            }
            scope.enter(rule, in.key);
            try {
                rule.detector.onRecord(in.record, scope);
            } catch (Exception e) {
                reportError(rule, in.record, e);
            }
        }
    }

    @Override
    public void processElement2(StreamRecord<RuleUpdate> element) throws Exception {
        RuleUpdate update = element.getValue();
        if (update.ruleId == null || update.ruleId.isEmpty()) {
            return;
        }
        CompiledRule previous = rules.apply(update, ruleState);
        CompiledRule now = rules.rule(update.ruleId, ruleState);
        if (previous != null && previous.detector != null && (now == null || !now.json.equals(previous.json))) {
            if (cache != null) {
                cache.flush(); // the backend then holds all the rule's state, and clearing it leaves none cached
            }
            for (StateDescriptor<?, ?> d : previous.detector.state()) {
                getKeyedStateBackend()
                        .applyToAllKeys(
                                previous.fingerprint, LongSerializer.INSTANCE, d, (key, state) -> state.clear());
            }
            LOG.info("Cleared the keyed state of rule {} ({})", previous.id(), now == null ? "deleted" : "changed");
        }
    }

    /**
     * Notes the records' watermark before Flink combines it with the rule updates' (the lower of the two). Until the
     * rule updates' input goes idle, it holds the combined watermark at its start; a bounded run whose records'
     * watermark came meanwhile, and then its end, would otherwise take its end from this instance's newest record
     * alone, and miss the windows that closed after it (what `WatermarkGranularityTest` once missed in 21 CI runs, two
     * resolves after the last routed record, looks like this; it was not reproduced).
     */
    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        if (mark.getTimestamp() != Long.MAX_VALUE) {
            lastWatermark = Math.max(lastWatermark, mark.getTimestamp());
        }
        super.processWatermark1(mark);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long ts = mark.getTimestamp();
        if (ended) {
            output.emitWatermark(mark);
            return;
        }
        if (ts != Long.MAX_VALUE && (until == null || ts < until)) {
            lastWatermark = Math.max(lastWatermark, ts);
            super.processWatermark(mark);
            return;
        }
        ended = true;
        // The end is exclusive: until itself, or just after the newest record, whose own timers (a sequence judges each
        // record at its event time) are due.
        long newest = newestRecordTime();
        long end = until != null ? until : newest == Long.MIN_VALUE ? Long.MIN_VALUE : newest + 1;
        if (end != Long.MIN_VALUE && end - 1 > timers.currentWatermark()) {
            super.processWatermark(new Watermark(end - 1)); // every window that closed by the end is judged
        }
        output.emitWatermark(mark);
    }

    /** The newest record's event time: this instance's or the watermark's (every instance sees it), the later. */
    private long newestRecordTime() {
        long fromWatermark =
                lastWatermark == Long.MIN_VALUE ? Long.MIN_VALUE : lastWatermark + watermarkDelayMillis + 1;
        return Math.max(newestRecord, fromWatermark);
    }

    @Override
    public void onEventTime(InternalTimer<String, Long> timer) throws Exception {
        long time = timer.getTimestamp();
        String key = timer.getKey();
        collector.setAbsoluteTimestamp(time);
        sideTimestamp = time;
        flushIfFull(key);
        if (timer.getNamespace() != SharedTimers.NAMESPACE) {
            fire(timer.getNamespace(), key, time);
            return;
        }
        for (long version : SharedTimers.take(dueTimers(key), time)) {
            fire(version, key, time);
        }
    }

    /** Runs the timer of one rule version for a key, or clears what the version kept there if it no longer runs. */
    private void fire(long version, String key, long time) throws Exception {
        CompiledRule rule = rules.ruleVersion(version, ruleState);
        if (rule == null || rule.detector == null) {
            // A timer of a version that no longer runs: what that version kept for this key will never be judged.
            if (cache != null) {
                cache.flush();
                setCurrentKey(key);
            }
            for (StateDescriptor<?, ?> d : knownState()) {
                clear(version, d);
            }
            return;
        }
        scope.enter(rule, key);
        try {
            rule.detector.onTimer(time, scope);
        } catch (Exception e) {
            reportError(rule, null, e);
        }
    }

    /** The rule versions due at each time of the current key, whose timers they share. */
    private ValueState<long[]> dueTimers(String key) throws Exception {
        if (cache != null) {
            cache.enter(key, SharedTimers.NAMESPACE);
            return cache.value(SharedTimers.DUE);
        }
        return getPartitionedState(SHARED, LongSerializer.INSTANCE, SharedTimers.DUE);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, Long> timer) {
        // detectors judge in event time only
    }

    /**
     * After a restore, drops the state of rule versions that no longer run (the rule files changed while the job was
     * stopped), so it does not linger in keys that never see the rule again. Runs once per restore, over the keys of
     * each state name the running rules use.
     */
    private void dropStateOfRetiredVersions() throws Exception {
        Map<Long, CompiledRule> running = new HashMap<>();
        for (CompiledRule r : rules.rules(ruleState)) {
            running.put(r.fingerprint, r);
        }
        int dropped = 0;
        for (StateDescriptor<?, ?> d : knownState()) {
            List<Tuple2<String, Long>> retired = new ArrayList<>();
            KeyedStateBackend<String> backend = getKeyedStateBackend();
            try (Stream<Tuple2<String, Long>> keys = backend.getKeysAndNamespaces(d.getName())) {
                keys.filter(k -> !running.containsKey(k.f1)).forEach(retired::add);
            }
            for (Tuple2<String, Long> k : retired) {
                setCurrentKey(k.f0);
                clear(k.f1, d);
                dropped++;
            }
        }
        if (dropped > 0) {
            LOG.info("Dropped {} keyed state entries of rule versions that no longer run", dropped);
        }
    }

    /**
     * After a restore, moves the timers saved in the other layout into this one's: a rule version's own timers (saved
     * on the heap, or by a build before shared timers) into its key's shared timers, or shared timers (saved on
     * another backend) into timers of each rule version on the heap. Why: a rule that sets a timer after the restore
     * at a time it already had one in the other layout would hold two timers for that time and be run twice then (an
     * SLO rule would publish that step's rollups twice). Runs once per restore, over every timer. What is moved is
     * collected first, as Flink's timer queues are not to be changed while they are walked, at most
     * {@link #TIMERS_MOVED_PER_WALK} per walk: a job with more walks again, and a moved timer is in this layout, so
     * each walk collects ones not moved yet.
     */
    private void settleRestoredTimers() throws Exception {
        List<RestoredTimer> walked = new ArrayList<>();
        int moved = 0;
        boolean full;
        do {
            walked.clear();
            full = false;
            try {
                timers.forEachEventTimeTimer((namespace, time) -> {
                    if ((namespace == SharedTimers.NAMESPACE) != sharedTimers) {
                        // The walk sets each timer's key as the current one.
                        walked.add(new RestoredTimer((String) getCurrentKey(), namespace, time));
                        if (walked.size() == timersMovedPerWalk) {
                            throw WALK_FULL;
                        }
                    }
                });
            } catch (WalkFull f) {
                full = true;
            }
            for (RestoredTimer t : walked) {
                moved += moveRestoredTimer(t);
            }
        } while (full);
        if (moved > 0) {
            LOG.info(
                    "Moved {} restored timers of rule versions {} their keys' shared timers",
                    moved,
                    sharedTimers ? "into" : "out of");
        }
    }

    /** A timer found by the walk after a restore, in the layout it was saved in. */
    private record RestoredTimer(String key, long namespace, long time) {}

    /** Moves one restored timer into this layout; returns the rule versions' timers it moved. */
    private int moveRestoredTimer(RestoredTimer t) throws Exception {
        flushIfFull(t.key);
        setCurrentKey(t.key);
        timers.deleteEventTimeTimer(t.namespace, t.time);
        if (sharedTimers) {
            if (SharedTimers.add(dueTimers(t.key), t.time, t.namespace)) {
                timers.registerEventTimeTimer(SHARED, t.time);
            }
            return 1;
        }
        int moved = 0;
        for (long version : SharedTimers.take(dueTimers(t.key), t.time)) {
            timers.registerEventTimeTimer(version, t.time);
            moved++;
        }
        return moved;
    }

    /** Every state descriptor the running rules' detectors use, each name once. */
    private List<StateDescriptor<?, ?>> knownState() throws Exception {
        Map<String, StateDescriptor<?, ?>> byName = new LinkedHashMap<>();
        for (CompiledRule r : rules.rules(ruleState)) {
            if (r.detector != null) {
                for (StateDescriptor<?, ?> d : r.detector.state()) {
                    byName.putIfAbsent(d.getName(), d);
                }
            }
        }
        return new ArrayList<>(byName.values());
    }

    private void clear(long namespace, StateDescriptor<?, ?> d) throws Exception {
        State s = getPartitionedState(namespace, LongSerializer.INSTANCE, d);
        s.clear();
    }

    private void reportError(CompiledRule rule, Telemetry record, Exception e) {
        ruleErrors.inc();
        LOG.debug("Rule {} failed", rule.id(), e);
        output.collect(
                RuleRouter.RULE_ERRORS,
                new StreamRecord<>(new RuleError(rule.id(), record, e.toString()), sideTimestamp));
    }

    private Counter alertCounter(Alert a) {
        return alertCounters.computeIfAbsent(
                a.ruleId + '/' + a.severity,
                k -> getMetricGroup()
                        .addGroup("rule", a.ruleId)
                        .addGroup("severity", a.severity)
                        .counter("alerts"));
    }

    /** The context handed to detectors; re-pointed at the current rule and key before each call. */
    private final class Scope implements DetectorContext {
        private CompiledRule rule;
        private String groupKey;
        /** The rule's own key (rule id, then the values), built from {@link #groupKey} on first use. */
        private String key;

        private Map<String, String> keyFields;
        /**
         * Views by state name. The backend hands out one state object per name and moves it between namespaces, so
         * one view per name serves every rule.
         */
        private final Map<String, UserFacingStates.MapView<?, ?>> maps = new HashMap<>();

        private final Map<String, UserFacingStates.ListView<?>> lists = new HashMap<>();

        /**
         * Heap state objects by their detector's descriptor, re-pointed at the rule's namespace on each access. The
         * backend's own lookup (by name, every access) was 6 to 10% of the detectors' thread with 200 rules on the heap
         * (docs/benchmarks.md); what it does once found is this same call. Detectors keep their descriptors in
         * constants, so this holds one entry per state name.
         */
        private final Map<StateDescriptor<?, ?>, InternalKvState<?, Long, ?>> opened = new IdentityHashMap<>();

        /** Points the context at a rule and a key of its group; the rule's own key is built when asked for. */
        void enter(CompiledRule rule, String groupKey) {
            this.rule = rule;
            this.groupKey = groupKey;
            this.key = null;
            this.keyFields = null;
            if (cache != null) {
                cache.enter(groupKey, rule.fingerprint);
            }
        }

        @Override
        public CompiledRule rule() {
            return rule;
        }

        @Override
        public String key() {
            if (key == null) {
                key = rule.ruleKey(groupKey);
            }
            return key;
        }

        @Override
        public Map<String, String> keyFields() {
            if (keyFields == null) {
                keyFields = rule.keyFields(key());
            }
            return keyFields;
        }

        @Override
        public <T> ValueState<T> state(ValueStateDescriptor<T> d) {
            return cache != null ? cache.value(d) : partitioned(d);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <K, V> MapState<K, V> mapState(MapStateDescriptor<K, V> d) {
            if (cache != null) {
                return cache.map(d);
            }
            MapState<K, V> s = partitioned(d);
            UserFacingStates.MapView<K, V> view = (UserFacingStates.MapView<K, V>) maps.get(d.getName());
            if (view == null || view.state != s) {
                view = new UserFacingStates.MapView<>(s);
                maps.put(d.getName(), view);
            }
            view.forget(); // the entry it last read may be another key's or another rule version's
            return view;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> ListState<T> listState(ListStateDescriptor<T> d) {
            if (cache != null) {
                return cache.list(d);
            }
            ListState<T> s = partitioned(d);
            UserFacingStates.ListView<T> view = (UserFacingStates.ListView<T>) lists.get(d.getName());
            if (view == null || view.state != s) {
                view = new UserFacingStates.ListView<>(s);
                lists.put(d.getName(), view);
            }
            return view;
        }

        /** The state in the current rule version's namespace. */
        @SuppressWarnings("unchecked")
        private <S extends State> S partitioned(StateDescriptor<S, ?> d) {
            InternalKvState<?, Long, ?> open = opened.get(d);
            if (open != null) {
                open.setCurrentNamespace(rule.fingerprint);
                return (S) open;
            }
            S s;
            try {
                s = getPartitionedState(rule.fingerprint, LongSerializer.INSTANCE, d);
            } catch (Exception e) {
                throw new IllegalStateException("cannot open keyed state " + d.getName(), e);
            }
            if (opened.size() >= MAX_OPENED) {
                opened.clear(); // descriptors made per call would otherwise pile up here; detectors keep theirs
            }
            opened.put(d, (InternalKvState<?, Long, ?>) s);
            return s;
        }

        @Override
        public long currentWatermark() {
            return timers.currentWatermark();
        }

        @Override
        public void registerTimer(long eventTime) {
            if (!sharedTimers) {
                timers.registerEventTimeTimer(rule.fingerprint, eventTime);
                return;
            }
            try {
                if (SharedTimers.add(dueTimers(groupKey), eventTime, rule.fingerprint)) {
                    timers.registerEventTimeTimer(SHARED, eventTime);
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot set a timer of rule " + rule.id(), e);
            } finally {
                cache.enter(groupKey, rule.fingerprint);
            }
        }

        @Override
        public void deleteTimer(long eventTime) {
            if (!sharedTimers) {
                timers.deleteEventTimeTimer(rule.fingerprint, eventTime);
                return;
            }
            try {
                if (SharedTimers.remove(dueTimers(groupKey), eventTime, rule.fingerprint)) {
                    timers.deleteEventTimeTimer(SHARED, eventTime);
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot delete a timer of rule " + rule.id(), e);
            } finally {
                cache.enter(groupKey, rule.fingerprint);
            }
        }

        @Override
        public void late() {
            lateRecords.inc();
        }

        @Override
        public Alert newAlert(long windowStart, long windowEnd, double observed, double expected, String comparison) {
            return RuleAlerts.firing(rule, key(), keyFields(), windowStart, windowEnd, observed, expected, comparison);
        }

        @Override
        public void emit(Alert alert) {
            alert.processingTime = System.currentTimeMillis();
            alertCounter(alert).inc();
            collector.collect(alert);
        }

        @Override
        public void emit(Rollup rollup) {
            output.collect(ROLLUPS, new StreamRecord<>(rollup, sideTimestamp));
        }
    }
}
