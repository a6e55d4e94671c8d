package io.vigil.alert;

import io.vigil.model.Alert;
import java.util.Map;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Adds the alerting service's catalog entry to {@link Alert#enrichment}: owner, team, tier, runbook, channel and
 * dashboards (comma separated), and {@code catalog.status} {@code known} or {@code unknown}. An alert for a service the
 * catalog does not know is marked unknown and passed on, never dropped. A rule's own owner or runbook (its
 * {@code owner}/{@code runbook} annotations) overrides the catalog's, as the rule author knows the case best.
 * Stateless; the catalog travels with the function, so changing it means restarting the job. A job that follows the
 * catalog topic uses {@link BroadcastAlertEnricher} instead, with the same enrichment.
 */
public class AlertEnricher implements MapFunction<Alert, Alert> {
    private static final long serialVersionUID = 1L;
    public static final String STATUS = "catalog.status";

    private final ServiceCatalog catalog;

    public AlertEnricher(ServiceCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public Alert map(Alert a) {
        enrich(a, catalog);
        return a;
    }

    public static void enrich(Alert a, ServiceCatalog catalog) {
        enrich(a, catalog.get(a.service));
    }

    /** Adds this entry of the alert's service (null: the service is unknown), then the rule's own owner and runbook. */
    public static void enrich(Alert a, ServiceCatalog.Entry e) {
        Map<String, String> m = a.enrichment;
        if (e == null) {
            m.put(STATUS, "unknown");
        } else {
            m.put(STATUS, "known");
            put(m, "owner", e.owner);
            put(m, "team", e.team);
            put(m, "tier", e.tier);
            put(m, "runbook", e.runbook);
            put(m, "channel", e.channel);
            if (e.dashboards != null && !e.dashboards.isEmpty()) {
                m.put("dashboards", String.join(",", e.dashboards));
            }
        }
        put(m, "owner", a.annotations.get("owner"));
        put(m, "runbook", a.annotations.get("runbook"));
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null && !v.isBlank()) {
            m.put(k, v);
        }
    }
}
