package io.vigil.cli;

import io.vigil.bench.SteadyTelemetry;
import io.vigil.cluster.FlinkRest;
import io.vigil.soak.AlertLatencies;
import io.vigil.soak.Curve;
import io.vigil.soak.Flatness;
import io.vigil.soak.OperatorStates;
import io.vigil.soak.SoakCsv;
import io.vigil.soak.SoakPlot;
import io.vigil.soak.SoakSample;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil soak}: runs the job on the local stack for a long time at a steady input rate and samples whether it
 * stays steady (heap, state and checkpoint sizes, checkpoint duration, throughput, alerts and their latency) into a
 * CSV, a PNG plot and a flatness summary. See docs/operations/soak.md.
 */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        description = {
            "Soak test on the local stack (bin/vigil stack up): submit the default job (or use the running one),"
                    + " produce generated telemetry at a steady rate with event time = now (or running --time-scale times faster), and every --interval sample"
                    + " heap, state size, checkpoint size and duration, records/s, alerts committed and end-to-end"
                    + " alert latency into DIR/soak.csv; at the end write DIR/soak.png and a flatness summary.",
            "With --report CSV, summarise and plot an earlier soak's CSV instead (no stack needed)."
        })
public final class SoakCommand implements Callable<Integer> {
    private static final int OFFSET = portOffset();

    /** Beyond this the starter rules' shortest windows (1 m) pass in under a second of wall time: nothing to soak. */
    static final int MAX_TIME_SCALE = 60;

    /**
     * The starter rules' longest sliding window (the SLO rules' slow-burn long window), plus the out-of-order bound and
     * a checkpoint or two: after this much event time every window's state has filled.
     */
    static final Duration STARTER_STATE_FILLS = Duration.ofHours(6).plusMinutes(30);

    @Option(
            names = "--duration",
            paramLabel = "D",
            defaultValue = "1h",
            converter = Flags.PositiveDurationConverter.class,
            description = "how long to produce and sample, e.g. 30m, 1h (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(
            names = "--rate",
            paramLabel = "N",
            defaultValue = "200",
            converter = Flags.RateConverter.class,
            description = "telemetry records per second, steady (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(
            names = "--interval",
            paramLabel = "D",
            defaultValue = "1m",
            converter = Flags.DurationConverter.class,
            description = "time between samples (default: ${DEFAULT-VALUE})")
    Duration interval;

    @Option(
            names = "--time-scale",
            paramLabel = "N",
            defaultValue = "1",
            description = "event time runs N times faster than the wall clock from the start (1 to " + MAX_TIME_SCALE
                    + "), so rule windows longer than the soak fill and slide within it: with 8, the starter SLO"
                    + " rules' 6h windows fill in 45 minutes. --rate stays per wall-clock second, so a window sees"
                    + " N times fewer records than at scale 1: give --rate N times as high for the same traffic per"
                    + " window. Latency is measured in wall-clock time (default: ${DEFAULT-VALUE}: event time = wall"
                    + " time)")
    int timeScale;

    @Option(
            names = "--warm-up",
            paramLabel = "D",
            converter = Flags.DurationConverter.class,
            description = "samples before this are plotted but not judged (default: 30m, or a third of --duration if"
                    + " that is shorter: the starter rules' longest per-record state, the error-burst-then-deploy"
                    + " sequence's 30m, fills in that time; with --time-scale above 1, the time the starter SLO rules'"
                    + " 6h windows take to fill plus a margin, 6h30m / N, when that leaves 3 samples to judge)")
    Duration warmUp;

    /** Whether --warm-up was given; if not, a --report judges after the default share of the CSV's own length. */
    private boolean warmUpGiven;

    @Option(
            names = "--tolerance",
            paramLabel = "FRACTION",
            defaultValue = "0.1",
            description = "a curve is flat when its fitted change after warm-up is within this fraction of its mean"
                    + " (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Option(
            names = "--savepoint-every",
            paramLabel = "D",
            defaultValue = "5m",
            converter = Flags.DurationConverter.class,
            description = "take a canonical savepoint this often (the job keeps running) and record its size as the"
                    + " live state; 0s turns it off (default: ${DEFAULT-VALUE})")
    Duration savepointEvery;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "where soak.csv, operators.csv, soak.png and summary.txt go (default:"
                    + " .vigil/soak/<UTC start time> in the checkout)")
    Path out;

    @Option(
            names = "--kafka",
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: the local stack's, 127.0.0.1:9092 + $VIGIL_PORT_OFFSET)")
    String kafka = "127.0.0.1:" + (9092 + OFFSET);

    @Option(
            names = "--flink",
            paramLabel = "URL",
            description = "Flink REST address (default: the local stack's, http://127.0.0.1:8081 + $VIGIL_PORT_OFFSET)")
    String flink = "http://127.0.0.1:" + (8081 + OFFSET);

    @Option(
            names = "--job",
            paramLabel = "ID",
            description = "the running job to watch (default: the only running one)")
    String job;

    @Option(
            names = "--topic",
            defaultValue = "vigil-telemetry",
            description = "topic the job reads telemetry from (default: ${DEFAULT-VALUE})")
    String topic;

    @Option(
            names = "--alerts-topic",
            defaultValue = "vigil-alerts",
            description = "topic the job writes alerts to (default: ${DEFAULT-VALUE})")
    String alertsTopic;

    @Option(names = "--seed", defaultValue = "1", description = "generator seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--report",
            paramLabel = "CSV",
            description = "summarise and plot this earlier soak CSV instead of running a soak")
    Path report;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The vertex whose emitted records are the job's input rate (the Kafka telemetry source and its chain). */
    static final String SOURCE_VERTEX = "Source: Kafka telemetry";

    /** Why the soak cannot go on, said to the user without a stack trace. */
    private static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        try {
            return report != null ? report() : soak();
        } catch (Stop e) {
            spec.commandLine().getErr().println(e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
    }

    private int soak() throws Exception {
        Path dir = out != null
                ? out
                : VigilHome.root()
                        .resolve(".vigil/soak")
                        .resolve(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                                .withZone(ZoneOffset.UTC)
                                .format(Instant.now()));
        FlinkRest rest = new FlinkRest(flink);
        checkStack(rest);
        Files.createDirectories(dir);
        String jobId = jobToWatch(rest);
        System.err.printf(
                "soak: job %s, %d records/s to %s for %s, a sample every %s%s; output in %s%n",
                jobId,
                rate,
                topic,
                text(duration),
                text(interval),
                timeScale == 1
                        ? ""
                        : ", event time " + timeScale + "x the wall clock (" + text(duration.multipliedBy(timeScale))
                                + " of event time)",
                dir);
        return soak(rest, jobId, dir);
    }

    /** Every flag's value, checked before anything starts; each message says what would be right. */
    void validate() {
        CommandLine cl = spec.commandLine();
        warmUpGiven = warmUp != null;
        if (report != null) {
            if (!Files.isRegularFile(report))
                throw new CommandLine.ParameterException(cl, "--report " + report + ": no such file (give a soak.csv)");
        }
        if (interval.compareTo(Duration.ofSeconds(5)) < 0) {
            throw new CommandLine.ParameterException(
                    cl,
                    "--interval " + text(interval)
                            + " is too short to sample Flink's metrics; give 5s or more, e.g. 1m");
        }
        if (report == null && interval.compareTo(duration) > 0) {
            throw new CommandLine.ParameterException(
                    cl,
                    "--interval " + text(interval) + " is longer than --duration " + text(duration)
                            + "; give an interval of at most the duration, e.g. --interval 1m");
        }
        if (savepointEvery.isNegative() || (!savepointEvery.isZero() && savepointEvery.compareTo(interval) < 0)) {
            throw new CommandLine.ParameterException(
                    cl,
                    "--savepoint-every " + text(savepointEvery) + " must be 0s (off) or at least --interval "
                            + text(interval) + ", e.g. 5m");
        }
        if (timeScale < 1 || timeScale > MAX_TIME_SCALE) {
            throw new CommandLine.ParameterException(
                    cl,
                    "--time-scale " + timeScale + " is out of range; give 1 (event time = wall time) to "
                            + MAX_TIME_SCALE + ", e.g. 8 to fill 6h windows in 45 minutes");
        }
        if (warmUp == null) warmUp = defaultWarmUp(duration, timeScale, interval);
        if (warmUp.isNegative()) throw new CommandLine.ParameterException(cl, "--warm-up must be 0 or more, e.g. 10m");
        if (report == null && warmUp.plus(interval.multipliedBy(3)).compareTo(duration) > 0) {
            throw new CommandLine.ParameterException(
                    cl,
                    "--warm-up " + text(warmUp) + " leaves fewer than 3 samples of --duration " + text(duration)
                            + " to judge; give a longer duration (at least warm-up + 3 intervals = "
                            + text(warmUp.plus(interval.multipliedBy(3))) + ") or a shorter --warm-up");
        }
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new CommandLine.ParameterException(
                    cl, "--tolerance " + tolerance + " must be a fraction between 0 and 1, e.g. 0.1 for 10%");
        }
    }

    /**
     * 30m, the starter rules' longest per-record state (a sequence's {@code within: 30m}), for any soak of 45 minutes or
     * more, so the documented {@code --duration 1h} judges the half hour after that state filled (with a third of an
     * hour, a run on 2026-12-04 judged its last 10 minutes of filling as growth); shorter soaks judge after a third.
     */
    static Duration defaultWarmUp(Duration soak) {
        return soak.compareTo(Duration.ofMinutes(45)) >= 0 ? Duration.ofMinutes(30) : soak.dividedBy(3);
    }

    /**
     * With event time at wall time, {@link #defaultWarmUp(Duration)}. Faster, the wall time in which the starter
     * rules' longest windows fill ({@link #STARTER_STATE_FILLS} / scale, rounded up to a whole interval) when at least
     * 3 samples are left after it, so a soak of twice that judges state after every window filled; else the same
     * default as at scale 1 (and a longer --duration would be needed to see the longest windows full).
     */
    static Duration defaultWarmUp(Duration soak, int timeScale, Duration interval) {
        if (timeScale > 1) {
            long ms = STARTER_STATE_FILLS.toMillis() / timeScale;
            long step = Math.max(1, interval.toMillis());
            Duration fills = Duration.ofMillis((ms + step - 1) / step * step);
            if (fills.plus(interval.multipliedBy(3)).compareTo(soak) <= 0) return fills;
        }
        return defaultWarmUp(soak);
    }

    private int report() throws IOException {
        List<SoakSample> samples = SoakCsv.read(report);
        if (!warmUpGiven && !samples.isEmpty()) {
            warmUp = defaultWarmUp(
                    Duration.ofMillis((long) (samples.get(samples.size() - 1).elapsedSeconds() * 1000)),
                    timeScale,
                    interval);
        }
        Path dir = report.toAbsolutePath().getParent();
        finish(samples, dir);
        return 0;
    }

    /** Fails with what to do when the stack's Flink or Kafka does not answer. */
    private void checkStack(FlinkRest rest) throws InterruptedException {
        String start = "start the local stack first: bin/vigil stack up"
                + (OFFSET == 0 ? "" : " (with VIGIL_PORT_OFFSET=" + OFFSET + ")");
        try {
            rest.version();
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new Stop("vigil soak: no Flink cluster answers at " + flink + "; " + start);
        } catch (IOException e) {
            throw new Stop("vigil soak: Flink at " + flink + " does not answer as expected (" + e.getMessage() + "); "
                    + start);
        }
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000"))) {
            admin.describeCluster().clusterId().get(15, TimeUnit.SECONDS);
            ensureTopics(admin);
        } catch (ExecutionException | TimeoutException e) {
            throw new Stop("vigil soak: no Kafka broker answers at " + kafka + "; " + start);
        }
    }

    /**
     * Creates the input and alert topics (broker defaults for partitions and replication) if they are missing: a job
     * submitted before its input topic exists restarts until it does, and the alert reader needs the alert topic's
     * partitions before the first alert.
     */
    private void ensureTopics(Admin admin) throws ExecutionException, InterruptedException, TimeoutException {
        var existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
        List<NewTopic> missing = new java.util.ArrayList<>();
        for (String t : List.of(topic, alertsTopic)) {
            if (!existing.contains(t)) missing.add(new NewTopic(t, Optional.empty(), Optional.empty()));
        }
        if (missing.isEmpty()) return;
        try {
            admin.createTopics(missing).all().get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // Created meanwhile by the job or a producer: what matters is that it exists.
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
        System.err.println(
                "soak: created " + missing.stream().map(NewTopic::name).toList());
    }

    /** The job given with --job, else the only running one, else one submitted now with `bin/vigil submit`. */
    private String jobToWatch(FlinkRest rest) throws IOException, InterruptedException {
        Map<String, String> running = rest.runningJobs();
        String id = job;
        if (id != null) {
            if (!running.containsKey(id)) {
                throw new Stop("vigil soak: job " + id + " is not running on " + flink + "; running: "
                        + (running.isEmpty() ? "none" : running.toString()));
            }
        } else if (running.size() > 1) {
            throw new Stop("vigil soak: " + running.size() + " jobs run on " + flink + "; say which with --job ID: "
                    + running);
        } else if (running.size() == 1) {
            id = running.keySet().iterator().next();
            System.err.println("soak: watching the running job " + id + " (" + running.get(id) + ")");
        } else {
            id = submit(rest);
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!rest.allTasksRunning(id)) {
            if (System.nanoTime() > deadline) {
                throw new Stop("vigil soak: job " + id + " has tasks that are not running after 3 minutes;"
                        + " see the web UI at " + flink);
            }
            Thread.sleep(500);
        }
        return id;
    }

    /** Submits the stack's default job the way a user does, through bin/vigil submit (it knows the job arguments). */
    private String submit(FlinkRest rest) throws IOException, InterruptedException {
        Path vigil = VigilHome.root().resolve("bin/vigil");
        System.err.println("soak: no job runs on " + flink + "; submitting the default job: " + vigil + " submit");
        Process p = new ProcessBuilder(vigil.toString(), "submit").inheritIO().start();
        if (p.waitFor() != 0) {
            throw new Stop("vigil soak: bin/vigil submit failed (exit " + p.exitValue() + ")");
        }
        Map<String, String> running = rest.runningJobs();
        if (running.size() != 1) {
            throw new Stop("vigil soak: after submitting, expected one running job, found " + running);
        }
        return running.keySet().iterator().next();
    }

    private int soak(FlinkRest rest, String jobId, Path dir) throws Exception {
        long startMs = System.currentTimeMillis();
        long startNs = System.nanoTime();
        long total = Math.max(1, duration.toMillis() * rate / 1000);
        AlertLatencies alerts = new AlertLatencies(kafka, new Properties(), alertsTopic, startMs, timeScale);
        alerts.start(Duration.ofSeconds(30));
        Thread consumer = new Thread(alerts, "soak-alerts");
        consumer.setDaemon(true);
        consumer.start();
        SteadyTelemetry telemetry = new SteadyTelemetry(kafka, new Properties(), topic, rate, seed, timeScale, startMs);
        long endNs = startNs + duration.toNanos();
        Thread producer =
                new Thread(() -> telemetry.run(total, () -> System.nanoTime() >= endNs, n -> {}), "soak-telemetry");
        producer.setDaemon(true);
        producer.start();

        List<SoakSample> samples = new java.util.ArrayList<>();
        long lastProduced = 0;
        long lastNs = startNs;
        try (SoakCsv csv = new SoakCsv(dir.resolve("soak.csv"));
                PrintWriter operators = operatorsCsv(dir.resolve("operators.csv"));
                PrintWriter savepoints = operatorsCsv(dir.resolve("savepoints.csv"))) {
            for (long k = 1; ; k++) {
                long due = startNs + k * interval.toNanos();
                if (due > endNs) break;
                long wait = due - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                long now = System.nanoTime();
                double seconds = (now - lastNs) / 1e9;
                lastNs = now;
                Map<Curve, Double> v = new EnumMap<>(Curve.class);
                long produced = telemetry.written();
                v.put(Curve.RECORDS_PRODUCED, (produced - lastProduced) / seconds);
                lastProduced = produced;
                AlertLatencies.Interval a = alerts.drain();
                v.put(Curve.ALERTS_COMMITTED, (double) a.alerts());
                v.put(Curve.LATENCY_P50, a.p50Ms());
                v.put(Curve.LATENCY_P95, a.p95Ms());
                Instant time = Instant.now();
                double elapsed = (now - startNs) / 1e9;
                try {
                    v.put(Curve.JOBMANAGER_HEAP, rest.jobManagerHeapUsed() / 1e6);
                    v.put(Curve.TASKMANAGER_HEAP, rest.taskManagersHeapUsed() / 1e6);
                    v.put(Curve.RECORDS_IN, rest.recordsOutPerSecond(jobId, SOURCE_VERTEX));
                    FlinkRest.Checkpoint cp = rest.latestCheckpoint(jobId);
                    if (cp != null) {
                        v.put(Curve.STATE_SIZE, cp.stateSize() / 1e6);
                        v.put(Curve.CHECKPOINT_SIZE, cp.checkpointedSize() / 1e3);
                        v.put(Curve.CHECKPOINT_DURATION, (double) cp.durationMs());
                        for (FlinkRest.VertexState s : rest.checkpointByVertex(jobId, cp.id())) {
                            operators.printf(
                                    Locale.ROOT,
                                    "%s,%.1f,%d,\"%s\",%d,%d%n",
                                    time,
                                    elapsed,
                                    cp.id(),
                                    s.vertex().replace('"', '\''),
                                    s.stateSize(),
                                    s.checkpointedSize());
                        }
                        operators.flush();
                    }
                    long spMs = savepointEvery.toMillis();
                    if (spMs > 0 && (k * interval.toMillis()) % spMs < interval.toMillis()) {
                        v.put(Curve.LIVE_STATE, liveState(rest, jobId, dir, time, elapsed, savepoints));
                    }
                } catch (IOException e) {
                    // A sample the cluster could not answer stays empty in the CSV; the soak goes on.
                    System.err.println("soak: sample " + k + ": Flink REST: " + e.getMessage());
                }
                SoakSample s = new SoakSample(time, elapsed, v);
                samples.add(s);
                csv.append(s);
                System.err.println(progress(s));
            }
        } finally {
            producer.join(TimeUnit.SECONDS.toMillis(30));
            telemetry.close();
            alerts.close();
            consumer.join(TimeUnit.SECONDS.toMillis(10));
        }
        System.out.printf(
                Locale.ROOT,
                "%,d records produced, %,d alerts committed during the soak%n",
                telemetry.written(),
                alerts.total());
        if (telemetry.failed() > 0) {
            // The curves then describe less input than the rate says; the count makes that visible.
            System.out.printf(
                    Locale.ROOT,
                    "%,d of them were not written to %s: %s%n",
                    telemetry.failed(),
                    topic,
                    telemetry.firstFailure());
        }
        finish(samples, dir);
        System.out.println("job " + jobId + " still runs; stop the stack with: bin/vigil stack down");
        return 0;
    }

    /**
     * Takes a canonical savepoint into DIR/savepoints, records its size per vertex in savepoints.csv, deletes it (it
     * was only taken to be measured) and gives its total size in KB.
     */
    private double liveState(FlinkRest rest, String jobId, Path dir, Instant time, double elapsed, PrintWriter out)
            throws IOException, InterruptedException {
        Path target = dir.resolve("savepoints").toAbsolutePath();
        FlinkRest.Savepoint sp = rest.canonicalSavepoint(jobId, target.toUri().toString(), Duration.ofMinutes(2));
        for (FlinkRest.VertexState s : rest.checkpointByVertex(jobId, sp.id())) {
            out.printf(
                    Locale.ROOT,
                    "%s,%.1f,%d,\"%s\",%d,%d%n",
                    time,
                    elapsed,
                    sp.id(),
                    s.vertex().replace('"', '\''),
                    s.stateSize(),
                    s.checkpointedSize());
        }
        out.flush();
        Path location = sp.location().startsWith("file:") ? Path.of(java.net.URI.create(sp.location())) : null;
        if (location != null && location.startsWith(target)) {
            try (var files = Files.walk(location)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        return sp.stateSize() / 1e3;
    }

    /** Writes the plot and the summary and prints the summary. */
    private void finish(List<SoakSample> samples, Path dir) throws IOException {
        double warm = warmUp.toMillis() / 1000.0;
        List<Flatness.Result> fits = Flatness.judge(samples, warm, tolerance);
        SoakPlot.write(samples, fits, warm, dir.resolve("soak.png"));
        String table = Flatness.table(fits, warm, tolerance);
        Path operators = dir.resolve("operators.csv");
        if (Files.isRegularFile(operators)) {
            table += "\n"
                    + OperatorStates.table(
                            "checkpointed state per operator chain after warm-up (KB; RocksDB files, operators.csv):",
                            OperatorStates.judge(OperatorStates.read(operators), warm, tolerance));
        }
        Path savepoints = dir.resolve("savepoints.csv");
        if (Files.isRegularFile(savepoints)) {
            table += "\n"
                    + OperatorStates.table(
                            "live state per operator chain after warm-up (KB; canonical savepoints, savepoints.csv):",
                            OperatorStates.judge(OperatorStates.read(savepoints), warm, tolerance));
        }
        Files.writeString(dir.resolve("summary.txt"), table, StandardCharsets.UTF_8);
        System.out.print(table);
        System.out.println("wrote " + dir.resolve("soak.png") + " and " + dir.resolve("summary.txt"));
    }

    private static PrintWriter operatorsCsv(Path file) throws IOException {
        Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        PrintWriter p = new PrintWriter(w);
        p.println("time,elapsed_s,checkpoint_id,vertex,state_size_bytes,checkpointed_size_bytes");
        return p;
    }

    private static String progress(SoakSample s) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "soak %6.1f min:", s.elapsedSeconds() / 60));
        for (Curve c : Curve.values()) {
            double v = s.value(c);
            b.append(' ')
                    .append(c.column)
                    .append('=')
                    .append(Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v));
        }
        return b.toString();
    }

    private static String text(Duration d) {
        return io.vigil.rules.Durations.format(d.toMillis());
    }

    private static int portOffset() {
        String s = System.getenv("VIGIL_PORT_OFFSET");
        try {
            return s == null || s.isBlank() ? 0 : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
