package io.vigil.sink.notify;

import io.vigil.model.Alert;

/** Alerts for the notification tests. */
final class NotifyAlerts {
    static final long T0 = 1_780_000_000_000L;

    private NotifyAlerts() {}

    static Alert firing(String rule, String service) {
        Alert a = new Alert();
        a.ruleId = rule;
        a.ruleName = "Checkout p95 latency";
        a.kind = "threshold";
        a.severity = "high";
        a.service = service;
        a.key = rule + "|" + service;
        a.keyFields.put("service.name", service);
        a.keyFields.put("http.route", "/cart");
        a.labels.put("tier", "1");
        a.enrichment.put("team", "payments");
        a.enrichment.put("owner", "alice");
        a.enrichment.put("runbook", "https://runbooks.example.com/checkout");
        a.annotations.put("dashboard", "https://grafana.example.com/d/1");
        a.id = rule + "-" + service + "-1";
        a.incidentId = a.id;
        a.windowStart = T0;
        a.windowEnd = T0 + 60_000;
        a.eventTime = T0 + 60_000;
        a.observed = 812.5;
        a.expected = 500;
        a.comparison = ">";
        a.message = "p95 latency 812.5 ms > 500 ms";
        return a;
    }

    static Alert resolved(Alert firing, long eventTime) {
        Alert r = firing(firing.ruleId, firing.service);
        r.status = Alert.RESOLVED;
        r.id = firing.id + "-resolved";
        r.incidentId = firing.incidentId;
        r.windowStart = eventTime - 60_000;
        r.windowEnd = eventTime;
        r.eventTime = eventTime;
        r.observed = 300;
        r.message = "Resolved: p95 latency 300 ms > 500 ms";
        return r;
    }
}
