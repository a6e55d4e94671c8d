package io.vigil.rollup;

import io.vigil.model.Alert;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The little a service rollup needs from one record: a server span (a request, its latency and whether it failed),
 * a log record (its severity) or a firing alert (its rule and severity). Small, so the rollup stage shuffles
 * a few fields instead of whole records, with a serializer of its own ({@link RollupEventTypeInfo}).
 */
@TypeInfo(RollupEventTypeInfo.Factory.class)
public class RollupEvent {
    public static final String REQUEST = "request";
    public static final String LOG = "log";
    public static final String ALERT = "alert";

    public String service;
    /** Event time, epoch ms. */
    public long timestamp;
    /** {@link #REQUEST}, {@link #LOG} or {@link #ALERT}. */
    public String type;

    public double durationMs;
    public boolean error;
    /** Log severity (lower case) or alert severity. */
    public String severity;
    /** Rule id of an alert. */
    public String rule;

    public RollupEvent() {}

    /**
     * The rollup's view of a record, or null when a record does not count: only server spans are requests
     * (client spans would count a call twice), and metrics and events are not rolled up here.
     */
    public static RollupEvent of(Telemetry t) {
        if (t.signal == Signal.SPAN && "server".equals(t.kind)) {
            RollupEvent e = base(t.service(), t.timestamp, REQUEST);
            e.durationMs = t.durationMs;
            e.error = "error".equals(t.status);
            return e;
        }
        if (t.signal == Signal.LOG) {
            RollupEvent e = base(t.service(), t.timestamp, LOG);
            e.severity = t.severity == null ? "unspecified" : t.severity.toLowerCase(java.util.Locale.ROOT);
            return e;
        }
        return null;
    }

    /** A firing alert, counted at its event time; resolved alerts are not counted. Null for others. */
    public static RollupEvent of(Alert a) {
        if (!Alert.FIRING.equals(a.status)) {
            return null;
        }
        RollupEvent e = base(a.service == null ? "unknown_service" : a.service, a.eventTime, ALERT);
        e.severity = a.severity == null ? "unspecified" : a.severity;
        e.rule = a.ruleId;
        return e;
    }

    private static RollupEvent base(String service, long timestamp, String type) {
        RollupEvent e = new RollupEvent();
        e.service = service;
        e.timestamp = timestamp;
        e.type = type;
        return e;
    }
}
