package io.vigil.sink.notify;

import io.vigil.model.Alert;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps the last alert of each alert key and sends it again every {@link NotifyConfig#resendInterval} of processing
 * time, as Prometheus re-sends its active alerts: an Alertmanager that restarted (and forgot it) or would time it out
 * ({@code resolve_timeout}, or the {@code endsAt} the writer sets) gets it again, and one that was unreachable gets it
 * once it is back. A resolved alert is re-sent for {@link NotifyConfig#resolvedRetention}, then the key's state is
 * cleared; a firing alert that never resolves stops after {@link NotifyConfig#maxFiring}. Kinds that report one-off
 * events and never resolve (change, list, new_term, sequence) are passed through once and keep no state: the
 * Alertmanager lets them expire at their {@code endsAt}. So the state holds at most one alert per key that fired
 * recently, and it is checkpointed with the job.
 *
 * <p>Input: the alerts after realert and enrichment, keyed by {@link Alert#key}; a later alert of the key replaces
 * the earlier one (a resolve replaces its firing alert, a new incident its resolved one).
 */
public class AlertmanagerNotifier extends KeyedProcessFunction<String, Alert, Alert> {
    private static final long serialVersionUID = 1L;
    /** Rule kinds whose alerts are events without a resolve. */
    static final Set<String> EVENT_KINDS = Set.of("change", "list", "new_term", "sequence");

    private final long interval;
    private final long resolvedRetention;
    private final long maxFiring;
    private transient ValueState<Alert> last;
    /** Processing time at which the last alert arrived. */
    private transient ValueState<Long> since;
    /** The pending re-send timer. */
    private transient ValueState<Long> timer;

    public AlertmanagerNotifier(NotifyConfig config) {
        this.interval = config.resendInterval.toMillis();
        this.resolvedRetention = config.resolvedRetention.toMillis();
        this.maxFiring = config.maxFiring.toMillis();
    }

    @Override
    public void open(OpenContext context) {
        last = getRuntimeContext().getState(new ValueStateDescriptor<>("last", TypeInformation.of(Alert.class)));
        since = getRuntimeContext().getState(new ValueStateDescriptor<>("since", Types.LONG));
        timer = getRuntimeContext().getState(new ValueStateDescriptor<>("timer", Types.LONG));
    }

    @Override
    public void processElement(Alert alert, Context ctx, Collector<Alert> out) throws Exception {
        out.collect(alert);
        if (EVENT_KINDS.contains(alert.kind) && Alert.FIRING.equals(alert.status)) {
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        Long pending = timer.value();
        if (pending != null) {
            ctx.timerService().deleteProcessingTimeTimer(pending);
        }
        last.update(alert);
        since.update(now);
        timer.update(now + interval);
        ctx.timerService().registerProcessingTimeTimer(now + interval);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        Alert alert = last.value();
        if (alert == null) {
            return;
        }
        long age = time - since.value();
        boolean resolved = Alert.RESOLVED.equals(alert.status);
        if (resolved && age >= resolvedRetention || !resolved && age >= maxFiring) {
            last.clear();
            since.clear();
            timer.clear();
            return;
        }
        out.collect(alert);
        timer.update(time + interval);
        ctx.timerService().registerProcessingTimeTimer(time + interval);
    }
}
