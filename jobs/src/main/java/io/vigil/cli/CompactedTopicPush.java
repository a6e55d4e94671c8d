package io.vigil.cli;

import io.vigil.kafka.CompactedTopicWriter;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The shape every push to a compacted topic a running job follows shares ({@code vigil rules push}, {@code vigil
 * catalog push}): validate the input first and publish nothing when it is wrong (exit 1), then publish one record per
 * key that changed, tombstone the keys given with {@code --delete} (and with {@code --prune}, the keys on the topic the
 * input does not hold), say what happened per key, and with {@code --dry-run} say it without publishing. A wrong flag
 * exits 2. Subclasses read their input and name their topic ({@code vigil silence add} and {@code vigil silence
 * expire} too: an expiry is a changed silence, or a tombstone for one that has not started).
 */
abstract class CompactedTopicPush implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"--bootstrap-servers", "--kafka"},
            paramLabel = "HOST:PORT",
            defaultValue = "127.0.0.1:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
    String bootstrap;

    /** Set by each command to its topic's default, which picocli shows as the default. */
    @Option(
            names = "--topic",
            description = "topic to publish to, created compacted if missing (default: ${DEFAULT-VALUE})")
    String topic;

    @Option(
            names = "--delete",
            paramLabel = "KEY",
            description = "remove the entry with this key (a rule id, a service name) from the topic (repeatable)")
    List<String> delete = new ArrayList<>();

    @Option(names = "--prune", description = "remove the entries on the topic that the input does not hold")
    boolean prune;

    @Option(names = "--dry-run", description = "validate and show what would change, publish nothing")
    boolean dryRun;

    CompactedTopicPush(String defaultTopic) {
        this.topic = defaultTopic;
    }

    /** Whether input (files) was given. */
    abstract boolean hasInput();

    /** What to give, said when neither input nor {@code --delete} was. */
    abstract String missingInput();

    /** What {@code --prune} needs, said when it was given without input. */
    abstract String pruneNeedsInput();

    /**
     * Reads and validates the input: key to record JSON in publishing order, or null after printing every problem to
     * {@code err} (nothing is then published).
     */
    abstract Map<String, String> records(PrintWriter err) throws Exception;

    /** How a changed entry is reported (a changed rule also resets its state). */
    String changed() {
        return "changed";
    }

    /** How a tombstoned entry is reported. */
    abstract String removed();

    /**
     * The exit code once the records were published: 0, or 1 from a command that left part of its input out (and said
     * why on standard error).
     */
    int exitCode() {
        return 0;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return push(out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int push(PrintWriter out, PrintWriter err) throws Exception {
        if (!hasInput() && delete.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), missingInput());
        }
        if (prune && !hasInput()) {
            throw new CommandLine.ParameterException(spec.commandLine(), pruneNeedsInput());
        }
        Map<String, String> records = hasInput() ? records(err) : Map.of();
        if (records == null) {
            return 1;
        }
        try (CompactedTopicWriter writer = new CompactedTopicWriter(bootstrap, topic, new Properties())) {
            if (!dryRun && writer.ensureTopic()) {
                out.println("created compacted topic " + topic);
            }
            Map<String, String> current = writer.current(Duration.ofSeconds(30));
            TreeSet<String> toDelete = new TreeSet<>(delete);
            if (prune) {
                toDelete.addAll(current.keySet());
                toDelete.removeAll(records.keySet());
            }
            String verb = dryRun ? "would be " : "";
            for (Map.Entry<String, String> r : records.entrySet()) {
                String before = current.get(r.getKey());
                if (r.getValue().equals(before)) {
                    out.println(r.getKey() + ": unchanged");
                    continue;
                }
                if (!dryRun) {
                    writer.put(r.getKey(), r.getValue());
                }
                out.println(r.getKey() + ": " + verb + (before == null ? "added" : changed()));
            }
            for (String key : toDelete) {
                if (!current.containsKey(key)) {
                    out.println(key + ": not on the topic");
                    continue;
                }
                if (!dryRun) {
                    writer.delete(key);
                }
                out.println(key + ": " + verb + removed());
            }
        }
        return exitCode();
    }
}
