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
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/**
 * The shared {@link DetectorOperator} in Flink's keyed broadcast operator harness, fed the way the job feeds it: each
 * record goes to every rule whose filter it passes, keyed by rule and key values (as {@link RuleRouter} does), and
 * event time moves on both inputs (the rules input is a broadcast stream with its own watermark). Rule evaluation
 * errors fail the test instead of vanishing into the side output.
 */
public final class DetectorRig {
    private final List<RuleSpec> specs;
    private final List<CompiledRule> rules;
    private final KeyedBroadcastOperatorTestHarness<String, Routed, RuleUpdate, Alert> harness;
    private long watermark = Long.MIN_VALUE;

    private DetectorRig(List<RuleSpec> specs, OperatorSubtaskState restore) throws Exception {
        this.specs = specs;
        this.rules = RuleCompiler.compileAll(specs);
        harness = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(new DetectorOperator(new RuleBook(specs)), List.of(RuleBook.RULES)),
                r -> r.key,
                Types.STRING,
                1,
                1,
                0);
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
    }

    /** A rig running the rules of this YAML (one rule, a list, or {@code rules: [...]}). */
    public static DetectorRig yaml(String yaml) throws Exception {
        return new DetectorRig(load(yaml), null);
    }

    /** Rules parsed from YAML text through the real loader (so problems carry lines). */
    public static List<RuleSpec> load(String yaml) {
        try {
            Path f = Files.createTempFile("rule", ".yaml");
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

    /** Snapshots this rig's operator state (as a checkpoint would) and starts a new rig from it. */
    public DetectorRig restart() throws Exception {
        OperatorSubtaskState state = harness.snapshot(1L, 1L);
        harness.close();
        DetectorRig r = new DetectorRig(specs, state);
        r.watermark = watermark;
        return r;
    }

    public void send(Telemetry t) throws Exception {
        for (CompiledRule r : rules) {
            if (r.spec.enabled && r.filter.test(t)) {
                harness.processElement(new StreamRecord<>(new Routed(r.keyOf(t), t), t.timestamp));
            }
        }
        checkNoErrors();
    }

    /** Advances event time on both inputs. */
    public void watermark(long ts) throws Exception {
        watermark = ts;
        harness.processWatermark(ts);
        harness.processBroadcastWatermark(ts);
        checkNoErrors();
    }

    public long currentWatermark() {
        return watermark;
    }

    public List<Alert> alerts() {
        return harness.extractOutputValues();
    }

    public List<Alert> firing() {
        List<Alert> out = new ArrayList<>();
        for (Alert a : alerts()) {
            if (Alert.FIRING.equals(a.status)) {
                out.add(a);
            }
        }
        return out;
    }

    public List<Alert> resolved() {
        List<Alert> out = new ArrayList<>();
        for (Alert a : alerts()) {
            if (Alert.RESOLVED.equals(a.status)) {
                out.add(a);
            }
        }
        return out;
    }

    public List<Rollup> rollups() {
        List<Rollup> out = new ArrayList<>();
        var side = harness.getSideOutput(DetectorOperator.ROLLUPS);
        if (side != null) {
            for (StreamRecord<Rollup> r : side) {
                out.add(r.getValue());
            }
        }
        return out;
    }

    /** Entries of a detector's map state for one routing key, read from the operator's keyed state backend. */
    public <K, V> int mapEntries(String key, MapStateDescriptor<K, V> descriptor) throws Exception {
        AbstractStreamOperator<?> op = (AbstractStreamOperator<?>) harness.getOperator();
        KeyedStateBackend<Object> backend = op.getKeyedStateBackend();
        backend.setCurrentKey(key);
        MapState<K, V> state =
                backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
        int n = 0;
        for (var ignored : state.keys()) {
            n++;
        }
        return n;
    }

    /** Event-time timers registered and not fired yet, over all keys. */
    public int timers() {
        return harness.numEventTimeTimers();
    }

    public KeyedBroadcastOperatorTestHarness<String, Routed, RuleUpdate, Alert> harness() {
        return harness;
    }

    private void checkNoErrors() {
        var errors = harness.getSideOutput(RuleRouter.RULE_ERRORS);
        if (errors != null && !errors.isEmpty()) {
            throw new AssertionError("rule evaluation failed: " + errors.peek().getValue().error);
        }
    }

    public void close() throws Exception {
        harness.close();
    }
}
