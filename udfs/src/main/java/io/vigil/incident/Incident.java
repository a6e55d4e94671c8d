package io.vigil.incident;

import io.vigil.model.StringListTypeInfo;
import io.vigil.model.StringMapTypeInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Alerts that share a grouping key (by default the service) within a gap, as one thing to respond to: its members, the
 * highest severity among them, a timeline, the change suspected to have caused it and the error logs and failed trace
 * ids of its service around it. A Flink POJO; written as JSON by {@link IncidentJson}.
 *
 * <p>Every change to an incident is emitted as a new revision with the same {@link #id}: sinks keyed by the id (a
 * compacted Kafka topic, a search document) keep the latest. The id is a digest of the grouping key and the first
 * member alert's id, both stable, so a replay gives the same ids.
 */
public class Incident {
    public static final String OPEN = "open";
    public static final String RESOLVED = "resolved";

    /** Status of a member alert's lifecycle in {@link #members}: an alert that is never resolved counts as done. */
    static final String MEMBER_FIRING = "firing";

    static final String MEMBER_RESOLVED = "resolved";
    static final String MEMBER_EVENT = "event";

    public String id;
    /** The field alerts are grouped by ({@code service.name}), or {@code rule_key} for alerts without it. */
    public String groupField;
    /** Its value: the service, or the alert's rule key. */
    public String groupValue;

    public String status = OPEN;
    /** The highest severity among the member alerts. */
    public String severity;
    /** The first member alert's message. */
    public String title;

    /** Event time of the first and of the latest firing member alert (epoch ms). */
    public long firstSeen;

    public long lastSeen;
    /** Event time at which the incident resolved; 0 while open. */
    public long resolvedAt;
    /** Counts the revisions emitted for this incident (1 for the first). */
    public long revision;

    /** Ids of the firing member alerts, in order, at most {@link IncidentConfig#maxMembers}. */
    @TypeInfo(StringListTypeInfo.class)
    public List<String> alertIds = new ArrayList<>();
    /** Firing member alerts, including those beyond {@link #alertIds}'s bound. */
    public long alertCount;
    /** Distinct rules of the member alerts. */
    @TypeInfo(StringListTypeInfo.class)
    public List<String> ruleIds = new ArrayList<>();
    /** Member lifecycle (the alerts' incident id) to its status: firing, resolved, or event (never resolved). */
    @TypeInfo(StringMapTypeInfo.class)
    public Map<String, String> members = new LinkedHashMap<>();

    public SuspectedCause suspectedCause;

    @TypeInfo(TimelineTypeInfo.class)
    public List<TimelineEntry> timeline = new ArrayList<>();
    /** Timeline entries left out once the timeline was full. */
    public long timelineOmitted;

    /** Canonical JSON of a bounded sample of the service's error logs in the incident's window. */
    @TypeInfo(StringListTypeInfo.class)
    public List<String> errorLogs = new ArrayList<>();
    /** Trace ids of failed requests (error spans, error logs written in a trace) in the incident's window, bounded. */
    @TypeInfo(StringListTypeInfo.class)
    public List<String> traceIds = new ArrayList<>();

    public Incident() {}

    /** True when every member lifecycle has ended (resolved, or an alert that is never resolved). */
    public boolean allMembersDone() {
        for (String s : members.values()) {
            if (MEMBER_FIRING.equals(s)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "Incident{" + id + " " + status + " " + groupField + "=" + groupValue + " severity=" + severity
                + " alerts=" + alertCount + " [" + firstSeen + "," + lastSeen + "] cause="
                + (suspectedCause == null ? null : suspectedCause.alertId) + "}";
    }
}
