package io.vigil.job;

import io.vigil.detect.Routed;
import io.vigil.detect.RuleRouter;
import io.vigil.ingest.SplitDeadLetters;
import io.vigil.ingest.geo.GeoIpEnrichment;
import io.vigil.model.Ingested;
import io.vigil.model.Telemetry;
import io.vigil.rules.RuleUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.api.common.functions.util.FunctionUtils;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractInput;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorV2;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.Input;
import org.apache.flink.streaming.api.operators.MultipleInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The first stage after the source, as one operator: split off dead letters ({@link SplitDeadLetters}), add GeoIP
 * attributes ({@link GeoIpEnrichment}, when configured), then the privacy policy and the routing to rules
 * ({@link RuleRouter}), whose rule updates arrive on a broadcast input.
 *
 * <p>Why an operator of our own rather than {@code connect(broadcast).process(router)}: an operator with two inputs
 * cannot be chained to the source, so every record was serialized by the source's thread and read back by the router's
 * (a sixth of the end-to-end job's CPU, docs/benchmarks.md). Flink chains a source into a multiple-input operator whose
 * chaining strategy is {@link ChainingStrategy#HEAD_WITH_SOURCES} when the source's only output goes to it; then the
 * decoded record reaches the router as a method call. When the source cannot be chained (not a new-style
 * {@code Source}, or a test that adds an operator after it) the same operator reads it over the network, as before.
 *
 * <p>The functions are the ones the two-input graph ran, called as their own operators called them: {@code open} and
 * {@code close}, and contexts that give the router this operator's broadcast state (same descriptors, same uid
 * {@code rule-router}, so a savepoint of the earlier graph restores the rules and policy pushed to it).
 */
final class RoutingOperator extends AbstractStreamOperatorV2<Routed> implements MultipleInputStreamOperator<Routed> {
    private static final long serialVersionUID = 1L;

    private final SplitDeadLetters split;
    private final GeoIpEnrichment geoIp;
    private final RuleRouter router;
    private final List<MapStateDescriptor<?, ?>> broadcastStates;
    private final boolean hasUpdates;

    private final Map<MapStateDescriptor<?, ?>, BroadcastState<?, ?>> states = new HashMap<>();
    /** Reused for every record routed, as Flink's TimestampedCollector reuses its record. */
    private final StreamRecord<Routed> reuse = new StreamRecord<>(null);

    private StreamRecord<?> current;
    private long currentWatermark = Long.MIN_VALUE;

    private final SplitContext splitContext;
    /** Takes what the split lets through into {@link #decoded}, so routing runs outside the collector's call. */
    private final Collector<Telemetry> splitOut;

    private Telemetry decoded;
    private final BroadcastProcessFunction<Telemetry, RuleUpdate, Routed>.ReadOnlyContext recordContext;
    private final BroadcastProcessFunction<Telemetry, RuleUpdate, Routed>.Context updateContext;
    private final Collector<Routed> routedOut;

    private RoutingOperator(StreamOperatorParameters<Routed> parameters, Factory f) {
        super(parameters, f.hasUpdates ? 2 : 1);
        this.split = f.split;
        this.geoIp = f.geoIp;
        this.router = f.router;
        this.broadcastStates = f.broadcastStates;
        this.hasUpdates = f.hasUpdates;
        this.splitContext = new SplitContext();
        this.splitOut = new Collector<>() {
            @Override
            public void collect(Telemetry record) {
                decoded = record;
            }

            @Override
            public void close() {}
        };
        // Two contexts with the same methods: Flink's function takes a read-only one for records and another for
        // broadcast elements, unrelated classes whose getBroadcastState differ in return type.
        this.recordContext = router.new ReadOnlyContext() {
            @Override
            public Long timestamp() {
                return RoutingOperator.this.timestamp();
            }

            @Override
            public <X> void output(OutputTag<X> tag, X value) {
                RoutingOperator.this.output(tag, value);
            }

            @Override
            public long currentProcessingTime() {
                return getProcessingTimeService().getCurrentProcessingTime();
            }

            @Override
            public long currentWatermark() {
                return currentWatermark;
            }

            @Override
            public <K, V> BroadcastState<K, V> getBroadcastState(MapStateDescriptor<K, V> descriptor) {
                return state(descriptor);
            }
        };
        this.updateContext = router.new Context() {
            @Override
            public Long timestamp() {
                return RoutingOperator.this.timestamp();
            }

            @Override
            public <X> void output(OutputTag<X> tag, X value) {
                RoutingOperator.this.output(tag, value);
            }

            @Override
            public long currentProcessingTime() {
                return getProcessingTimeService().getCurrentProcessingTime();
            }

            @Override
            public long currentWatermark() {
                return currentWatermark;
            }

            @Override
            public <K, V> BroadcastState<K, V> getBroadcastState(MapStateDescriptor<K, V> descriptor) {
                return state(descriptor);
            }
        };
        this.routedOut = new Collector<>() {
            @Override
            public void collect(Routed value) {
                if (current.hasTimestamp()) {
                    reuse.replace(value, current.getTimestamp());
                } else {
                    reuse.replace(value);
                    reuse.eraseTimestamp();
                }
                output.collect(reuse);
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public void open() throws Exception {
        super.open();
        for (MapStateDescriptor<?, ?> d : broadcastStates) {
            states.put(d, getOperatorStateBackend().getBroadcastState(d));
        }
        for (Function fn : functions()) {
            FunctionUtils.setFunctionRuntimeContext(fn, getRuntimeContext());
            FunctionUtils.openFunction(fn, DefaultOpenContext.INSTANCE);
        }
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (Function fn : functions()) {
            try {
                FunctionUtils.closeFunction(fn);
            } catch (Exception e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        super.close();
        if (first != null) throw first;
    }

    private List<Function> functions() {
        List<Function> fns = new ArrayList<>(3);
        fns.add(split);
        if (geoIp != null) fns.add(geoIp);
        fns.add(router);
        return fns;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        currentWatermark = mark.getTimestamp();
        super.processWatermark(mark);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public List<Input> getInputs() {
        List<Input> inputs = new ArrayList<>(2);
        inputs.add(new AbstractInput<Ingested, Routed>(this, 1) {
            @Override
            public void processElement(StreamRecord<Ingested> element) throws Exception {
                current = element;
                split.processElement(element.getValue(), splitContext, splitOut);
                if (decoded != null) {
                    Telemetry record = geoIp == null ? decoded : geoIp.map(decoded);
                    decoded = null;
                    router.processElement(record, recordContext, routedOut);
                }
            }
        });
        if (hasUpdates) {
            inputs.add(new AbstractInput<RuleUpdate, Routed>(this, 2) {
                @Override
                public void processElement(StreamRecord<RuleUpdate> element) throws Exception {
                    current = element;
                    router.processBroadcastElement(element.getValue(), updateContext, routedOut);
                }
            });
        }
        return inputs;
    }

    private Long timestamp() {
        return current.hasTimestamp() ? current.getTimestamp() : null;
    }

    private <X> void output(OutputTag<X> tag, X value) {
        if (tag == null) {
            throw new IllegalArgumentException("OutputTag must not be null.");
        }
        output.collect(
                tag,
                current.hasTimestamp() ? new StreamRecord<>(value, current.getTimestamp()) : new StreamRecord<>(value));
    }

    @SuppressWarnings("unchecked")
    private <K, V> BroadcastState<K, V> state(MapStateDescriptor<K, V> descriptor) {
        BroadcastState<?, ?> state = states.get(descriptor);
        if (state == null) {
            throw new IllegalArgumentException("the broadcast state " + descriptor.getName()
                    + " is not one of this operator's (" + broadcastStates + ")");
        }
        return (BroadcastState<K, V>) state;
    }

    /** The split's context: dead letters go to this operator's side output; it uses no timers. */
    private final class SplitContext extends ProcessFunction<Ingested, Telemetry>.Context {
        SplitContext() {
            split.super();
        }

        @Override
        public Long timestamp() {
            return RoutingOperator.this.timestamp();
        }

        @Override
        public TimerService timerService() {
            throw new UnsupportedOperationException("splitting dead letters uses no timers");
        }

        @Override
        public <X> void output(OutputTag<X> tag, X value) {
            RoutingOperator.this.output(tag, value);
        }
    }

    /**
     * Makes the operator; {@link ChainingStrategy#HEAD_WITH_SOURCES} lets Flink chain the source into it. Input 1 is
     * the source's {@link Ingested} records; input 2, when the rules can change while the job runs, the broadcast rule
     * updates.
     */
    static final class Factory extends AbstractStreamOperatorFactory<Routed> {
        private static final long serialVersionUID = 1L;

        private final SplitDeadLetters split;
        private final GeoIpEnrichment geoIp;
        private final RuleRouter router;
        private final List<MapStateDescriptor<?, ?>> broadcastStates;
        private final boolean hasUpdates;

        /**
         * @param geoIp null without GeoIP enrichment
         * @param broadcastStates the router's broadcast state descriptors
         * @param hasUpdates whether a second input brings rule updates
         */
        Factory(
                SplitDeadLetters split,
                GeoIpEnrichment geoIp,
                RuleRouter router,
                List<MapStateDescriptor<?, ?>> broadcastStates,
                boolean hasUpdates) {
            this.split = split;
            this.geoIp = geoIp;
            this.router = router;
            this.broadcastStates = List.copyOf(broadcastStates);
            this.hasUpdates = hasUpdates;
            setChainingStrategy(ChainingStrategy.HEAD_WITH_SOURCES);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T extends StreamOperator<Routed>> T createStreamOperator(StreamOperatorParameters<Routed> parameters) {
            return (T) new RoutingOperator(parameters, this);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
            return RoutingOperator.class;
        }
    }
}
