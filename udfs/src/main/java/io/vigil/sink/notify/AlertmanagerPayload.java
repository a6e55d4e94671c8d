package io.vigil.sink.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.model.Alert;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An alert as the Alertmanager v2 API takes it ({@code POST /api/v2/alerts}, a JSON array of
 * {@code {labels, annotations, startsAt, endsAt, generatorURL}}).
 *
 * <p>The labels identify the alert in the Alertmanager (its fingerprint), so they hold only what stays the same
 * from firing to resolved: {@code alertname} (the rule id), {@code severity}, {@code service}, {@code incident} (the
 * id of the incident the alert was grouped into, {@link Alert#incident}, when it has one), the key fields, the rule's
 * labels and the catalog's team and owner, all names made Prometheus-safe. An Alertmanager route that groups by
 * {@code incident} sends one notification group per incident. What changes (values, message, the suspected cause)
 * goes into the annotations. A firing alert ends at {@code now + 4 x resend interval}, as Prometheus
 * sends it, so it stays active while it is re-sent and times out only if Vigil stops; a resolved one ends at its
 * event time.
 */
public final class AlertmanagerPayload {
    /** Label naming the incident an alert was grouped into: what a route groups by for one group per incident. */
    public static final String INCIDENT = "incident";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AlertmanagerPayload() {}

    /** The alert's labels, sorted by name; names Prometheus-safe, empty values left out. */
    public static Map<String, String> labels(Alert a) {
        Map<String, String> labels = new TreeMap<>();
        a.keyFields.forEach((k, v) -> put(labels, k, v));
        a.labels.forEach((k, v) -> put(labels, k, v));
        put(labels, "team", a.enrichment.get("team"));
        put(labels, "owner", a.enrichment.get("owner"));
        put(labels, "service", a.service);
        put(labels, "severity", a.severity);
        put(labels, "alertname", a.ruleId);
        put(labels, INCIDENT, a.incident);
        return labels;
    }

    /** Summary, description, runbook_url, observed/expected and the rule's own annotations. */
    public static Map<String, String> annotations(Alert a) {
        Map<String, String> ann = new TreeMap<>();
        a.annotations.forEach((k, v) -> put(ann, k, v));
        ann.remove("runbook"); // written as runbook_url below
        put(ann, "summary", a.ruleName != null ? a.ruleName : a.ruleId);
        put(ann, "description", a.message);
        String runbook = a.enrichment.getOrDefault("runbook", a.annotations.get("runbook"));
        put(ann, "runbook_url", runbook);
        if (a.comparison != null) {
            put(ann, "observed", number(a.observed));
            put(ann, "expected", a.comparison + " " + number(a.expected));
        }
        put(ann, "incident_id", a.incidentId);
        put(ann, "vigil_alert_id", a.id);
        put(ann, "kind", a.kind);
        return ann;
    }

    /** When the condition began: the alert's window start, else its event time. */
    static long startsAt(Alert a) {
        return a.windowStart > 0 ? a.windowStart : a.eventTime;
    }

    /** One alert of the v2 API's array. */
    public static ObjectNode alert(Alert a, NotifyConfig config, long now) {
        ObjectNode o = MAPPER.createObjectNode();
        ObjectNode labels = o.putObject("labels");
        labels(a).forEach(labels::put);
        ObjectNode ann = o.putObject("annotations");
        annotations(a).forEach(ann::put);
        long starts = startsAt(a);
        o.put("startsAt", Instant.ofEpochMilli(starts).toString());
        long ends = Alert.RESOLVED.equals(a.status)
                ? Math.max(a.eventTime, starts)
                : now + 4 * config.resendInterval.toMillis();
        o.put("endsAt", Instant.ofEpochMilli(ends).toString());
        String generator = generatorUrl(a, config);
        if (generator != null) {
            o.put("generatorURL", generator);
        }
        return o;
    }

    static String generatorUrl(Alert a, NotifyConfig config) {
        return config.generatorUrl == null || a.ruleId == null ? null : config.generatorUrl.replace("{rule}", a.ruleId);
    }

    /** One POST per Alertmanager, each a one-element array. */
    static NotifyWriter.Notifications notifications(NotifyConfig config) {
        List<URI> targets = new ArrayList<>();
        for (String u : config.urls) {
            targets.add(URI.create(u.replaceAll("/+$", "") + "/api/v2/alerts"));
        }
        return (alert, now) -> {
            ArrayNode body = MAPPER.createArrayNode();
            body.add(alert(alert, config, now));
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            List<NotifyClient.Notification> out = new ArrayList<>(targets.size());
            for (URI t : targets) {
                out.add(new NotifyClient.Notification(t, bytes, Map.of()));
            }
            return out;
        };
    }

    /**
     * A Prometheus-safe label name: {@code [a-zA-Z_][a-zA-Z0-9_]*}, every other character replaced by {@code _}
     * ({@code service.name} becomes {@code service_name}), a leading digit prefixed with {@code _}.
     */
    public static String labelName(String name) {
        StringBuilder b = new StringBuilder(name.length() + 1);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || i > 0 && c >= '0' && c <= '9';
            if (!ok && i == 0 && c >= '0' && c <= '9') {
                b.append('_').append(c);
            } else {
                b.append(ok ? c : '_');
            }
        }
        return b.length() == 0 ? "_" : b.toString();
    }

    private static void put(Map<String, String> m, String name, String value) {
        if (name != null && value != null && !value.isEmpty()) {
            m.put(labelName(name), value);
        }
    }

    private static String number(double v) {
        return v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15
                ? Long.toString((long) v)
                : Double.toString(v);
    }
}
