package io.vigil.detect;

import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * The one test harness for detectors: the real {@link DetectorOperator} inside Flink's operator test harness, fed the
 * way the job feeds it. {@link #send} routes a record as {@link RuleRouter} does (every rule whose filter takes it,
 * one {@link Routed} per key group); {@link #record} sends it to one rule. Rule updates arrive on the broadcast input,
 * watermarks move on both inputs (the operator's event time is the minimum of its inputs), and snapshots restore into
 * a new harness. Built on a mock environment whose operator metric group keeps its counters, so tests can read
 * {@code lateRecords}.
 *
 * <p>Harnesses made from YAML with {@link #yaml} fail the test on any rule evaluation error; the others collect them
 * for {@link #ruleErrors()}.
 */
@SuppressWarnings("try") // Flink's harness is AutoCloseable with close() throws Exception; close() below narrows it
public final class DetectorHarness extends AbstractStreamOperatorTestHarness<Alert> {
    private final DetectorOperator op;
    private final InterceptingOperatorMetricGroup metrics;
    private final List<RuleSpec> specs;
    private final List<CompiledRule> rules;
    private final boolean failOnRuleErrors;
    private long watermark = Long.MIN_VALUE;

    private DetectorHarness(
            DetectorOperator op,
            MockEnvironment env,
            InterceptingOperatorMetricGroup metrics,
            List<RuleSpec> specs,
            boolean failOnRuleErrors)
            throws Exception {
        super(op, env);
        this.op = op;
        this.metrics = metrics;
        this.specs = specs;
        this.rules = RuleCompiler.compileAll(specs);
        this.failOnRuleErrors = failOnRuleErrors;
        config.setStatePartitioner(0, (Routed r) -> r.key);
        config.setStateKeySerializer(Types.STRING.createSerializer(executionConfig.getSerializerConfig()));
        config.serializeAllConfigs();
    }

    /** A harness running the given rules (as if from the job's rule files), not yet opened. */
    public static DetectorHarness create(List<RuleSpec> initialRules) throws Exception {
        return create(initialRules, false);
    }

    private static DetectorHarness create(List<RuleSpec> initialRules, boolean failOnRuleErrors) throws Exception {
        return create(new DetectorOperator(new RuleBook(initialRules)), initialRules, failOnRuleErrors);
    }

    /**
     * A harness opened on the given rules whose bounded run ends at event time {@code until} (null: the newest
     * record's), with the job's watermark delay, as a replay or rule test runs them.
     */
    public static DetectorHarness runningUntil(Long until, long watermarkDelayMillis, RuleSpec... rules)
            throws Exception {
        List<RuleSpec> specs = List.of(rules);
        DetectorHarness h =
                create(new DetectorOperator(new RuleBook(specs), until, watermarkDelayMillis), specs, false);
        h.open();
        return h;
    }

    private static DetectorHarness create(DetectorOperator op, List<RuleSpec> initialRules, boolean failOnRuleErrors)
            throws Exception {
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        InterceptingTaskMetricGroup task = new InterceptingTaskMetricGroup() {
            @Override
            public InternalOperatorMetricGroup getOrAddOperator(
                    OperatorID id, String name, Map<String, String> additionalVariables) {
                return metrics;
            }
        };
        MockEnvironment env = new MockEnvironmentBuilder()
                .setTaskName("detector")
                .setMaxParallelism(128)
                .setParallelism(1)
                .setSubtaskIndex(0)
                .setMetricGroup(task)
                .build();
        return new DetectorHarness(op, env, metrics, initialRules, failOnRuleErrors);
    }

    /** A harness opened on the given rules. */
    public static DetectorHarness running(RuleSpec... rules) throws Exception {
        DetectorHarness h = create(List.of(rules));
        h.open();
        return h;
    }

    /** A harness restored from a snapshot and opened. */
    public static DetectorHarness restored(OperatorSubtaskState snapshot, RuleSpec... rules) throws Exception {
        return restored(snapshot, List.of(rules), false);
    }

    private static DetectorHarness restored(OperatorSubtaskState snapshot, List<RuleSpec> rules, boolean strict)
            throws Exception {
        DetectorHarness h = create(rules, strict);
        h.initializeState(snapshot);
        h.open();
        return h;
    }

    /** A harness opened on the rules of this YAML (one rule, a list, or {@code rules: [...]}). */
    public static DetectorHarness yaml(String yaml) throws Exception {
        DetectorHarness h = create(load(yaml), true);
        h.open();
        return h;
    }

    /** A harness opened on the first rule of this YAML. */
    public static DetectorHarness of(String yaml) throws Exception {
        DetectorHarness h = create(List.of(load(yaml).get(0)));
        h.open();
        return h;
    }

    /** Rules parsed from YAML text through the real loader (so problems carry lines). */
    public static List<RuleSpec> load(String yaml) {
        try {
            Path f = Files.createTempFile("vigil-rule", ".yaml");
            try {
                Files.writeString(f, yaml);
                return RuleLoader.load(List.of(f));
            } finally {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sets how much detector state the operator caches when its backend is not the heap (set before {@code open}); 1
     * writes every change back before the next record.
     */
    public DetectorHarness stateCacheCapacity(int capacity) {
        op.withStateCacheCapacity(capacity);
        return this;
    }

    /**
     * Gives each rule version timers of its own on every backend, as builds before shared timers did (set before
     * {@code open}).
     */
    public DetectorHarness timersPerRule() {
        op.withTimersPerRule();
        return this;
    }

    /** Moves at most {@code n} restored timers per walk of the timers, as a job with many does (set before open). */
    public DetectorHarness timersMovedPerWalk(int n) {
        op.withTimersMovedPerWalk(n);
        return this;
    }

    /** The first rule, compiled. */
    public CompiledRule rule() {
        return rules.get(0);
    }

    /** A new harness on the same rules, started from {@code snapshot}; this one stays as it is. */
    public DetectorHarness restore(OperatorSubtaskState snapshot) throws Exception {
        DetectorHarness h = restored(snapshot, specs, failOnRuleErrors);
        h.watermark = watermark;
        return h;
    }

    /** Snapshots this harness (as a checkpoint would), closes it and returns a new one started from the snapshot. */
    public DetectorHarness restart() throws Exception {
        OperatorSubtaskState state = snapshot(1L, 1L);
        close();
        return restore(state);
    }

    public OperatorSubtaskState snapshot(long checkpointId) throws Exception {
        return snapshot(checkpointId, checkpointId);
    }

    /** A savepoint in Flink's canonical format, which restores on any state backend. */
    public OperatorSubtaskState savepoint(long checkpointId) throws Exception {
        prepareSnapshotPreBarrier(checkpointId);
        return snapshotWithLocalState(
                        checkpointId, checkpointId, SavepointType.savepoint(SavepointFormatType.CANONICAL))
                .getJobManagerOwnedState();
    }

    /** Snapshots as a task does at a barrier: the operator first gets its call before the barrier goes on. */
    @Override
    public OperatorSubtaskState snapshot(long checkpointId, long timestamp) throws Exception {
        prepareSnapshotPreBarrier(checkpointId);
        return super.snapshot(checkpointId, timestamp);
    }

    /**
     * Routes a record as the router does: to every enabled rule whose filter takes it, one {@link Routed} per key
     * group. Returns whether any rule took it.
     */
    public boolean send(Telemetry t) throws Exception {
        List<CompiledRule> matched = new ArrayList<>();
        for (CompiledRule r : rules) {
            if (r.spec.enabled && r.kind.hotReloadable(r.spec) && r.filter.test(t)) {
                matched.add(r);
            }
        }
        List<String> groups = new ArrayList<>();
        for (CompiledRule r : matched) {
            if (!groups.contains(r.keyGroup)) {
                groups.add(r.keyGroup);
            }
        }
        for (String g : groups) {
            List<CompiledRule> group = new ArrayList<>();
            for (CompiledRule r : matched) {
                if (r.keyGroup.equals(g)) {
                    group.add(r);
                }
            }
            String[] ids = new String[group.size()];
            long[] versions = new long[group.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = group.get(i).id();
                versions[i] = group.get(i).fingerprint;
            }
            process(new Routed(group.get(0).groupKeyOf(t), ids, versions, t), t.timestamp);
        }
        checkNoErrors();
        return !matched.isEmpty();
    }

    /** Sends a record to this rule alone, as the router would, at the record's time (its filter is not asked). */
    public void record(RuleSpec rule, Telemetry t) throws Exception {
        process(Routed.to(RuleCompiler.compile(rule), t), t.timestamp);
    }

    /** Hands the operator a routed record as it is, at the given time. */
    public void process(Routed r, long timestamp) throws Exception {
        StreamRecord<Routed> element = new StreamRecord<>(r, timestamp);
        op.setKeyContextElement1(element);
        op.processElement1(element);
    }

    public void update(RuleUpdate u) throws Exception {
        op.processElement2(new StreamRecord<>(u));
    }

    /** Sends a watermark on the records' input alone, as while the rule updates' input holds the combined one back. */
    public void recordsWatermark(long ts) throws Exception {
        op.processWatermark1(new Watermark(ts));
        checkNoErrors();
    }

    /** Advances event time on both inputs. */
    public void watermark(long ts) throws Exception {
        watermark = ts;
        op.processWatermark1(new Watermark(ts));
        op.processWatermark2(new Watermark(ts));
        checkNoErrors();
    }

    public long currentWatermark() {
        return watermark;
    }

    public List<Alert> alerts() {
        return new ArrayList<>(extractOutputValues());
    }

    /** Alerts emitted since the last call, clearing the output. */
    public List<Alert> drain() {
        List<Alert> a = alerts();
        getOutput().clear();
        return a;
    }

    public List<Alert> firing() {
        return withStatus(Alert.FIRING);
    }

    public List<Alert> resolved() {
        return withStatus(Alert.RESOLVED);
    }

    private List<Alert> withStatus(String status) {
        List<Alert> out = new ArrayList<>();
        for (Alert a : alerts()) {
            if (status.equals(a.status)) {
                out.add(a);
            }
        }
        return out;
    }

    public List<RuleError> ruleErrors() {
        List<RuleError> out = new ArrayList<>();
        var q = getSideOutput(RuleRouter.RULE_ERRORS);
        if (q != null) {
            q.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    public List<Rollup> rollups() {
        List<Rollup> out = new ArrayList<>();
        var q = getSideOutput(DetectorOperator.ROLLUPS);
        if (q != null) {
            q.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    public long lateRecords() {
        Metric m = metrics.get("lateRecords");
        return m == null ? 0 : ((Counter) m).getCount();
    }

    /** Keyed state entries across all keys, rules and states (heap backend). */
    public int keyedStateEntries() {
        KeyedStateBackend<Object> b = op.getKeyedStateBackend();
        if (b instanceof HeapKeyedStateBackend) {
            return ((HeapKeyedStateBackend<?>) b).numKeyValueStateEntries();
        }
        throw new IllegalStateException("expected a heap keyed state backend, got " + b);
    }

    /** Entries of a detector's map state for one rule key ({@link CompiledRule#keyOf}), in that rule's namespace. */
    public <K, V> int mapEntries(String ruleKey, MapStateDescriptor<K, V> descriptor) throws Exception {
        int n = 0;
        for (var ignored : ruleState(ruleKey, descriptor).keys()) {
            n++;
        }
        return n;
    }

    /**
     * Everything an alert says that a user sees (id, status, key, window, values, labels, annotations, message,
     * evidence), one line per alert, sorted: equal lists mean the same alerts, field by field.
     */
    public static List<String> described(List<Alert> alerts) {
        List<String> out = new ArrayList<>();
        for (Alert a : alerts) {
            out.add(a.id + " " + a.status + " " + a.key + " [" + a.windowStart + "," + a.windowEnd + ") " + a.observed
                    + "/" + a.expected + " " + a.labels + " " + a.annotations + " " + a.message + " " + a.evidence);
        }
        out.sort(null);
        return out;
    }

    /** A detector's map state for one rule key, in that rule's namespace: to read, or to write as older code did. */
    public <K, V> MapState<K, V> mapState(String ruleKey, MapStateDescriptor<K, V> descriptor) throws Exception {
        return ruleState(ruleKey, descriptor);
    }

    /** A detector's value state for one rule key, in that rule's namespace: to read, or to write as older code did. */
    public <T> ValueState<T> valueState(String ruleKey, ValueStateDescriptor<T> descriptor) throws Exception {
        return ruleState(ruleKey, descriptor);
    }

    private <S extends State> S ruleState(String ruleKey, StateDescriptor<S, ?> descriptor) throws Exception {
        String id = CompiledRule.ruleIdOf(ruleKey);
        CompiledRule rule = rules.stream()
                .filter(r -> r.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no rule " + id));
        KeyedStateBackend<Object> backend = op.getKeyedStateBackend();
        backend.setCurrentKey(rule.keyGroup + ruleKey.substring(id.length()));
        return backend.getPartitionedState(rule.fingerprint, LongSerializer.INSTANCE, descriptor);
    }

    /** Event-time timers registered and not fired yet, over all keys and rules. */
    public int timers() {
        return numEventTimeTimers();
    }

    private void checkNoErrors() {
        if (failOnRuleErrors && !ruleErrors().isEmpty()) {
            throw new AssertionError("rule evaluation failed: " + ruleErrors().get(0).error);
        }
    }

    /** Closes the harness; declared without checked exceptions so try-with-resources stays warning-free. */
    @Override
    public void close() {
        try {
            super.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the harness failed", e);
        }
    }
}
