package io.vigil.detect;

import io.vigil.alert.AlertIds;
import io.vigil.alert.Templates;
import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every hot-reloadable rule: keyed by routing key (rule id and key values), it hands each record and timer to the
 * detector of the key's rule, with a {@link DetectorContext} scoped to that rule and key.
 *
 * <p>Rule changes arrive as broadcast updates. A changed or deleted rule's keyed state is cleared for all its keys when
 * the update arrives (a changed rule starts clean on purpose, and this is logged); a per-key fingerprint also guards
 * against state or timers left from an older version after a restore. A detector that throws is counted and reported
 * on {@link RuleRouter#RULE_ERRORS} with the record; the job and the rule's other keys go on.
 */
public class DetectorOperator extends KeyedBroadcastProcessFunction<String, Routed, RuleUpdate, Alert> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DetectorOperator.class);

    public static final OutputTag<Rollup> ROLLUPS = new OutputTag<>("detector-rollups") {};

    /** The JSON of the rule version whose state a key holds. */
    private static final ValueStateDescriptor<String> VERSION =
            new ValueStateDescriptor<>("vigil.ruleVersion", Types.STRING);

    private final RuleBook rules;
    private transient ValueState<String> version;
    private transient Counter lateRecords;
    private transient Counter ruleErrors;
    private transient Map<String, Counter> alertCounters;
    private transient Scope scope;

    public DetectorOperator(RuleBook rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        version = getRuntimeContext().getState(VERSION);
        lateRecords = getRuntimeContext().getMetricGroup().counter("lateRecords");
        ruleErrors = getRuntimeContext().getMetricGroup().counter("ruleEvaluationErrors");
        alertCounters = new HashMap<>();
        scope = new Scope();
    }

    @Override
    public void processElement(Routed in, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        CompiledRule rule = rules.rule(CompiledRule.ruleIdOf(in.key), ctx.getBroadcastState(RuleBook.RULES));
        if (rule == null || rule.detector == null) {
            return; // deleted or disabled while the record was in flight
        }
        scope.enter(rule, ctx.getCurrentKey(), ctx.timerService(), ctx, out);
        checkVersion(rule);
        try {
            rule.detector.onRecord(in.record, scope);
        } catch (Exception e) {
            reportError(rule, in.record, e, ctx);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        CompiledRule rule =
                rules.rule(CompiledRule.ruleIdOf(ctx.getCurrentKey()), ctx.getBroadcastState(RuleBook.RULES));
        if (rule == null || rule.detector == null) {
            return; // a timer of a rule that no longer runs; its state was cleared when it went
        }
        String v = version.value();
        if (!rule.json.equals(v)) {
            if (v != null) {
                // State of another version of the rule (restored from before the rule files changed) that no timer of
                // this version will ever judge: the same clean start a new record would make, without waiting for one.
                for (StateDescriptor<?, ?> d : rule.detector.state()) {
                    clear(d);
                }
                version.clear();
            }
            return;
        }
        scope.enter(rule, ctx.getCurrentKey(), ctx.timerService(), ctx, out);
        try {
            rule.detector.onTimer(timestamp, scope);
        } catch (Exception e) {
            reportError(rule, null, e, ctx);
            return;
        }
        if (isEmpty(rule.detector.state())) {
            // The detector let go of this key (nothing pending, no open incident): drop the version marker too, so a
            // key that goes quiet (a source.ip seen once) keeps no state at all. Its next record sets it again.
            version.clear();
        }
    }

    @Override
    public void processBroadcastElement(RuleUpdate update, Context ctx, Collector<Alert> out) throws Exception {
        if (update.ruleId == null || update.ruleId.isEmpty()) {
            return;
        }
        CompiledRule previous = rules.apply(update, ctx.getBroadcastState(RuleBook.RULES));
        CompiledRule now = rules.rule(update.ruleId, ctx.getBroadcastState(RuleBook.RULES));
        if (previous != null && previous.detector != null && (now == null || !now.json.equals(previous.json))) {
            String prefix = previous.id() + CompiledRule.KEY_SEPARATOR;
            List<StateDescriptor<?, ?>> states = new ArrayList<>(previous.detector.state());
            // The version marker too: otherwise every key a deleted rule ever saw keeps a copy of its JSON forever.
            states.add(VERSION);
            for (StateDescriptor<?, ?> d : states) {
                ctx.applyToKeyedState(d, (key, state) -> {
                    if (key.equals(previous.id()) || key.startsWith(prefix)) {
                        state.clear();
                    }
                });
            }
            LOG.info("Cleared the keyed state of rule {} ({})", previous.id(), now == null ? "deleted" : "changed");
        }
    }

    /** A key whose state was written by another version of its rule starts again from clean state. */
    private void checkVersion(CompiledRule rule) throws Exception {
        String v = version.value();
        if (rule.json.equals(v)) {
            return;
        }
        if (v != null) {
            for (StateDescriptor<?, ?> d : rule.detector.state()) {
                clear(d);
            }
        }
        version.update(rule.json);
    }

    private boolean isEmpty(List<StateDescriptor<?, ?>> states) throws Exception {
        for (StateDescriptor<?, ?> d : states) {
            if (d instanceof ValueStateDescriptor) {
                if (getRuntimeContext().getState((ValueStateDescriptor<?>) d).value() != null) {
                    return false;
                }
            } else if (d instanceof MapStateDescriptor) {
                if (!getRuntimeContext()
                        .getMapState((MapStateDescriptor<?, ?>) d)
                        .isEmpty()) {
                    return false;
                }
            } else if (d instanceof ListStateDescriptor) {
                Iterable<?> items = getRuntimeContext()
                        .getListState((ListStateDescriptor<?>) d)
                        .get();
                if (items != null && items.iterator().hasNext()) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return true;
    }

    private void clear(StateDescriptor<?, ?> d) {
        if (d instanceof ValueStateDescriptor) {
            getRuntimeContext().getState((ValueStateDescriptor<?>) d).clear();
        } else if (d instanceof MapStateDescriptor) {
            getRuntimeContext().getMapState((MapStateDescriptor<?, ?>) d).clear();
        } else if (d instanceof ListStateDescriptor) {
            getRuntimeContext().getListState((ListStateDescriptor<?>) d).clear();
        } else {
            throw new IllegalStateException("detector state of unsupported type " + d);
        }
    }

    private void reportError(CompiledRule rule, Telemetry record, Exception e, ReadOnlyContext ctx) {
        ruleErrors.inc();
        LOG.debug("Rule {} failed", rule.id(), e);
        ctx.output(RuleRouter.RULE_ERRORS, new RuleError(rule.id(), record, e.toString()));
    }

    private Counter alertCounter(Alert a) {
        return alertCounters.computeIfAbsent(
                a.ruleId + '/' + a.severity,
                k -> getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("rule", a.ruleId)
                        .addGroup("severity", a.severity)
                        .counter("alerts"));
    }

    /** The context handed to detectors; re-pointed at the current rule and key before each call. */
    private final class Scope implements DetectorContext {
        private CompiledRule rule;
        private String key;
        private TimerService timers;
        private ReadOnlyContext ctx;
        private Collector<Alert> out;
        private Map<String, String> keyFields;

        void enter(CompiledRule rule, String key, TimerService timers, ReadOnlyContext ctx, Collector<Alert> out) {
            this.rule = rule;
            this.key = key;
            this.timers = timers;
            this.ctx = ctx;
            this.out = out;
            this.keyFields = null;
        }

        @Override
        public CompiledRule rule() {
            return rule;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public Map<String, String> keyFields() {
            if (keyFields == null) {
                keyFields = rule.keyFields(key);
            }
            return keyFields;
        }

        @Override
        public <T> ValueState<T> state(ValueStateDescriptor<T> d) {
            return getRuntimeContext().getState(d);
        }

        @Override
        public <K, V> MapState<K, V> mapState(MapStateDescriptor<K, V> d) {
            return getRuntimeContext().getMapState(d);
        }

        @Override
        public <T> ListState<T> listState(ListStateDescriptor<T> d) {
            return getRuntimeContext().getListState(d);
        }

        @Override
        public long currentWatermark() {
            return timers.currentWatermark();
        }

        @Override
        public void registerTimer(long eventTime) {
            timers.registerEventTimeTimer(eventTime);
        }

        @Override
        public void deleteTimer(long eventTime) {
            timers.deleteEventTimeTimer(eventTime);
        }

        @Override
        public void late() {
            lateRecords.inc();
        }

        @Override
        public Alert newAlert(long windowStart, long windowEnd, double observed, double expected, String comparison) {
            Alert a = new Alert();
            a.id = AlertIds.of(rule.id(), key, windowStart, windowEnd);
            a.incidentId = a.id;
            a.ruleId = rule.id();
            a.ruleName = rule.spec.name;
            a.kind = rule.spec.kind;
            a.severity = rule.spec.severity;
            a.key = key;
            a.keyFields.putAll(keyFields());
            a.service = keyFields().get("service.name");
            if (a.service == null && rule.spec.match != null && rule.spec.match.get("service.name") instanceof String) {
                a.service = (String) rule.spec.match.get("service.name");
            }
            a.windowStart = windowStart;
            a.windowEnd = windowEnd;
            a.observed = observed;
            a.expected = expected;
            a.comparison = comparison;
            a.eventTime = windowEnd;
            a.realertMillis = rule.realertMillis;
            a.labels.putAll(rule.spec.labels);
            Templates.render(rule.spec, a);
            return a;
        }

        @Override
        public void emit(Alert alert) {
            alert.processingTime = System.currentTimeMillis();
            alertCounter(alert).inc();
            out.collect(alert);
        }

        @Override
        public void emit(Rollup rollup) {
            ctx.output(ROLLUPS, rollup);
        }
    }
}
