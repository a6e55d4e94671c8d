package io.vigil.alert;

import io.vigil.model.Alert;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AlertEnricher} with a catalog that changes while the job runs: entries from the catalog topic arrive on the
 * broadcast input and are kept in broadcast state ({@link #CATALOG}, checkpointed, so a restored job keeps them); the
 * catalog file travels with the function. Lookup: the topic's entry, else the file's, else {@code catalog.status}
 * unknown; a rule's own owner and runbook still override both. A removal (tombstone) drops the topic's entry, so the
 * file's applies again.
 *
 * <p>Assumes about the streams: alerts are not keyed (any subtask may enrich any alert, and every subtask holds the
 * whole catalog); catalog updates are few and carry no event time, and an alert enriched before an update arrived
 * keeps what it got (alerts are not held back waiting for the catalog).
 */
public class BroadcastAlertEnricher extends BroadcastProcessFunction<Alert, CatalogUpdate, Alert> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BroadcastAlertEnricher.class);

    /** The topic's entries: service name to entry. */
    public static final MapStateDescriptor<String, ServiceCatalog.Entry> CATALOG =
            new MapStateDescriptor<>("vigil.catalog", Types.STRING, TypeInformation.of(ServiceCatalog.Entry.class));

    private final ServiceCatalog file;

    /** @param file the catalog file's entries (may be empty), used where the topic has none */
    public BroadcastAlertEnricher(ServiceCatalog file) {
        this.file = file;
    }

    @Override
    public void processElement(Alert a, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        ServiceCatalog.Entry e =
                a.service == null ? null : ctx.getBroadcastState(CATALOG).get(a.service);
        AlertEnricher.enrich(a, e != null ? e : file.get(a.service));
        out.collect(a);
    }

    @Override
    public void processBroadcastElement(CatalogUpdate u, Context ctx, Collector<Alert> out) throws Exception {
        if (u.service == null || u.service.isEmpty()) {
            return;
        }
        BroadcastState<String, ServiceCatalog.Entry> state = ctx.getBroadcastState(CATALOG);
        if (u.isRemoval()) {
            if (state.contains(u.service)) {
                state.remove(u.service);
                LOG.info(
                        "Catalog entry of service {} removed from the topic; {}",
                        u.service,
                        file.get(u.service) != null ? "the catalog file's entry applies again" : "it is unknown now");
            }
        } else {
            LOG.info(
                    "Catalog entry of service {} {} from the topic",
                    u.service,
                    state.contains(u.service) ? "changed" : "set");
            state.put(u.service, u.entry);
        }
    }
}
