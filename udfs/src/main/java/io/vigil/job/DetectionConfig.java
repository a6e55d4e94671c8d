package io.vigil.job;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the detection job treats event time. The defaults suit telemetry shipped by collectors in batches: records may
 * arrive up to five seconds out of order, and a partition (or generator split) silent for thirty seconds stops holding
 * back event time for the others.
 */
public class DetectionConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Bounded out-of-orderness: how late a record may arrive and still count in its window. */
    public Duration watermarkDelay = Duration.ofSeconds(5);
    /** After how long without records an input stops holding back the watermark; null or zero disables idleness. */
    public Duration watermarkIdleness = Duration.ofSeconds(30);
    /**
     * Emit the watermark after every record instead of every 200 ms of wall-clock time. For bounded runs (replays,
     * the demo, tests), where records pass far faster than event time: with periodic emission, which windows are
     * judged before the end of the input would depend on the machine's speed. Off for live streams.
     */
    public boolean watermarkEveryRecord;
    /**
     * Event time (epoch ms) a bounded run ends at, like promtool's {@code eval_time}: the windows that closed by then
     * are judged, records from then on are ignored. Null: the newest record's time ({@code replay --until}).
     */
    public Long evalUntil;
    /** Parallelism of the keyed detection operators; 0 keeps the environment's default. */
    public int parallelism;
    /**
     * Detector state (values, map entries, list items) held on the heap between checkpoints when the state backend is
     * not the heap ({@link io.vigil.detect.DetectorOperator#STATE_CACHE_CAPACITY}, the default).
     */
    public int stateCacheEntries = io.vigil.detect.DetectorOperator.STATE_CACHE_CAPACITY;
    /** Add the per-service 1m/5m rollups ({@link io.vigil.rollup.ServiceRollups}) to the rollups stream. */
    public boolean serviceRollups = true;
    /** Service catalog that enriches alerts ({@link io.vigil.alert.AlertEnricher}); null leaves alerts as detected. */
    public io.vigil.alert.ServiceCatalog catalog;
    /**
     * Catalog entries that change while the job runs (the catalog topic), winning over {@link #catalog}'s; null keeps
     * the catalog fixed for the run.
     */
    public CatalogUpdates catalogUpdates;
    /** How alerts are grouped into incidents ({@link io.vigil.incident.IncidentCorrelator}). */
    public io.vigil.incident.IncidentConfig incidents = new io.vigil.incident.IncidentConfig();
    /** Inhibition rules ({@code rules/_inhibit.yaml}); null or empty: no alert is inhibited. */
    public io.vigil.suppress.InhibitRules inhibitRules;
    /** Silences fixed for the run (a silences file); null: none. */
    public io.vigil.suppress.Silences silences;
    /** Silences that change while the job runs (the silence topic), over {@link #silences}; null: none. */
    public io.vigil.suppress.SilenceUpdates silenceUpdates;
    /**
     * The privacy policy and where its hash key is ({@link io.vigil.privacy.PrivacyStages}); null runs without one
     * (records and outputs as they are).
     */
    public io.vigil.privacy.PrivacySettings privacy;
    /** GeoIP and ASN databases that add {@code source.geo.*} and {@code source.as.*} at ingest; null adds nothing. */
    public io.vigil.ingest.geo.GeoIpSettings geoIp;

    public DetectionConfig() {}

    public DetectionConfig watermarkDelay(Duration d) {
        this.watermarkDelay = d;
        return this;
    }

    public DetectionConfig watermarkIdleness(Duration d) {
        this.watermarkIdleness = d;
        return this;
    }
}
