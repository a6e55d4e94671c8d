package io.vigil.bench;

import io.vigil.cli.VigilHome;
import io.vigil.generator.GeneratorSource;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.RuleSource;
import io.vigil.privacy.PolicyLoader;
import io.vigil.privacy.PrivacyPolicy;
import io.vigil.privacy.PrivacyPolicy.Stage;
import io.vigil.privacy.PrivacySettings;
import io.vigil.privacy.Pseudonyms;
import io.vigil.privacy.Redactor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil bench privacy}: the job's records/s with the starter privacy policy against the same job without one
 * (the demo's generated day and the starter rules, rounds alternating in one run, the median of each), and the
 * free-text detectors' MB/s on log bodies shaped like real ones (sshd, access logs with query strings, application
 * logs with the odd email address, token or card number).
 */
@Command(
        name = "privacy",
        mixinStandardHelpOptions = true,
        description = "Measure the job with the starter privacy policy against the job without it (records/s, same "
                + "run), and the free-text detectors' MB/s on realistic log bodies.")
public final class PrivacyBench implements Callable<Integer> {
    @Option(
            names = "--hours",
            defaultValue = "24",
            description = "simulated hours of demo traffic per job round. Default: ${DEFAULT-VALUE}")
    double hours;

    @Option(
            names = "--rounds",
            defaultValue = "3",
            description = "measured job rounds of each kind, after one warm-up of each. Default: ${DEFAULT-VALUE}")
    int rounds;

    @Option(
            names = "--text-mb",
            defaultValue = "64",
            description = "MB of log bodies scanned per detector round. Default: ${DEFAULT-VALUE}")
    int textMb;

    @Option(names = "--rules", description = "rules folder with _privacy.yaml. Default: the repository's rules/")
    Path rules;

    @Override
    public Integer call() throws Exception {
        if (!(hours > 0) || rounds < 1 || textMb < 1) {
            throw new IllegalArgumentException("--hours, --rounds and --text-mb must be positive");
        }
        Path dir = rules != null ? rules : VigilHome.rules();
        PrivacyPolicy policy = PolicyLoader.load(dir.resolve(PolicyLoader.FILE_NAME));
        Path key = Files.createTempDirectory("vigil-bench-privacy").resolve("privacy.key");
        PrivacySettings.generateKeyIfAbsent(key);
        PrivacySettings settings = new PrivacySettings(policy, key.toString(), null).validate();
        try {
            detectors(policy, settings);
            job(dir, settings);
        } finally {
            Files.deleteIfExists(key);
            Files.deleteIfExists(key.getParent());
        }
        return 0;
    }

    private void job(Path dir, PrivacySettings settings) throws Exception {
        RuleSource ruleSource = RuleSource.directory(dir);
        GeneratorSource source = BenchJobs.demoSource(hours);
        List<BenchJobs.Run> with = new ArrayList<>();
        List<BenchJobs.Run> without = new ArrayList<>();
        for (int r = -1; r < rounds; r++) {
            // alternate which goes first, so a machine that speeds up or slows down favours neither
            boolean privacyFirst = (r & 1) == 0;
            for (int k = 0; k < 2; k++) {
                boolean privacy = (k == 0) == privacyFirst;
                BenchJobs.Run run = run(source, ruleSource, privacy ? settings : null);
                if (r >= 0) {
                    (privacy ? with : without).add(run);
                }
            }
        }
        long records = source.total();
        double w = median(with, run -> run.perSecond(records));
        double wo = median(without, run -> run.perSecond(records));
        double wCpu = median(with, run -> run.perCpuSecond(records));
        double woCpu = median(without, run -> run.perCpuSecond(records));
        System.out.printf(
                Locale.ROOT,
                "job, %,d records per round (%s h of demo traffic, starter rules, parallelism 1), median of %d "
                        + "rounds:%n",
                records,
                hours,
                rounds);
        System.out.printf(
                Locale.ROOT, "  without privacy policy   %,12.0f records/s   %,12.0f per CPU-second%n", wo, woCpu);
        System.out.printf(
                Locale.ROOT, "  with starter policy      %,12.0f records/s   %,12.0f per CPU-second%n", w, wCpu);
        System.out.printf(
                Locale.ROOT,
                "  ratio with/without       %12.2f               %12.2f (target >= 0.85)%n",
                w / wo,
                wCpu / woCpu);
    }

    /**
     * One round of the job, on the command's one local cluster and timed by the job's net runtime
     * ({@link BenchJobs#execute}), as {@code bench rules} runs its jobs. Each round used to start a cluster of its own
     * and be timed with it: a round of two hours of demo traffic (36,956 records, which the job processes in about a
     * third of a second) took about two seconds, so the ratio said nothing of the policy (1.42 in one run, the job with
     * the policy the faster).
     */
    private static BenchJobs.Run run(GeneratorSource source, RuleSource ruleSource, PrivacySettings privacy)
            throws Exception {
        StreamExecutionEnvironment env = BenchJobs.localEnvironment(BenchStateBackend.heap);
        DetectionConfig config = new DetectionConfig();
        config.privacy = privacy;
        new DetectionJob(config, source, ruleSource, BenchJobs.discardingSinks()).build(env);
        return BenchJobs.execute(env, privacy == null ? "bench without privacy" : "bench with privacy");
    }

    private void detectors(PrivacyPolicy policy, PrivacySettings settings) {
        List<String> bodies = bodies(new Random(7), 20_000);
        long bytes = 0;
        for (String b : bodies) {
            bytes += b.getBytes(StandardCharsets.UTF_8).length;
        }
        int passes = (int) Math.max(1, textMb * 1_000_000L / bytes);
        long[] matches = new long[1];
        Pseudonyms pseudonyms = settings.pseudonyms(policy); // reads the key file: not inside the timed passes
        List<Double> rates = new ArrayList<>();
        long sink = 0;
        for (int round = -2; round < 5; round++) {
            matches[0] = 0;
            long start = System.nanoTime();
            for (int p = 0; p < passes; p++) {
                // A redactor per pass: one remembers the values it found clean, and the bodies of the last pass
                // would then not be scanned, only looked up.
                Redactor r = new Redactor(policy, pseudonyms, (g, n) -> matches[0]++);
                for (String b : bodies) {
                    sink += r.scan(b, Stage.OUTPUTS).length();
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            if (round >= 0) {
                rates.add(bytes * (double) passes / secs / 1e6);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "free-text detectors (%d of them, every one the starter policy uses), %,d log bodies (%.1f KB) x %d"
                        + " passes per round, one core:%n",
                policy.detectors.size(),
                bodies.size(),
                bytes / 1e3,
                passes);
        System.out.printf(
                Locale.ROOT,
                "  %,.1f MB/s (median of 5 rounds), %,d matches per round (%,d chars out)%n",
                median(rates),
                matches[0],
                sink / 5);
    }

    /** Log bodies in the proportions of a busy service's logs: most hold nothing to redact. */
    static List<String> bodies(Random rnd, int n) {
        String[] users = {"alice", "bob", "carol", "deploy", "root", "svc-backup", "m.jones"};
        String[] routes = {"/api/items", "/api/cart", "/api/pay", "/search", "/login", "/static/app.js"};
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String user = users[rnd.nextInt(users.length)];
            String ip = "10." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256);
            int kind = rnd.nextInt(100);
            String b;
            if (kind < 30) {
                b = ip + " - - [04/Dec/2026:10:15:" + String.format(Locale.ROOT, "%02d", rnd.nextInt(60))
                        + " +0000] \"GET " + routes[rnd.nextInt(routes.length)] + "?page=" + rnd.nextInt(40)
                        + "&sort=price HTTP/1.1\" 200 " + rnd.nextInt(90_000) + " \"-\" \"Mozilla/5.0 (X11; Linux "
                        + "x86_64) AppleWebKit/537.36\"";
            } else if (kind < 45) {
                b = "Failed password for " + user + " from " + ip + " port " + (1024 + rnd.nextInt(60_000)) + " ssh2";
            } else if (kind < 75) {
                b = "request completed route=" + routes[rnd.nextInt(routes.length)] + " status=200 duration_ms="
                        + rnd.nextInt(900) + " trace_id=" + Long.toHexString(rnd.nextLong()) + " span_id="
                        + Long.toHexString(rnd.nextLong()) + " retries=0";
            } else if (kind < 85) {
                b = "java.lang.IllegalStateException: connection pool exhausted (max 50) at "
                        + "io.shop.db.Pool.acquire(Pool.java:" + rnd.nextInt(400) + ") at io.shop.cart.CartService.load"
                        + "(CartService.java:88) at io.shop.http.Handler.handle(Handler.java:212)";
            } else if (kind < 92) {
                b = "order " + rnd.nextInt(1_000_000) + " confirmation sent to " + user + "@example.com, total "
                        + rnd.nextInt(500) + ".99 EUR";
            } else if (kind < 96) {
                b = "POST /oauth/token grant_type=client_credentials Authorization: Bearer eyJhbGciOiJIUzI1NiJ9."
                        + "eyJzdWIiOiJ" + user + "In0.c2lnbmF0dXJlLWJ5dGVz from " + ip;
            } else if (kind < 98) {
                b = "payment declined for card 4111 1111 1111 1111 (customer " + user + ")";
            } else {
                b = "connecting to postgres://app:s3cret-" + rnd.nextInt(99) + "@db.internal:5432/shop?sslmode=require";
            }
            out.add(b);
        }
        return out;
    }

    private static double median(List<BenchJobs.Run> runs, ToDoubleFunction<BenchJobs.Run> figure) {
        return median(runs.stream().map(figure::applyAsDouble).toList());
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
