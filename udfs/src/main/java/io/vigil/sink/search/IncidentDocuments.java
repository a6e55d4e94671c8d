package io.vigil.sink.search;

import io.vigil.incident.Incident;
import io.vigil.incident.IncidentJson;
import java.time.Instant;

/**
 * Incidents as documents ({@link IncidentJson}) in daily indices {@code <prefix>-incidents-yyyy.MM.dd} by the day the
 * incident began, with the incident id as document id: every revision lands in the same document, the latest wins.
 */
public class IncidentDocuments implements SearchDocuments<Incident> {
    private static final long serialVersionUID = 1L;

    private final String prefix;

    public IncidentDocuments(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public String index(Incident i) {
        return prefix + "-incidents-" + AlertDocuments.DAY.format(Instant.ofEpochMilli(i.firstSeen));
    }

    @Override
    public String id(Incident i) {
        return i.id;
    }

    @Override
    public byte[] source(Incident i) {
        return IncidentJson.toBytes(i);
    }
}
