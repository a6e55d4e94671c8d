package io.vigil.incident;

import java.io.Serializable;
import java.time.Duration;

/**
 * How alerts are grouped into incidents, and how much each incident and each service may keep. Checked by
 * {@link #validate()} when the job is built, with a message per wrong value.
 */
public class IncidentConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * The field alerts are grouped by: an alert's own value of it (its service, its key_by fields, its labels, else the
     * records in its evidence); alerts without one form incidents of their own rule key.
     */
    public String groupBy = "service.name";
    /** Alerts of one group less than this apart (in event time) join one incident; it resolves no earlier than this. */
    public Duration gap = Duration.ofMinutes(15);
    /** How long before an incident's first alert a change is its suspected cause and error records are sampled. */
    public Duration lookback = Duration.ofMinutes(15);
    /** Error logs sampled per incident (and kept per group before an incident opens). */
    public int maxErrorLogs = 10;
    /** Trace ids of failed requests kept per incident (and per group before an incident opens). */
    public int maxTraceIds = 20;
    /** Member alerts (and member lifecycles) listed per incident; further alerts are only counted. */
    public int maxMembers = 100;
    /** Timeline entries per incident; further ones are counted in {@code timelineOmitted}. */
    public int maxTimeline = 50;

    public IncidentConfig() {}

    /** Throws {@link IllegalArgumentException} naming the wrong setting and what would be right. */
    public IncidentConfig validate() {
        if (groupBy == null || groupBy.isBlank()) {
            throw new IllegalArgumentException("incident-group-by must name a field, e.g. service.name");
        }
        positive("incident-gap", gap);
        positive("incident-lookback", lookback);
        atLeastOne("incident max error logs", maxErrorLogs);
        atLeastOne("incident max trace ids", maxTraceIds);
        atLeastOne("incident max members", maxMembers);
        atLeastOne("incident max timeline entries", maxTimeline);
        return this;
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, e.g. 15m; got " + d);
        }
    }

    private static void atLeastOne(String name, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + n);
        }
    }
}
