package io.vigil.alert.kafka;

import io.vigil.alert.CatalogUpdate;
import io.vigil.alert.ServiceCatalog;
import io.vigil.kafka.KeyedUpdateDeserializer;

/**
 * Reads the service-catalog topic: key = {@code service.name}, value = the service's entry as JSON with the catalog
 * file's field names ({@link ServiceCatalog#entryFromJson}), a null (tombstone) or empty value = the topic's entry was
 * removed. Records that cannot be an update (no key, a value that is not an entry, an unknown field) are logged with
 * where they are and why, and dropped: a bad record never fails the job, and the service keeps its previous entry.
 */
public final class CatalogUpdateDeserializer extends KeyedUpdateDeserializer<CatalogUpdate> {
    private static final long serialVersionUID = 1L;

    public CatalogUpdateDeserializer() {
        super(
                CatalogUpdate.class,
                "the service catalog topic is keyed by service.name",
                "catalog update of service",
                "; its previous entry stays");
    }

    @Override
    protected CatalogUpdate removal(String service) {
        return CatalogUpdate.removal(service);
    }

    @Override
    protected CatalogUpdate parse(String service, String json) {
        return new CatalogUpdate(service, ServiceCatalog.entryFromJson(json));
    }
}
