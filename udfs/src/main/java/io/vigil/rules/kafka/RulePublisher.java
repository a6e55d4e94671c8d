package io.vigil.rules.kafka;

import io.vigil.kafka.CompactedTopicWriter;
import io.vigil.rules.RuleCodec;
import io.vigil.rules.RuleSpec;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

/**
 * Writes rules to the rules topic ({@code vigil rules push}): creates the topic compacted if it is missing, publishes
 * each rule keyed by id, and tombstones deleted ones. Idempotent producer with acks=all, so a push that returns has
 * been stored.
 */
public final class RulePublisher implements AutoCloseable {
    private final CompactedTopicWriter writer;

    public RulePublisher(String bootstrapServers, String topic, Properties clientProperties) {
        this.writer = new CompactedTopicWriter(bootstrapServers, topic, clientProperties);
    }

    /** Creates the topic (one partition, compacted) if it does not exist; returns true if it was created. */
    public boolean ensureTopic() throws ExecutionException, InterruptedException {
        return writer.ensureTopic();
    }

    public void publish(RuleSpec spec) throws ExecutionException, InterruptedException {
        writer.put(spec.id, RuleCodec.toJson(spec));
    }

    /** A tombstone: the running job stops the rule and drops its state. */
    public void delete(String ruleId) throws ExecutionException, InterruptedException {
        writer.delete(ruleId);
    }

    /** The rules currently on the topic (last value per key, deleted ones left out): id to JSON. */
    public Map<String, String> current(Duration timeout) {
        return writer.current(timeout);
    }

    @Override
    public void close() {
        writer.close();
    }
}
