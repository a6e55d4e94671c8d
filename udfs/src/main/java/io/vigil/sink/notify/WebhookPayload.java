package io.vigil.sink.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.model.Alert;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An alert as Alertmanager's webhook receiver payload (version 4), so receivers written for Alertmanager take Vigil's
 * directly: one notification per alert, its group the incident the alert was grouped into ({@code groupKey} =
 * {@code vigil:<incident>}, {@code groupLabels} incident and service, as the stack's Alertmanager route groups), or,
 * for an alert without one, its own lifecycle ({@code vigil:<alert incident id>}, {@code groupLabels} alertname and
 * service); stable from firing to resolved, with the labels and annotations of {@link AlertmanagerPayload}. Signed, when a
 * secret is set, with {@code X-Vigil-Signature: sha256=<hex HMAC-SHA256 of the body>}.
 */
public final class WebhookPayload {
    public static final String SIGNATURE_HEADER = "X-Vigil-Signature";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** What Alertmanager writes as the {@code endsAt} of a firing alert. */
    private static final String NO_END = "0001-01-01T00:00:00Z";

    private WebhookPayload() {}

    public static ObjectNode payload(Alert a, NotifyConfig config) {
        Map<String, String> labels = AlertmanagerPayload.labels(a);
        Map<String, String> annotations = AlertmanagerPayload.annotations(a);
        boolean resolved = Alert.RESOLVED.equals(a.status);
        ObjectNode o = MAPPER.createObjectNode();
        o.put("version", "4");
        String groupKey = a.incident != null ? a.incident : a.incidentId != null ? a.incidentId : a.key;
        o.put("groupKey", "vigil:" + groupKey);
        o.put("truncatedAlerts", 0);
        o.put("status", resolved ? Alert.RESOLVED : Alert.FIRING);
        o.put("receiver", config.receiver);
        ObjectNode group = o.putObject("groupLabels");
        if (a.incident != null) {
            group.put(AlertmanagerPayload.INCIDENT, a.incident);
        } else {
            group.put("alertname", labels.get("alertname"));
        }
        if (labels.containsKey("service")) group.put("service", labels.get("service"));
        ObjectNode common = o.putObject("commonLabels");
        labels.forEach(common::put);
        ObjectNode commonAnn = o.putObject("commonAnnotations");
        annotations.forEach(commonAnn::put);
        o.put("externalURL", config.externalUrl);
        ObjectNode alert = o.putArray("alerts").addObject();
        alert.put("status", resolved ? Alert.RESOLVED : Alert.FIRING);
        alert.set("labels", common.deepCopy());
        alert.set("annotations", commonAnn.deepCopy());
        long starts = AlertmanagerPayload.startsAt(a);
        alert.put("startsAt", Instant.ofEpochMilli(starts).toString());
        alert.put(
                "endsAt",
                resolved ? Instant.ofEpochMilli(Math.max(a.eventTime, starts)).toString() : NO_END);
        String generator = AlertmanagerPayload.generatorUrl(a, config);
        alert.put("generatorURL", generator != null ? generator : "");
        alert.put("fingerprint", fingerprint(labels));
        return o;
    }

    /** {@code sha256=} and the lower-case hex HMAC-SHA256 of the body under the key. */
    public static String signature(byte[] key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /**
     * The label set's fingerprint as Alertmanager computes it (Prometheus' {@code LabelSet.Fingerprint}: FNV-1a 64
     * over the sorted names and values, each followed by 0xff), in 16 hex digits.
     */
    static String fingerprint(Map<String, String> sortedLabels) {
        long h = 0xcbf29ce484222325L;
        for (Map.Entry<String, String> e : sortedLabels.entrySet()) {
            for (String part : new String[] {e.getKey(), e.getValue()}) {
                for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
                    h ^= b & 0xff;
                    h *= 0x100000001b3L;
                }
                h ^= 0xff;
                h *= 0x100000001b3L;
            }
        }
        return String.format("%016x", h);
    }

    static NotifyWriter.Notifications notifications(NotifyConfig config) {
        List<URI> targets = new ArrayList<>();
        for (String u : config.urls) targets.add(URI.create(u));
        byte[] key = config.secret();
        return (alert, now) -> {
            byte[] body = payload(alert, config).toString().getBytes(StandardCharsets.UTF_8);
            Map<String, String> headers = key == null ? Map.of() : Map.of(SIGNATURE_HEADER, signature(key, body));
            List<NotifyClient.Notification> out = new ArrayList<>(targets.size());
            for (URI t : targets) out.add(new NotifyClient.Notification(t, body, headers));
            return out;
        };
    }
}
