package io.vigil.suppress;

/**
 * A silence added, changed or removed while the job runs, as it arrives on the broadcast stream (from the silence
 * topic): the silence's new version, or null when its entry was removed (tombstone). Expiring a silence is a change
 * (its end moves to the time of expiry), so a replay still sees it muting what it muted. A POJO for Flink.
 */
public class SilenceUpdate {
    public String id;
    /** Null for a removal. */
    public Silence silence;

    public SilenceUpdate() {}

    public SilenceUpdate(String id, Silence silence) {
        this.id = id;
        this.silence = silence;
    }

    public static SilenceUpdate removal(String id) {
        return new SilenceUpdate(id, null);
    }

    public boolean isRemoval() {
        return silence == null;
    }

    @Override
    public String toString() {
        return id + (silence == null ? " removed" : " = " + silence);
    }
}
