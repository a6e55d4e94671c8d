package io.vigil.ingest.geo;

import io.vigil.model.Telemetry;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * The ingest stage that adds GeoIP and ASN attributes ({@link GeoIpLookup}) to every decoded record. Stateless: each
 * instance opens the databases itself (memory-mapped, so instances on one machine share the page cache) and keeps its
 * own cache. Counts {@code geoipLookupErrors}, lookups that failed on a damaged database record.
 */
public final class GeoIpEnrichment extends RichMapFunction<Telemetry, Telemetry> {
    private static final long serialVersionUID = 1L;

    private final GeoIpSettings settings;
    private transient GeoIpLookup lookup;
    private transient Counter errors;
    private transient long errorsCounted;

    public GeoIpEnrichment(GeoIpSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        lookup = new GeoIpLookup(settings);
        errors = getRuntimeContext().getMetricGroup().counter("geoipLookupErrors");
    }

    @Override
    public Telemetry map(Telemetry record) {
        Telemetry out = lookup.enrich(record);
        if (lookup.errors != errorsCounted) {
            errors.inc(lookup.errors - errorsCounted);
            errorsCounted = lookup.errors;
        }
        return out;
    }

    @Override
    public void close() {
        if (lookup != null) {
            lookup.close();
        }
    }
}
