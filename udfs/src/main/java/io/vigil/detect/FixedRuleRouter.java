package io.vigil.detect;

import io.vigil.model.Telemetry;
import io.vigil.rules.RuleUpdate;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The {@link RuleRouter} of a job whose rules are fixed at start (no rules topic): the same routing, privacy step, side
 * outputs and broadcast state, as a one-input function. An operator with a broadcast input cannot be chained to the
 * one before it, so with the rules' broadcast stream every record crossed a network edge from the source's task to
 * the router's (writing it a sixth of the source's thread, reading it over a quarter of the router's, see
 * docs/benchmarks.md). With no updates to take, the router needs no broadcast input, and Flink chains it into the
 * source's task.
 *
 * <p>It runs under the router's uid and keeps the router's broadcast state as operator state of its own (broadcast
 * state is operator state that every instance restores in full), so a savepoint taken with a rules topic restores into
 * it with the rules and policy pushed until then, as the broadcast router would have run them, and the other way round.
 */
public final class FixedRuleRouter extends ProcessFunction<Telemetry, Routed> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final RuleRouter router;

    private transient OperatorStateStore stateStore;
    /** The broadcast states the router asked for, by descriptor (its descriptors are constants). */
    private transient Map<MapStateDescriptor<?, ?>, BroadcastState<?, ?>> broadcastStates;

    /** The context of the record being routed, which the router's context answers from. */
    private transient Context current;

    private transient BroadcastProcessFunction<Telemetry, RuleUpdate, Routed>.ReadOnlyContext context;

    public FixedRuleRouter(RuleRouter router) {
        this.router = router;
    }

    @Override
    public void initializeState(FunctionInitializationContext init) {
        stateStore = init.getOperatorStateStore();
        broadcastStates = new IdentityHashMap<>();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext snapshot) {} // the state store snapshots the broadcast state

    @Override
    public void open(OpenContext openContext) throws Exception {
        router.setRuntimeContext(getRuntimeContext());
        router.open(openContext);
        context = router.new ReadOnlyContext() {
            @Override
            @SuppressWarnings("unchecked")
            public <K, V> ReadOnlyBroadcastState<K, V> getBroadcastState(MapStateDescriptor<K, V> descriptor) {
                BroadcastState<?, ?> state = broadcastStates.get(descriptor);
                if (state == null) {
                    try {
                        state = stateStore.getBroadcastState(descriptor);
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot open broadcast state " + descriptor.getName(), e);
                    }
                    broadcastStates.put(descriptor, state);
                }
                return (ReadOnlyBroadcastState<K, V>) state;
            }

            @Override
            public Long timestamp() {
                return current.timestamp();
            }

            @Override
            public <X> void output(OutputTag<X> tag, X value) {
                current.output(tag, value);
            }

            @Override
            public long currentProcessingTime() {
                return current.timerService().currentProcessingTime();
            }

            @Override
            public long currentWatermark() {
                return current.timerService().currentWatermark();
            }
        };
    }

    @Override
    public void processElement(Telemetry record, Context ctx, Collector<Routed> out) throws Exception {
        current = ctx;
        router.processElement(record, context, out);
    }

    @Override
    public void close() throws Exception {
        router.close();
    }
}
