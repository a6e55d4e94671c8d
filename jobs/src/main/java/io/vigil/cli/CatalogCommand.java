package io.vigil.cli;

import io.vigil.alert.ServiceCatalog;
import io.vigil.alert.kafka.CatalogTopic;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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
    public static final class Push extends CompactedTopicPush {
        @Parameters(
                paramLabel = "FILE",
                arity = "0..1",
                description = "service catalog YAML (services: name: {owner, team, tier, runbook, channel, "
                        + "dashboards}), e.g. rules/_services.yaml")
        Path file;

        public Push() {
            super(CatalogTopic.DEFAULT_TOPIC);
        }

        @Override
        boolean hasInput() {
            return file != null;
        }

        @Override
        String missingInput() {
            return "give a service catalog file to publish, or --delete NAME";
        }

        @Override
        String pruneNeedsInput() {
            return "--prune needs the service catalog file that holds every service to keep";
        }

        @Override
        Map<String, String> records(PrintWriter err) {
            try {
                return CatalogCommand.records(ServiceCatalog.load(file));
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                err.println("nothing published: 1 problem(s)");
                return null;
            }
        }

        @Override
        String removed() {
            return "removed";
        }
    }
}
