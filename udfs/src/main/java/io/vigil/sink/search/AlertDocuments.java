package io.vigil.sink.search;

import io.vigil.alert.AlertJson;
import io.vigil.model.Alert;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Alerts as ECS documents ({@link AlertJson}) in daily indices {@code <prefix>-alerts-yyyy.MM.dd} by event time, with
 * the alert id as document id.
 */
public class AlertDocuments implements SearchDocuments<Alert> {
    private static final long serialVersionUID = 1L;
    static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC);

    private final String prefix;

    public AlertDocuments(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public String index(Alert a) {
        return prefix + "-alerts-" + DAY.format(Instant.ofEpochMilli(a.eventTime));
    }

    @Override
    public String id(Alert a) {
        return a.id;
    }

    @Override
    public byte[] source(Alert a) {
        return AlertJson.toBytes(a);
    }
}
