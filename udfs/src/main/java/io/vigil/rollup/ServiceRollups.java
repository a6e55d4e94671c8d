package io.vigil.rollup;

import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * The per-service rollup stage: request rate, error ratio, latency p50/p95/p99 (t-digest), log records by severity
 * and firing alerts by rule and severity, per service per minute, and a 5-minute roll-up of the minutes on top.
 *
 * <pre>
 * telemetry ─RollupBatcher──┐
 *                           ├─ union ─ keyBy(service) ─ MinuteRollupOperator(1m) ─┬─ toRollups(window=1m)
 * alerts ──map(RollupEvent)─┘                                                     └─ keyBy(service) ─ WindowMergeFunction(5m) ─ toRollups(window=5m)
 * </pre>
 *
 * Both inputs need event-time timestamps and watermarks. Alerts are bucketed by their own event time.
 */
public final class ServiceRollups {
    public static final Duration MINUTE = Duration.ofMinutes(1);
    public static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    private ServiceRollups() {}

    /** The stage with no extra lateness beyond the watermark's delay. */
    public static DataStream<Rollup> attach(DataStream<Telemetry> telemetry, DataStream<Alert> alerts) {
        return attach(telemetry, alerts, Duration.ZERO);
    }

    /**
     * @param allowedLateness how long after the watermark passes a window's end records are still added to it
     *     (alerts are emitted when the watermark passes their detection window, so a little lateness keeps them)
     */
    public static DataStream<Rollup> attach(
            DataStream<Telemetry> telemetry, DataStream<Alert> alerts, Duration allowedLateness) {
        long lateness = allowedLateness.toMillis();
        TypeInformation<RollupEvent> eventType = TypeInformation.of(RollupEvent.class);
        // Batched per service and minute where the telemetry is produced (same uid as the stateless map before it).
        DataStream<RollupEvent> fromTelemetry = telemetry
                .transform("rollup-events-telemetry", eventType, new RollupBatcher(MINUTE.toMillis()))
                .uid("rollup-events-telemetry");
        DataStream<RollupEvent> fromAlerts = alerts.flatMap((Alert a, Collector<RollupEvent> out) -> {
                    RollupEvent e = RollupEvent.of(a);
                    if (e != null) {
                        out.collect(e);
                    }
                })
                .returns(eventType)
                .name("rollup-events-alerts")
                .uid("rollup-events-alerts");
        SingleOutputStreamOperator<ServiceWindow> minutes = fromTelemetry
                .union(fromAlerts)
                .keyBy(e -> e.service)
                .transform(
                        "service-rollup-1m",
                        TypeInformation.of(ServiceWindow.class),
                        new MinuteRollupOperator(MINUTE.toMillis(), lateness))
                .uid("service-rollup-1m");
        DataStream<ServiceWindow> fives = minutes.keyBy(w -> w.service)
                .process(new WindowMergeFunction(FIVE_MINUTES.toMillis(), lateness))
                .returns(TypeInformation.of(ServiceWindow.class))
                .name("service-rollup-5m")
                .uid("service-rollup-5m");
        TypeInformation<Rollup> rollupType = TypeInformation.of(Rollup.class);
        DataStream<Rollup> minuteRollups = minutes.flatMap((ServiceWindow w, Collector<Rollup> out) ->
                        w.toRollups("1m").forEach(out::collect))
                .returns(rollupType)
                .name("service-rollups-1m")
                .uid("service-rollups-1m");
        DataStream<Rollup> fiveRollups = fives.flatMap((ServiceWindow w, Collector<Rollup> out) ->
                        w.toRollups("5m").forEach(out::collect))
                .returns(rollupType)
                .name("service-rollups-5m")
                .uid("service-rollups-5m");
        return minuteRollups.union(fiveRollups);
    }
}
