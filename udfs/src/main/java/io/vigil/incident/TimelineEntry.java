package io.vigil.incident;

/** One step of an incident's timeline: an alert fired or resolved, a change landed, the incident opened or resolved. */
public class TimelineEntry {
    public static final String OPENED = "opened";
    public static final String FIRING = "firing";
    public static final String RESOLVED = "resolved";
    public static final String CHANGE = "change";
    public static final String CLOSED = "incident_resolved";

    /** Event time of the step (epoch ms). */
    public long time;
    /** One of the constants above. */
    public String type;

    public String alertId;
    public String ruleId;
    public String severity;
    public String message;

    public TimelineEntry() {}

    static TimelineEntry of(long time, String type, String alertId, String ruleId, String severity, String message) {
        TimelineEntry e = new TimelineEntry();
        e.time = time;
        e.type = type;
        e.alertId = alertId;
        e.ruleId = ruleId;
        e.severity = severity;
        e.message = message;
        return e;
    }
}
