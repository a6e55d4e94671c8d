package io.vigil.detect;

import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * Drives a {@link DetectorOperator} inside Flink's operator test harness: keyed records on input 1, rule updates on
 * the broadcast input 2, watermarks on both (the operator's event time is the minimum of its inputs), snapshots and
 * restores. Built on a mock environment whose operator metric group keeps its counters, so tests can read the
 * operator's {@code lateRecords} counter.
 */
@SuppressWarnings("try") // Flink's harness is AutoCloseable with close() throws Exception; tests close it explicitly
final class DetectorHarness extends AbstractStreamOperatorTestHarness<Alert> {
    private final CoBroadcastWithKeyedOperator<String, Routed, RuleUpdate, Alert> op;
    private final InterceptingOperatorMetricGroup metrics;
    private final Map<RuleSpec, CompiledRule> compiled = new java.util.IdentityHashMap<>();

    private DetectorHarness(
            CoBroadcastWithKeyedOperator<String, Routed, RuleUpdate, Alert> op,
            MockEnvironment env,
            InterceptingOperatorMetricGroup metrics)
            throws Exception {
        super(op, env);
        this.op = op;
        this.metrics = metrics;
        config.setStatePartitioner(0, (Routed r) -> r.key);
        config.setStateKeySerializer(Types.STRING.createSerializer(executionConfig.getSerializerConfig()));
        config.serializeAllConfigs();
    }

    /** A harness running the given rules (as if from the job's rule files), not yet opened. */
    static DetectorHarness create(List<RuleSpec> initialRules) throws Exception {
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
        CoBroadcastWithKeyedOperator<String, Routed, RuleUpdate, Alert> op = new CoBroadcastWithKeyedOperator<>(
                new DetectorOperator(new RuleBook(initialRules)), List.of(RuleBook.RULES));
        return new DetectorHarness(op, env, metrics);
    }

    /** A harness opened on the given rules. */
    static DetectorHarness running(RuleSpec... rules) throws Exception {
        DetectorHarness h = create(List.of(rules));
        h.open();
        return h;
    }

    /** A harness restored from a snapshot and opened. */
    static DetectorHarness restored(OperatorSubtaskState snapshot, RuleSpec... rules) throws Exception {
        DetectorHarness h = create(List.of(rules));
        h.initializeState(snapshot);
        h.open();
        return h;
    }

    /** Sends a record to the rule as the router would: keyed by the rule's routing key, at the record's time. */
    void record(RuleSpec rule, Telemetry t) throws Exception {
        CompiledRule r = compiled.computeIfAbsent(rule, RuleCompiler::compile);
        StreamRecord<Routed> element = new StreamRecord<>(new Routed(r.keyOf(t), t), t.timestamp);
        op.setKeyContextElement1(element);
        op.processElement1(element);
    }

    void update(RuleUpdate u) throws Exception {
        op.processElement2(new StreamRecord<>(u));
    }

    /** Advances event time on both inputs. */
    void watermark(long ts) throws Exception {
        op.processWatermark1(new Watermark(ts));
        op.processWatermark2(new Watermark(ts));
    }

    List<Alert> alerts() {
        return new ArrayList<>(extractOutputValues());
    }

    /** Alerts emitted since the last call, clearing the output. */
    List<Alert> drain() {
        List<Alert> a = alerts();
        getOutput().clear();
        return a;
    }

    List<RuleError> ruleErrors() {
        List<RuleError> out = new ArrayList<>();
        var q = getSideOutput(RuleRouter.RULE_ERRORS);
        if (q != null) {
            q.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    List<Rollup> rollups() {
        List<Rollup> out = new ArrayList<>();
        var q = getSideOutput(DetectorOperator.ROLLUPS);
        if (q != null) {
            q.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    long lateRecords() {
        Metric m = metrics.get("lateRecords");
        return m == null ? 0 : ((Counter) m).getCount();
    }

    /** Keyed state entries across all keys and states (heap backend). */
    int keyedStateEntries() {
        KeyedStateBackend<Object> b = op.getKeyedStateBackend();
        if (b instanceof HeapKeyedStateBackend) {
            return ((HeapKeyedStateBackend<?>) b).numKeyValueStateEntries();
        }
        throw new IllegalStateException("expected a heap keyed state backend, got " + b);
    }

    int timers() {
        return numEventTimeTimers();
    }
}
