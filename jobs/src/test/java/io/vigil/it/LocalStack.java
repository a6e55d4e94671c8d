package io.vigil.it;

import io.vigil.cluster.FlinkRest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real local stack (Kafka broker, Flink JobManager and TaskManagers as separate processes), driven through
 * {@code bin/vigil} exactly as a user would, with its own data folder and ports so it runs beside a developer's stack.
 * Every failure to start throws with the command's output and the log to look at: these tests never skip.
 */
final class LocalStack implements AutoCloseable {
    static final Path ROOT = findRoot();

    final Path home;
    final int portOffset;

    LocalStack(String name, int portOffset) {
        this.home = ROOT.resolve("jobs/target/it-stack/" + name);
        this.portOffset = portOffset;
    }

    String bootstrap() {
        return "127.0.0.1:" + (9092 + portOffset);
    }

    String rest() {
        return "http://127.0.0.1:" + (8081 + portOffset);
    }

    Path logs() {
        return home.resolve("logs");
    }

    /**
     * The lines of the stack's logs that match {@code regex}, each prefixed with its file: a failed assertion carries
     * the story (checkpoints, restores, transaction commits) because CI keeps only the test output. Rolled-over logs
     * ({@code taskmanager-1.log.1}) are read too: a busy TaskManager rolls its log within a test.
     */
    String logLines(String regex) throws IOException {
        Pattern p = Pattern.compile(regex);
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(logs())) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches(".*\\.log(\\.\\d+)?"))
                    .sorted()
                    .toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (p.matcher(line).find())
                        out.append(f.getFileName()).append(": ").append(line).append('\n');
                }
            }
        }
        return out.toString();
    }

    /** Starts the stack from a clean data folder; throws if a service does not become ready. */
    LocalStack up() throws IOException, InterruptedException {
        downAndClear();
        // Kafka and Flink: the tests that need OpenSearch or Prometheus start them on their own stack (SinksIT).
        startOrStop(List.of("stack", "up", "--without", "search,prometheus"), 300);
        return this;
    }

    /**
     * Starts only these services ({@code stack start SERVICE}, in this order) from a clean data folder, for tests whose
     * job runs in their own JVM's MiniCluster; throws if one does not become ready, after stopping what started.
     */
    LocalStack start(String... services) throws IOException, InterruptedException {
        downAndClear();
        for (String service : services) {
            startOrStop(List.of("stack", "start", service), 300);
        }
        return this;
    }

    /** Stops a stack left by an aborted run and deletes its data folder. */
    private void downAndClear() throws IOException, InterruptedException {
        vigil(List.of("stack", "down"), 120);
        deleteTree(home);
    }

    /**
     * Starts the secured stack ({@code stack up --secure}) from a clean data folder, keeping only the resolved server
     * classpaths; {@code without} names outputs to leave out, as {@code --without} takes them.
     */
    LocalStack upSecure(String without) throws IOException, InterruptedException {
        vigil(List.of("stack", "down"), 120);
        if (Files.exists(home)) {
            try (var s = Files.list(home)) {
                for (Path p : s.filter(p -> !p.getFileName().toString().equals("classpath"))
                        .toList()) {
                    deleteTree(p);
                }
            }
        }
        List<String> args = new ArrayList<>(List.of("stack", "up", "--secure"));
        if (!without.isEmpty()) args.addAll(List.of("--without", without));
        startOrStop(args, 600);
        return this;
    }

    /** The secured stack's folder of certificates, passwords and client settings. */
    Path secure() {
        return home.resolve("secure");
    }

    /** Client properties of a file in {@link #secure()}, e.g. {@code kafka-admin.properties}. */
    java.util.Properties secureProperties(String file) throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newInputStream(secure().resolve(file))) {
            p.load(in);
        }
        return p;
    }

    /** Starts the stack with every output service too (OpenSearch, Prometheus), from a clean data folder (but for the
     * resolved server classpaths). */
    LocalStack upWithOutputs() throws IOException, InterruptedException {
        vigil(List.of("stack", "down"), 120);
        if (Files.exists(home)) {
            // The resolved server classpaths are kept: resolving them again is most of a cold start.
            try (var s = Files.list(home)) {
                for (Path p : s.filter(p -> !p.getFileName().toString().equals("classpath"))
                        .toList()) {
                    deleteTree(p);
                }
            }
        }
        startOrStop(List.of("stack", "up", "--without", "alertmanager"), 400);
        return this;
    }

    /**
     * Runs a {@code stack up} (or {@code start}); if it fails, stops what it started before rethrowing. A test whose set-up throws has no
     * stack to close, and the servers left running held the ports of the tests after it (CI, 2026-12-04).
     */
    private void startOrStop(List<String> up, int timeoutSeconds) throws IOException, InterruptedException {
        try {
            vigil(up, timeoutSeconds);
        } catch (IOException | RuntimeException e) {
            try {
                vigil(List.of("stack", "down"), 120);
            } catch (IOException | RuntimeException stop) {
                e.addSuppressed(stop);
            }
            throw e;
        }
    }

    /** Runs {@code bin/vigil ARGS} with this stack's environment; returns its output, throws if it fails. */
    String vigil(List<String> args, int timeoutSeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ROOT.resolve("bin/vigil").toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("VIGIL_HOME", home.toString());
        env.put("VIGIL_PORT_OFFSET", Integer.toString(portOffset));
        // Every transaction the Kafka sink prepares and commits is logged: what logLines shows on a failure.
        env.put("VIGIL_STACK_DEBUG", "org.apache.flink.connector.kafka.sink");
        Files.createDirectories(home);
        Path out = Files.createTempFile(home, "cmd", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("bin/vigil " + String.join(" ", args) + " did not finish in "
                    + timeoutSeconds + " s; output:\n" + Files.readString(out) + "\nlogs: " + logs());
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("bin/vigil " + String.join(" ", args) + " failed (exit " + p.exitValue()
                    + "):\n" + text + "\nlogs: " + logs());
        }
        return text;
    }

    /** Submits the job jar through Flink's CLI ({@code bin/vigil submit}); returns the job id. */
    String submit(List<String> jobArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>();
        args.add("submit");
        args.addAll(jobArgs);
        return jobId(vigil(args, 300));
    }

    /** Stop-with-savepoint and resubmit from it ({@code bin/vigil deploy}); returns the new job id. */
    String deploy() throws IOException, InterruptedException {
        return jobId(vigil(List.of("deploy"), 300));
    }

    /** Stop-with-savepoint and resubmit from it with other job arguments (a new parallelism, say). */
    String deploy(List<String> jobArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>();
        args.add("deploy");
        args.addAll(jobArgs);
        return jobId(vigil(args, 300));
    }

    private static String jobId(String output) {
        Matcher m = Pattern.compile("job ([0-9a-f]{32}) running").matcher(output);
        if (!m.find()) throw new IllegalStateException("no job id in:\n" + output);
        return m.group(1);
    }

    /**
     * Waits until the job's consumer group has read {@code topic} to its end (offsets are committed when a checkpoint
     * completes), then for two more completed checkpoints, so what the job wrote for the last records (alerts that fire
     * when the watermark passes) is committed too.
     */
    void awaitCaughtUp(KafkaTestClient kafka, String jobId, String group, String topic) throws Exception {
        kafka.awaitCaughtUp(group, topic, Duration.ofMinutes(3));
        FlinkRest rest = new FlinkRest(rest());
        rest.awaitCheckpoints(jobId, rest.completedCheckpoints(jobId), 2, Duration.ofMinutes(1));
    }

    /** Pid of a stack service from its pid file. */
    long pid(String service) throws IOException {
        return Long.parseLong(
                Files.readString(home.resolve("run/" + service + ".pid")).trim());
    }

    @Override
    public void close() throws IOException {
        try {
            vigil(List.of("stack", "down"), 180);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the stack", e);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    private static Path findRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("bin/vigil"))) p = p.getParent();
        if (p == null)
            throw new IllegalStateException(
                    "bin/vigil not found above " + Path.of("").toAbsolutePath());
        return p;
    }
}
