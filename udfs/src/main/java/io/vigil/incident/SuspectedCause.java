package io.vigil.incident;

/**
 * The change (a deployment, a version change: an alert of kind {@code change}) that landed on the incident's service
 * shortly before its first alert. A suspicion, not a proof: it is what a responder checks first.
 */
public class SuspectedCause {
    public String alertId;
    public String ruleId;
    /** Event time of the change (epoch ms). */
    public long time;

    public String message;

    public SuspectedCause() {}
}
