package io.vigil.rollup;

import io.vigil.model.Alert;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The little a service rollup needs from one record: a server span (a request, its latency and whether it failed),
 * a log record (its severity) or a firing alert (its rule and severity); or from many records of one service and
 * window, a {@link #BATCH} ({@link RollupBatcher}). Small, so the rollup stage shuffles a few fields instead of whole
 * records, with a serializer of its own ({@link RollupEventTypeInfo}).
 */
@TypeInfo(RollupEventTypeInfo.Factory.class)
public class RollupEvent {
    public static final String REQUEST = "request";
    public static final String LOG = "log";
    public static final String ALERT = "alert";
    /** Requests and log records of one service in one window, in arrival order. */
    public static final String BATCH = "batch";

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

    /** A batch's requests: how many, how many failed, and their latencies in arrival order (the first requests). */
    public int requests;

    public int errors;

    public double[] latencies;
    /** A batch's log records by severity (lower case); null when it has none. */
    public Map<String, Long> logs;

    public RollupEvent() {}

    /**
     * The rollup's view of one record, or null when a record does not count: only server spans are requests
     * (client spans would count a call twice), and metrics and events are not rolled up here. The job sends batches
     * ({@link RollupBatcher}); a window takes either, and a batch adds up to its records' events one by one.
     */
    public static RollupEvent of(Telemetry t) {
        if (isRequest(t)) {
            RollupEvent e = base(t.service(), t.timestamp, REQUEST);
            e.durationMs = t.durationMs;
            e.error = isFailed(t);
            return e;
        }
        if (t.signal == Signal.LOG) {
            RollupEvent e = base(t.service(), t.timestamp, LOG);
            e.severity = severity(t);
            return e;
        }
        return null;
    }

    /** Whether a record counts as a request: only server spans (client spans would count a call twice). */
    static boolean isRequest(Telemetry t) {
        return t.signal == Signal.SPAN && "server".equals(t.kind);
    }

    /** Whether the rollup counts a record: requests and log records; metrics and events are not rolled up here. */
    static boolean counts(Telemetry t) {
        return isRequest(t) || t.signal == Signal.LOG;
    }

    static boolean isFailed(Telemetry t) {
        return "error".equals(t.status);
    }

    /** A log record's severity as the rollup labels it. */
    static String severity(Telemetry t) {
        return t.severity == null ? "unspecified" : t.severity.toLowerCase(Locale.ROOT);
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

    /** An empty batch of a service's records in the window {@code timestamp} falls in. */
    static RollupEvent batch(String service, long timestamp) {
        return base(service, timestamp, BATCH);
    }

    /** Adds a record to this batch: what {@link #of(Telemetry)} would make of it (nothing for metrics and events). */
    void addToBatch(Telemetry t) {
        if (isRequest(t)) {
            if (latencies == null) {
                latencies = new double[8];
            } else if (requests == latencies.length) {
                latencies = Arrays.copyOf(latencies, requests * 2);
            }
            latencies[requests++] = t.durationMs;
            if (isFailed(t)) {
                errors++;
            }
        } else if (t.signal == Signal.LOG) {
            if (logs == null) {
                logs = new TreeMap<>();
            }
            logs.merge(severity(t), 1L, Long::sum);
        }
    }

    /** Records this event stands for: a batch's, or one. */
    int records() {
        if (!BATCH.equals(type)) {
            return 1;
        }
        long n = requests;
        if (logs != null) {
            for (long c : logs.values()) {
                n += c;
            }
        }
        return (int) n;
    }

    private static RollupEvent base(String service, long timestamp, String type) {
        RollupEvent e = new RollupEvent();
        e.service = service;
        e.timestamp = timestamp;
        e.type = type;
        return e;
    }
}
