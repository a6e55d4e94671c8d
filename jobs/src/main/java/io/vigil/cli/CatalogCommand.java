package io.vigil.cli;

import io.vigil.alert.ServiceCatalog;
import io.vigil.alert.kafka.CatalogPublisher;
import io.vigil.alert.kafka.CatalogTopic;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil catalog push}: publishes service-catalog entries to the compacted topic a running job enriches alerts
 * from (its {@code catalog-topic}), as {@code vigil rules push} does for rules. Exit 0 on success, 1 when the catalog
 * file is wrong (nothing is published), 2 on a wrong flag.
 */
@Command(
        name = "catalog",
        description = "Publish the service catalog (owner, team, runbook, ... per service) to a " + "running job.",
        subcommands = {CatalogCommand.Push.class})
public final class CatalogCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The records a push writes: service name to entry JSON, in file order. */
    static Map<String, String> records(ServiceCatalog catalog) {
        Map<String, String> records = new LinkedHashMap<>();
        catalog.entries().forEach((service, entry) -> records.put(service, ServiceCatalog.entryToJson(entry)));
        return records;
    }

    @Command(
            name = "push",
            mixinStandardHelpOptions = true,
            description = "Validate a service catalog file (as the job's catalog setting reads it), then publish one "
                    + "record per service to the compacted catalog topic a running job reads: key = service.name, "
                    + "value = the entry as JSON, tombstone = removed (the job falls back to its catalog file's "
                    + "entry, else marks the service unknown).")
    public static final class Push implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(
                paramLabel = "FILE",
                arity = "0..1",
                description = "service catalog YAML (services: name: {owner, team, tier, runbook, channel, "
                        + "dashboards}), e.g. rules/_services.yaml")
        Path file;

        @Option(
                names = {"--bootstrap-servers", "--kafka"},
                paramLabel = "HOST:PORT",
                defaultValue = "127.0.0.1:9092",
                description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
        String bootstrap;

        @Option(
                names = "--topic",
                defaultValue = CatalogTopic.DEFAULT_TOPIC,
                description = "catalog topic, created compacted if missing (default: ${DEFAULT-VALUE})")
        String topic;

        @Option(
                names = "--delete",
                paramLabel = "NAME",
                description = "remove this service's entry from the topic (repeatable)")
        List<String> delete = new ArrayList<>();

        @Option(names = "--prune", description = "remove entries on the topic for services not in FILE")
        boolean prune;

        @Option(names = "--dry-run", description = "validate and show what would change, publish nothing")
        boolean dryRun;

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
            if (file == null && delete.isEmpty()) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "give a service catalog file to publish, or --delete NAME");
            }
            if (prune && file == null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--prune needs the service catalog file that holds every service to keep");
            }
            ServiceCatalog catalog = ServiceCatalog.empty();
            if (file != null) {
                try {
                    catalog = ServiceCatalog.load(file);
                } catch (IllegalArgumentException e) {
                    err.println(e.getMessage());
                    err.println("nothing published: 1 problem(s)");
                    return 1;
                }
            }
            try (CatalogPublisher publisher = new CatalogPublisher(bootstrap, topic, new Properties())) {
                if (!dryRun && publisher.ensureTopic()) {
                    out.println("created compacted topic " + topic);
                }
                Map<String, String> current = publisher.current(Duration.ofSeconds(30));
                TreeSet<String> toDelete = new TreeSet<>(delete);
                Map<String, String> records = records(catalog);
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
                        publisher.publish(r.getKey(), catalog.get(r.getKey()));
                    }
                    out.println(r.getKey() + ": " + verb + (before == null ? "added" : "changed"));
                }
                for (String service : toDelete) {
                    if (!current.containsKey(service)) {
                        out.println(service + ": not on the topic");
                        continue;
                    }
                    if (!dryRun) {
                        publisher.delete(service);
                    }
                    out.println(service + ": " + verb + "removed");
                }
            }
            return 0;
        }
    }
}
