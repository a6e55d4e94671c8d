package io.vigil.job;

import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import io.vigil.rules.kafka.RuleTopic;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The rules a job runs: those it starts with (read on the client, so a bad rule stops the submission with file:line
 * before anything runs) and, optionally, a stream of updates applied while it runs (hot reload).
 */
public interface RuleSource extends Serializable {
    /** The rules at job start. */
    List<RuleSpec> initial();

    /** Updates to apply while the job runs, or null when the rules are fixed for this run. */
    default DataStream<RuleUpdate> updates(StreamExecutionEnvironment env) {
        return null;
    }

    /**
     * These rules at start, then the updates on a compacted rules topic while the job runs (hot reload: {@code vigil
     * rules push}). Rules on the topic win over these with the same id.
     */
    default RuleSource withUpdates(RuleTopic topic) {
        return withUpdates(topic::updates);
    }

    /** These rules at start, then {@code updates} while the job runs (a rules topic, or a fixed stream in a test). */
    default RuleSource withUpdates(Updates updates) {
        RuleSource base = this;
        return new RuleSource() {
            private static final long serialVersionUID = 1L;

            @Override
            public List<RuleSpec> initial() {
                return base.initial();
            }

            @Override
            public DataStream<RuleUpdate> updates(StreamExecutionEnvironment env) {
                return updates.updates(env);
            }
        };
    }

    /** Where rule updates come from while the job runs, as {@link CatalogUpdates} is for the service catalog. */
    @FunctionalInterface
    interface Updates extends Serializable {
        DataStream<RuleUpdate> updates(StreamExecutionEnvironment env);
    }

    static RuleSource of(List<RuleSpec> rules) {
        List<RuleSpec> copy = List.copyOf(rules);
        return () -> copy;
    }

    /** Every rule file under these files or folders (see {@link RuleLoader#ruleFiles}); throws on any problem. */
    static RuleSource directory(Path... paths) {
        List<RuleSpec> rules;
        try {
            rules = RuleLoader.load(List.of(paths));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read rules from " + List.of(paths) + ": " + e.getMessage(), e);
        }
        return of(rules);
    }
}
