package io.vigil.alert;

/**
 * A change to the service catalog while the job runs, as it arrives on the broadcast stream (from the catalog topic):
 * a service's new entry, or null when the topic's entry was removed (the catalog file's entry, if any, applies again).
 * A POJO so Flink serializes it without Kryo.
 */
public class CatalogUpdate {
    /** The {@code service.name} the entry is for. */
    public String service;
    /** The service's entry, null for a removal. */
    public ServiceCatalog.Entry entry;

    public CatalogUpdate() {}

    public CatalogUpdate(String service, ServiceCatalog.Entry entry) {
        this.service = service;
        this.entry = entry;
    }

    public static CatalogUpdate removal(String service) {
        return new CatalogUpdate(service, null);
    }

    public boolean isRemoval() {
        return entry == null;
    }

    @Override
    public String toString() {
        return service + (entry == null ? " removed" : " = " + ServiceCatalog.entryToJson(entry));
    }
}
