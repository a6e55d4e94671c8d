package io.vigil.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A detection: what fired, for which key, over which window, what was observed against what was expected, and the
 * records that show it. A Flink POJO; written as ECS-style JSON by {@code io.vigil.alert.AlertJson}.
 *
 * <p>{@link #id} is stable: the same rule, key and window always give the same id (see
 * {@code io.vigil.alert.AlertIds}), so sinks can write idempotently and replays do not duplicate.
 */
public class Alert {
    /** Firing alerts open an incident; resolved alerts close the one with the same {@link #incidentId}. */
    public static final String FIRING = "firing";

    public static final String RESOLVED = "resolved";

    public String id;
    /** Groups the firing and resolved alerts of one condition for one key. */
    public String incidentId;

    public String ruleId;
    public String ruleName;
    /** Rule kind that produced it (threshold, frequency, slo, sequence, anomaly, ...). */
    public String kind;
    /** info, low, medium, high or critical. */
    public String severity;

    public String status = FIRING;
    /** Rule id plus key values: the unit of de-duplication and realert. */
    public String key;
    /** The key_by fields and their values. */
    @TypeInfo(StringMapTypeInfo.class)
    public Map<String, String> keyFields = new LinkedHashMap<>();

    public String service;
    public long windowStart;
    public long windowEnd;
    public double observed;
    public double expected;
    /** How observed relates to expected when the alert fires: {@code >}, {@code >=}, {@code <}, {@code <=}, ... */
    public String comparison;

    public String message;
    /** Canonical JSON of a bounded sample of the contributing records. */
    @TypeInfo(StringListTypeInfo.class)
    public List<String> evidence = new ArrayList<>();

    @TypeInfo(StringMapTypeInfo.class)
    public Map<String, String> labels = new LinkedHashMap<>();

    @TypeInfo(StringMapTypeInfo.class)
    public Map<String, String> annotations = new LinkedHashMap<>();
    /** Owner, team, tier, runbook, channel, dashboards from the service catalog; catalog.status=unknown if absent. */
    @TypeInfo(StringMapTypeInfo.class)
    public Map<String, String> enrichment = new LinkedHashMap<>();
    /** Event time of the detection (epoch ms). */
    public long eventTime;
    /** Wall-clock time at which the job emitted it (epoch ms). */
    public long processingTime;
    /** How many repeats of this alert the rule's realert period suppressed before this one was let through. */
    public long suppressed;
    /** The rule's realert period in ms, carried so de-duplication needs no rule lookup; not part of the wire format. */
    public long realertMillis;
    /**
     * Id of the firing alert that inhibits this one ({@code io.vigil.suppress.Inhibitor}), null when none does. An
     * inhibited alert is kept in every output but not delivered to Alertmanagers or webhooks.
     */
    public String inhibitedBy;
    /**
     * Ids of the silences or maintenance windows that cover this alert, comma-separated ({@code
     * io.vigil.suppress.Silences}), null when none does. Kept in every output, not delivered to Alertmanagers or
     * webhooks.
     */
    public String silencedBy;
    /**
     * Id of the incident ({@code io.vigil.incident.Incident#id}) the alert was grouped into, set only on the alerts that
     * the incident stage hands to the outputs that reach people (Alertmanager, webhooks), null elsewhere. Not to be
     * confused with {@link #incidentId}, which ties one alert's firing and resolve together.
     */
    public String incident;

    public Alert() {}

    @Override
    public String toString() {
        return "Alert{" + id + " " + ruleId + " " + status + " key=" + key + " observed=" + observed + " expected="
                + expected + " window=[" + windowStart + "," + windowEnd + ")}";
    }
}
