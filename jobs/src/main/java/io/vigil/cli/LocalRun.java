package io.vigil.cli;

import io.vigil.alert.AlertJson;
import io.vigil.alert.AlertLine;
import io.vigil.incident.Incident;
import io.vigil.incident.IncidentJson;
import io.vigil.ingest.geo.GeoIpSettings;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.RuleSource;
import io.vigil.job.TelemetrySource;
import io.vigil.model.Alert;
import io.vigil.model.DeadLetter;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.sink.file.JsonLinesSink;
import io.vigil.sink.kafka.DeadLetterJson;
import io.vigil.sink.kafka.RollupJson;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the detection job in an embedded MiniCluster for the demo and replays: JSON-lines files for alerts, incidents,
 * rollups and dead letters under the output folder, each alert on one line on stdout as it fires, progress on stderr, a summary
 * at the end.
 *
 * <p>Progress and the summary come from counters in this JVM ({@link Tally}): the MiniCluster runs every operator
 * here, so small counting sinks can share them without going through Flink's metric reporters.
 */
final class LocalRun {
    /** On a terminal, progress is redrawn on one line of stderr; other lines first clear it. */
    static final boolean INTERACTIVE = System.console() != null;

    static final String CLEAR_LINE = INTERACTIVE ? "\r\033[K" : "";

    private final String title;
    private final TelemetrySource source;
    private final RuleSource rules;
    private final Path out;
    private final int parallelism;
    private final boolean quiet;
    private final PrintStream stdout;
    private final PrintStream stderr;

    LocalRun(
            String title,
            TelemetrySource source,
            RuleSource rules,
            Path out,
            int parallelism,
            boolean quiet,
            PrintStream stdout,
            PrintStream stderr) {
        this.title = title;
        this.source = source;
        this.rules = rules;
        this.out = out;
        this.parallelism = parallelism;
        this.quiet = quiet;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    private ResultSinkOptions results;
    private Path resultsRulesDir;

    /** Also sends results where the options say (search, Prometheus) and enriches alerts from their catalog. */
    LocalRun with(ResultSinkOptions options, Path rulesDir) {
        this.results = options;
        this.resultsRulesDir = rulesDir;
        return this;
    }

    private Long until;

    /** Ends the run at event time {@code until} (epoch ms) instead of the newest record's time. */
    LocalRun until(Long until) {
        this.until = until;
        return this;
    }

    private io.vigil.privacy.PrivacySettings privacy;

    /** Applies this privacy policy (null: none). */
    LocalRun privacy(io.vigil.privacy.PrivacySettings settings) {
        this.privacy = settings;
        return this;
    }

    private GeoIpSettings geoIp;

    /** Also adds GeoIP/ASN attributes at ingest from these databases; null adds none. */
    LocalRun with(GeoIpSettings settings) {
        this.geoIp = settings;
        return this;
    }

    /** Runs to the end of the input, then prints the summary. */
    void run() throws Exception {
        Tally.reset();
        StreamExecutionEnvironment env = graph();

        long started = System.nanoTime();
        JobClient client = env.executeAsync(title);
        Thread progress = progressPrinter(started);
        client.getJobExecutionResult().get();
        progress.interrupt();
        progress.join();
        Tally.wallNanos.set(System.nanoTime() - started);
        stderr.print(CLEAR_LINE);
        stderr.flush();
        summary();
    }

    /** The run's job graph in a local environment: the detection job, its file and console sinks, the progress. */
    StreamExecutionEnvironment graph() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false); // the model never falls back to Kryo; prove it on every run
        conf.set(RestOptions.BIND_PORT, "0");
        // Sources and the file sinks run at parallelism 1 (one file per stream); the keyed detectors get the rest.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        DetectionConfig config = new DetectionConfig();
        config.parallelism = parallelism;
        config.watermarkEveryRecord = true; // a bounded run: the same alerts on any machine
        config.evalUntil = until;
        config.privacy = privacy;
        config.geoIp = geoIp;

        List<DetectionJob.NamedSink<Alert>> alertSinks = new ArrayList<>(List.of(
                DetectionJob.NamedSink.of("file", new JsonLinesSink<>(out.resolve("alerts.jsonl"), AlertJson::toBytes)),
                DetectionJob.NamedSink.of("console", new ConsoleAlerts())));
        List<DetectionJob.NamedSink<Rollup>> rollupSinks = new ArrayList<>(List.of(
                DetectionJob.NamedSink.of(
                        "file", new JsonLinesSink<>(out.resolve("rollups.jsonl"), RollupJson::toBytes)),
                DetectionJob.NamedSink.of("count", new RollupCount())));
        List<DetectionJob.NamedSink<Incident>> incidentSinks = new ArrayList<>(List.of(
                DetectionJob.NamedSink.of(
                        "file", new JsonLinesSink<>(out.resolve("incidents.jsonl"), IncidentJson::toBytes)),
                DetectionJob.NamedSink.of("summary", new IncidentSummary())));
        if (results != null) {
            results.apply(config, resultsRulesDir, alertSinks, rollupSinks, incidentSinks);
        }
        DetectionJob.Sinks sinks = new DetectionJob.Sinks(
                alertSinks,
                rollupSinks,
                List.of(
                        DetectionJob.NamedSink.of(
                                "file",
                                new JsonLinesSink<>(out.resolve("dead-letters.jsonl"), DeadLetterJson::toBytes)),
                        DetectionJob.NamedSink.of("console", new ConsoleDeadLetters())),
                incidentSinks);
        DetectionJob.Streams streams = new DetectionJob(config, source, rules, sinks).build(env);
        streams.telemetry().sinkTo(new TelemetryProgress()).name("Progress").uid("progress");
        return env;
    }

    private Thread progressPrinter(long started) {
        Thread t = new Thread(
                () -> {
                    long ticks = 0;
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            return;
                        }
                        if (!quiet && (INTERACTIVE || ++ticks % 10 == 0)) {
                            double secs = (System.nanoTime() - started) / 1e9;
                            long in = Tally.records.sum();
                            long maxTs = Tally.maxEventTime.get();
                            stderr.printf(
                                    Locale.ROOT,
                                    (INTERACTIVE ? "\r" : "") + "  %,d records (%,.0f/s), event time %s, %d alerts   ",
                                    in,
                                    in / secs,
                                    maxTs == Long.MIN_VALUE ? "-" : Instant.ofEpochMilli(maxTs),
                                    Tally.alerts.sum());
                            if (!INTERACTIVE) {
                                stderr.println();
                            }
                            stderr.flush();
                        }
                    }
                },
                "vigil-progress");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void summary() {
        double secs = Tally.wallNanos.get() / 1e9;
        long telemetry = Tally.records.sum();
        long dead = Tally.deadLetters.sum();
        long in = recordsIn(telemetry, dead, Tally.ruleErrors.sum());
        stdout.println();
        stdout.println("== " + title + " finished in " + String.format(Locale.ROOT, "%.1f s", secs) + " ==");
        stdout.printf(
                Locale.ROOT,
                "records in:    %,d (%,d telemetry, %,d dead letters), %,.0f records/s%n",
                in,
                telemetry,
                in - telemetry,
                in / secs);
        long min = Tally.minEventTime.get();
        long max = Tally.maxEventTime.get();
        if (max != Long.MIN_VALUE) {
            stdout.println("event time:    " + Instant.ofEpochMilli(min) + " .. " + Instant.ofEpochMilli(max) + " ("
                    + Duration.ofMillis(max - min).toString().substring(2).toLowerCase(Locale.ROOT) + ")");
        }
        stdout.printf(
                Locale.ROOT, "alerts:        %,d firing, %,d resolved%n", Tally.alerts.sum(), Tally.resolved.sum());
        for (Map.Entry<String, Long> e : new TreeMap<>(Tally.snapshot(Tally.byRule)).entrySet()) {
            stdout.printf(Locale.ROOT, "  %-40s %,d%n", e.getKey(), e.getValue());
        }
        stdout.printf(
                Locale.ROOT,
                "suppressed:    %,d inhibited, %,d silenced (of the firing alerts; kept in every output, not delivered"
                        + " to Alertmanager or webhooks)%n",
                Tally.inhibited.sum(),
                Tally.silenced.sum());
        if (dead > 0) {
            stdout.println("dead letters by reason:");
            for (Map.Entry<String, Long> e : new TreeMap<>(Tally.snapshot(Tally.deadByReason)).entrySet()) {
                stdout.printf(Locale.ROOT, "  %-40s %,d%n", e.getKey(), e.getValue());
            }
        }
        printIncidents();
        stdout.printf(Locale.ROOT, "rollups:       %,d%n", Tally.ROLLUPS.sum());
        stdout.println("output:        " + out.resolve("alerts.jsonl")
                + ", incidents.jsonl, rollups.jsonl, dead-letters.jsonl");
        stdout.flush();
    }

    /** Each incident's latest revision, in order of first alert: status, severity, group, members and cause. */
    private void printIncidents() {
        List<Incident> all = new ArrayList<>(Tally.incidents.values());
        all.sort(java.util.Comparator.comparingLong((Incident i) -> i.firstSeen).thenComparing(i -> i.id));
        long open = all.stream().filter(i -> Incident.OPEN.equals(i.status)).count();
        stdout.printf(
                Locale.ROOT, "incidents:     %,d (%,d open, %,d resolved)%n", all.size(), open, all.size() - open);
        for (Incident i : all) {
            String span = Instant.ofEpochMilli(i.firstSeen) + " .. "
                    + (i.resolvedAt > 0 ? Instant.ofEpochMilli(i.resolvedAt).toString() : "open");
            stdout.printf(
                    Locale.ROOT,
                    "  %-8s %-8s %-20s %s, %d alert%s (%s)%n",
                    i.status,
                    i.severity,
                    i.groupValue,
                    span,
                    i.alertCount,
                    i.alertCount == 1 ? "" : "s",
                    String.join(", ", i.ruleIds));
            if (i.suspectedCause != null) {
                stdout.println("           suspected cause: " + i.suspectedCause.message);
            }
            if (!i.traceIds.isEmpty() || !i.errorLogs.isEmpty()) {
                stdout.printf(
                        Locale.ROOT,
                        "           %d error logs, %d failed traces sampled%n",
                        i.errorLogs.size(),
                        i.traceIds.size());
            }
        }
    }

    /**
     * Records that entered the job: decoded telemetry plus the records that could not be decoded. A {@code rule_error}
     * dead letter is a record that was decoded (it is already counted as telemetry) and then failed a rule's
     * condition, so it is not counted again.
     */
    static long recordsIn(long telemetry, long deadLetters, long ruleErrors) {
        return telemetry + deadLetters - ruleErrors;
    }

    /** Counters shared by the sinks of one local run (all in this JVM). */
    static final class Tally {
        static final LongAdder records = new LongAdder();
        static final LongAdder deadLetters = new LongAdder();
        static final LongAdder ruleErrors = new LongAdder();
        static final LongAdder alerts = new LongAdder();
        static final LongAdder resolved = new LongAdder();
        /** Firing alerts marked inhibited, and marked silenced (one alert may be both). */
        static final LongAdder inhibited = new LongAdder();

        static final LongAdder silenced = new LongAdder();
        static final LongAdder ROLLUPS = new LongAdder();
        static final AtomicLong minEventTime = new AtomicLong(Long.MAX_VALUE);
        static final AtomicLong maxEventTime = new AtomicLong(Long.MIN_VALUE);
        static final AtomicLong wallNanos = new AtomicLong();
        static final Map<String, LongAdder> byRule = new ConcurrentHashMap<>();
        static final Map<String, LongAdder> deadByReason = new ConcurrentHashMap<>();
        /** The latest revision of each incident, by id. */
        static final Map<String, Incident> incidents = new ConcurrentHashMap<>();

        static void reset() {
            records.reset();
            deadLetters.reset();
            ruleErrors.reset();
            alerts.reset();
            resolved.reset();
            inhibited.reset();
            silenced.reset();
            ROLLUPS.reset();
            minEventTime.set(Long.MAX_VALUE);
            maxEventTime.set(Long.MIN_VALUE);
            byRule.clear();
            deadByReason.clear();
            incidents.clear();
        }

        static Map<String, Long> snapshot(Map<String, LongAdder> m) {
            Map<String, Long> s = new TreeMap<>();
            m.forEach((k, v) -> s.put(k, v.sum()));
            return s;
        }
    }

    /** Base of the in-JVM sinks: a writer that only needs {@code write}. */
    private abstract static class LocalSink<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;

        abstract void accept(T element);

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {
                    accept(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    private static final class RollupCount extends LocalSink<Rollup> {
        private static final long serialVersionUID = 1L;

        @Override
        void accept(Rollup r) {
            Tally.ROLLUPS.increment();
        }
    }

    private static final class TelemetryProgress extends LocalSink<Telemetry> {
        private static final long serialVersionUID = 1L;

        @Override
        void accept(Telemetry t) {
            Tally.records.increment();
            Tally.maxEventTime.accumulateAndGet(t.timestamp, Math::max);
            Tally.minEventTime.accumulateAndGet(t.timestamp, Math::min);
        }
    }

    private static final class ConsoleAlerts extends LocalSink<Alert> {
        private static final long serialVersionUID = 1L;

        @Override
        void accept(Alert a) {
            if (Alert.RESOLVED.equals(a.status)) {
                Tally.resolved.increment();
            } else {
                Tally.alerts.increment();
                Tally.byRule.computeIfAbsent(a.ruleId, k -> new LongAdder()).increment();
                if (a.inhibitedBy != null) {
                    Tally.inhibited.increment();
                }
                if (a.silencedBy != null) {
                    Tally.silenced.increment();
                }
            }
            synchronized (System.out) {
                System.out.println(CLEAR_LINE + AlertLine.format(a));
            }
        }
    }

    private static final class IncidentSummary extends LocalSink<Incident> {
        private static final long serialVersionUID = 1L;

        @Override
        void accept(Incident i) {
            Tally.incidents.merge(i.id, i, (old, neu) -> neu.revision >= old.revision ? neu : old);
        }
    }

    private static final class ConsoleDeadLetters extends LocalSink<DeadLetter> {
        private static final long serialVersionUID = 1L;

        @Override
        void accept(DeadLetter d) {
            Tally.deadLetters.increment();
            if (DetectionJob.RULE_ERROR.equals(d.reason)) {
                Tally.ruleErrors.increment();
            }
            Tally.deadByReason.computeIfAbsent(d.reason, k -> new LongAdder()).increment();
            String raw = new String(d.raw, StandardCharsets.UTF_8);
            synchronized (System.out) {
                System.out.println(CLEAR_LINE + "DEAD LETTER " + d.reason + " from " + d.origin + ": " + d.detail
                        + (raw.length() > 60 ? " | " + raw.substring(0, 60) + "..." : " | " + raw));
            }
        }
    }
}
