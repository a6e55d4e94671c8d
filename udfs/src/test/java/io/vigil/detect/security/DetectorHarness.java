package io.vigil.detect.security;

import io.vigil.detect.DetectorOperator;
import io.vigil.detect.Routed;
import io.vigil.detect.RuleBook;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleUpdate;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/**
 * A rule of a hot-reloadable kind running in the real shared {@link DetectorOperator}, driven by hand: records are
 * routed as the {@code RuleRouter} routes them (the rule's filter, then its routing key), watermarks and snapshots
 * are explicit.
 */
public final class DetectorHarness implements AutoCloseable {
    private final CompiledRule rule;
    private final KeyedBroadcastOperatorTestHarness<String, Routed, RuleUpdate, Alert> h;

    private DetectorHarness(CompiledRule rule, OperatorSubtaskState restore) throws Exception {
        this.rule = rule;
        DetectorOperator op = new DetectorOperator(new RuleBook(List.of(rule.spec)));
        h = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(op, List.of(RuleBook.RULES)), r -> r.key, Types.STRING, 1, 1, 0);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
    }

    public static DetectorHarness of(String yaml) throws Exception {
        return new DetectorHarness(TestRules.compile(yaml), null);
    }

    /** A new harness for the same rule, started from {@code snapshot}. */
    public DetectorHarness restore(OperatorSubtaskState snapshot) throws Exception {
        return new DetectorHarness(rule, snapshot);
    }

    public CompiledRule rule() {
        return rule;
    }

    /** Sends a record if the rule's match block takes it; returns whether it did. */
    public boolean send(Telemetry t) throws Exception {
        if (!rule.filter.test(t)) {
            return false;
        }
        h.processElement(new Routed(rule.keyOf(t), t), t.timestamp);
        return true;
    }

    public void watermark(long ts) throws Exception {
        h.watermark(ts);
    }

    public OperatorSubtaskState snapshot(long checkpointId) throws Exception {
        return h.snapshot(checkpointId, checkpointId);
    }

    public List<Alert> alerts() {
        return new ArrayList<>(h.extractOutputValues());
    }

    public List<Alert> firing() {
        List<Alert> out = new ArrayList<>();
        for (Alert a : h.extractOutputValues()) {
            if (Alert.FIRING.equals(a.status)) {
                out.add(a);
            }
        }
        return out;
    }

    public int timers() {
        return h.numEventTimeTimers();
    }

    public int keyedStateEntries() {
        return ((HeapKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend()).numKeyValueStateEntries();
    }

    /** Closes the harness; declared without checked exceptions so try-with-resources stays warning-free. */
    @Override
    public void close() {
        try {
            h.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the harness failed", e);
        }
    }
}
