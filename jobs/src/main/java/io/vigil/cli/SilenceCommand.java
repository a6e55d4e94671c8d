package io.vigil.cli;

import io.vigil.kafka.CompactedTopicWriter;
import io.vigil.rules.Durations;
import io.vigil.suppress.Silence;
import io.vigil.suppress.Silences;
import io.vigil.suppress.kafka.SilenceTopic;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil silence add|list|expire}: silences and maintenance windows on the compacted silence topic a running
 * job follows (its {@code silence-topic}), as {@code amtool silence} does for an Alertmanager. Silences are judged at
 * each alert's event time, so expiring one moves its end to now rather than deleting it: a replay still mutes what it
 * muted. Exit 0 on success, 1 when a silence is wrong (nothing is published), 2 on a wrong flag.
 */
@Command(
        name = "silence",
        description = "Add, list and expire silences and maintenance windows of a running job (its silence-topic). "
                + "Silenced alerts are marked silenced_by in every output and not delivered to Alertmanager or "
                + "webhooks.",
        subcommands = {SilenceCommand.Add.class, SilenceCommand.ListSilences.class, SilenceCommand.Expire.class})
public final class SilenceCommand implements Runnable {
    /** Wall clock for "now"; tests set a fixed one. */
    static Clock clock = Clock.systemUTC();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = "Publish a silence (from the flags) or every silence of a silences file to the silence "
                    + "topic: key = silence id, value = the silence as JSON. A one-off silence runs from --start "
                    + "(default now) to --end or for --duration (default 1h); a recurring maintenance window adds "
                    + "--time-zone with --weekdays and/or --times, and runs until --end (default: forever).",
            sortOptions = false)
    public static final class Add extends CompactedTopicPush {
        @Option(
                names = {"-m", "--match"},
                paramLabel = "MATCHER",
                description = "label matcher as in Alertmanager: service=\"payments\", alertname=~\"slo-.*\", "
                        + "severity!=\"critical\" (repeatable; all must match). Labels: alertname (rule id), "
                        + "severity, service, key fields and rule labels with Prometheus-safe names, team, owner")
        List<String> matchers = new ArrayList<>();

        @Option(names = "--id", description = "silence id (default: a new random id); an existing id is replaced")
        String id;

        @Option(names = "--start", paramLabel = "INSTANT", description = "ISO-8601 start, or now (default: now)")
        String start;

        @Option(names = "--end", paramLabel = "INSTANT", description = "ISO-8601 end")
        String end;

        @Option(
                names = {"-d", "--duration"},
                paramLabel = "DURATION",
                description = "how long from the start, like 2h or 30m (default 1h for a one-off silence)")
        String duration;

        @Option(names = "--time-zone", paramLabel = "ZONE", description = "IANA time zone of a recurring window")
        String timeZone;

        @Option(
                names = "--weekdays",
                paramLabel = "DAYS",
                split = ",",
                description = "weekdays of a recurring window: monday, sat, monday:friday (comma-separated)")
        List<String> weekdays = new ArrayList<>();

        @Option(
                names = "--times",
                paramLabel = "HH:MM-HH:MM",
                split = ",",
                description = "times of day of a recurring window, 22:00-02:00 runs past midnight (comma-separated)")
        List<String> times = new ArrayList<>();

        @Option(
                names = {"-a", "--author"},
                description = "who adds it (default: $USER)")
        String author = System.getenv("USER");

        @Option(
                names = {"-c", "--comment"},
                description = "why")
        String comment;

        @Option(names = "--file", paramLabel = "FILE", description = "publish every silence of this silences file")
        Path file;

        public Add() {
            super(SilenceTopic.DEFAULT_TOPIC);
        }

        @Override
        boolean hasInput() {
            return file != null || !matchers.isEmpty();
        }

        @Override
        String missingInput() {
            return "give at least one --match MATCHER (or --file FILE) for the silence to add, or --delete ID";
        }

        @Override
        String pruneNeedsInput() {
            return "--prune needs --file with every silence to keep";
        }

        @Override
        Map<String, String> records(PrintWriter err) {
            try {
                Map<String, String> records = new LinkedHashMap<>();
                if (file != null) {
                    if (!matchers.isEmpty()) {
                        throw new IllegalArgumentException("give either --file or --match, not both");
                    }
                    for (Silence s : Silences.load(file).silences()) {
                        records.put(s.id, s.toJson());
                    }
                    return records;
                }
                Silence s = fromFlags();
                records.put(s.id, s.toJson());
                return records;
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                err.println("nothing published: 1 problem(s)");
                return null;
            }
        }

        Silence fromFlags() {
            Instant now = clock.instant();
            Silence s = new Silence();
            s.id = id != null ? id : "s-" + UUID.randomUUID().toString().substring(0, 8);
            s.matchers = new ArrayList<>(matchers);
            boolean recurring = timeZone != null || !weekdays.isEmpty() || !times.isEmpty();
            Instant from = start == null || start.equals("now") ? now : instant("--start", start);
            if (end != null && duration != null) {
                throw new IllegalArgumentException("give either --end or --duration, not both");
            }
            if (end != null) {
                s.endsAt = instant("--end", end).toEpochMilli();
            } else if (duration != null || !recurring) {
                Duration d = Durations.parse(duration != null ? duration : "1h");
                s.endsAt = from.plus(d).toEpochMilli();
            }
            // A recurring window without --start applies from the start of time, so a replay of last week's data
            // sees it too; a one-off silence starts now unless told otherwise.
            if (start != null || !recurring) {
                s.startsAt = from.toEpochMilli();
            }
            s.timeZone = recurring && timeZone == null ? "UTC" : timeZone;
            s.weekdays = new ArrayList<>(weekdays);
            s.times = new ArrayList<>(times);
            s.createdBy = author;
            s.comment = comment;
            return s.validate();
        }

        private static Instant instant(String flag, String text) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(
                        flag + " '" + text + "' is not an ISO-8601 instant like 2026-12-05T22:00:00Z (or now)");
            }
        }

        @Override
        String removed() {
            return "removed";
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Show the silences on the topic with their state now (active, pending, recurring, expired).")
    public static final class ListSilences implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        TopicMixin where = new TopicMixin();

        @Option(names = "--expired", description = "also show expired silences")
        boolean expired;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            long now = clock.millis();
            Map<String, Silence> silences = read(where.bootstrap, where.topic, err);
            int shown = 0;
            for (Silence s : silences.values()) {
                String state = s.state(now);
                if (state.equals("expired") && !expired) {
                    continue;
                }
                shown++;
                out.printf(
                        "%s  %s  %s .. %s  %s%s%s%s%n",
                        s.id,
                        state,
                        s.startsAt == Long.MIN_VALUE ? "-" : Instant.ofEpochMilli(s.startsAt),
                        s.endsAt == Long.MAX_VALUE ? "never" : Instant.ofEpochMilli(s.endsAt),
                        String.join(" ", s.matchers),
                        s.timeZone == null
                                ? ""
                                : "  every " + (s.weekdays.isEmpty() ? "day" : s.weekdays) + " "
                                        + (s.times.isEmpty() ? "all day" : s.times) + " " + s.timeZone,
                        s.createdBy == null ? "" : "  by " + s.createdBy,
                        s.comment == null ? "" : "  # " + s.comment);
            }
            if (shown == 0) {
                out.println("no " + (expired ? "" : "active or pending ") + "silences on " + where.topic);
            }
            out.flush();
            err.flush();
            return 0;
        }
    }

    @Command(
            name = "expire",
            mixinStandardHelpOptions = true,
            description = "End silences now: their end moves to now (what they muted before stays muted in a replay); "
                    + "a silence that has not started yet is removed.")
    public static final class Expire extends CompactedTopicPush {
        @Parameters(paramLabel = "ID", arity = "1..*", description = "ids of the silences to expire")
        List<String> ids;

        /** When the silences expire: the end they are given. */
        private long now;

        private int missing;

        public Expire() {
            super(SilenceTopic.DEFAULT_TOPIC);
        }

        @Override
        boolean hasInput() {
            return true; // the ids; picocli requires at least one
        }

        @Override
        String missingInput() {
            return "give the ids of the silences to expire";
        }

        @Override
        String pruneNeedsInput() {
            return "--prune belongs to silence add --file";
        }

        /** Each id's silence with its end moved to now; ids not started yet become tombstones (--delete). */
        @Override
        Map<String, String> records(PrintWriter err) {
            if (prune || !delete.isEmpty()) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "silence expire takes silence ids; --delete and --prune belong to silence add");
            }
            PrintWriter out = spec.commandLine().getOut();
            now = clock.millis();
            Map<String, Silence> silences = read(bootstrap, topic, err);
            Map<String, String> records = new LinkedHashMap<>();
            for (String id : ids) {
                Silence s = silences.get(id);
                if (s == null) {
                    err.println(id + ": no such silence on " + topic);
                    missing++;
                } else if (s.endsAt <= now) {
                    out.println(id + ": already expired");
                } else if (s.startsAt > now) {
                    delete.add(id);
                } else {
                    s.endsAt = now;
                    records.put(id, s.validate().toJson());
                }
            }
            return records;
        }

        @Override
        String changed() {
            return "expired at " + Instant.ofEpochMilli(now);
        }

        @Override
        String removed() {
            return "removed (it had not started)";
        }

        @Override
        int exitCode() {
            return missing == 0 ? 0 : 1;
        }
    }

    /** Where the silence topic is, for {@code silence list}. */
    static final class TopicMixin {
        @Option(
                names = {"--bootstrap-servers", "--kafka"},
                paramLabel = "HOST:PORT",
                defaultValue = "127.0.0.1:9092",
                description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
        String bootstrap;

        @Option(
                names = "--topic",
                defaultValue = SilenceTopic.DEFAULT_TOPIC,
                description = "silence topic (default: ${DEFAULT-VALUE})")
        String topic;
    }

    /** The topic's silences by id, in id order; a record that is not a silence is reported and left out. */
    static Map<String, Silence> read(String bootstrap, String topic, PrintWriter err) {
        Map<String, Silence> out = new TreeMap<>();
        Map<String, String> current;
        try (CompactedTopicWriter reader = new CompactedTopicWriter(bootstrap, topic, new Properties())) {
            current = reader.current(Duration.ofSeconds(30));
        }
        current.forEach((id, json) -> {
            try {
                out.put(id, Silence.fromJson(json));
            } catch (IllegalArgumentException e) {
                err.println(id + ": not a silence, left out: " + e.getMessage());
            }
        });
        return out;
    }
}
