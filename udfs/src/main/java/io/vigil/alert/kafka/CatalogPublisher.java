package io.vigil.alert.kafka;

import io.vigil.alert.ServiceCatalog;
import io.vigil.kafka.CompactedTopicWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

/**
 * Writes service-catalog entries to the catalog topic ({@code vigil catalog push}): creates the topic compacted if it
 * is missing, publishes each entry keyed by {@code service.name}, and tombstones removed ones. A push that returns has
 * been stored (acks=all, idempotent producer).
 */
public final class CatalogPublisher implements AutoCloseable {
    private final CompactedTopicWriter writer;

    public CatalogPublisher(String bootstrapServers, String topic, Properties clientProperties) {
        this.writer = new CompactedTopicWriter(bootstrapServers, topic, clientProperties);
    }

    /** Creates the topic (one partition, compacted) if it does not exist; returns true if it was created. */
    public boolean ensureTopic() throws ExecutionException, InterruptedException {
        return writer.ensureTopic();
    }

    public void publish(String service, ServiceCatalog.Entry entry) throws ExecutionException, InterruptedException {
        writer.put(service, ServiceCatalog.entryToJson(entry));
    }

    /** A tombstone: the running job forgets the topic's entry; the catalog file's entry, if any, applies again. */
    public void delete(String service) throws ExecutionException, InterruptedException {
        writer.delete(service);
    }

    /** The entries currently on the topic (removed ones left out): service name to entry JSON. */
    public Map<String, String> current(Duration timeout) {
        return writer.current(timeout);
    }

    @Override
    public void close() {
        writer.close();
    }
}
