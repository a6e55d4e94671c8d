package io.vigil.suppress;

import io.vigil.model.Alert;

/** Alerts for the suppression tests, shaped as the starter rules make them. */
final class SuppressAlerts {
    static final long T0 = 1_793_589_000_000L;
    static final long MIN = 60_000;

    private SuppressAlerts() {}

    static Alert alert(String rule, String service, String status, long eventTime) {
        Alert a = new Alert();
        a.ruleId = rule;
        a.kind = rule.startsWith("slo-") ? "slo" : "frequency";
        a.severity = rule.startsWith("slo-") ? "critical" : "high";
        a.service = service;
        a.key = rule + "|" + service;
        a.keyFields.put("service.name", service);
        if (rule.startsWith("slo-")) {
            a.labels.put("slo.alert", "page");
            a.key += "/page";
        }
        a.status = status;
        a.id = rule + "-" + service + "-" + eventTime + (Alert.RESOLVED.equals(status) ? "-resolved" : "");
        a.eventTime = eventTime;
        a.windowStart = eventTime - 5 * MIN;
        a.windowEnd = eventTime;
        return a;
    }

    static Alert firing(String rule, String service, long eventTime) {
        return alert(rule, service, Alert.FIRING, eventTime);
    }

    static Alert resolved(String rule, String service, long eventTime) {
        return alert(rule, service, Alert.RESOLVED, eventTime);
    }
}
