package io.vigil.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;
import io.vigil.ingest.Decoders;
import io.vigil.ingest.OtlpEncoder;
import io.vigil.ingest.OtlpJsonWriter;
import io.vigil.ingest.TelemetryDecoder;
import io.vigil.model.Ingested;
import io.vigil.model.MetricType;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Ingest benchmark: single-threaded decode throughput (records per second on one core) of canonical JSON, OTLP/JSON
 * and OTLP protobuf, next to Jackson's {@code ObjectMapper.readTree} over the same canonical JSON bytes in the same
 * run. The target is canonical JSON into the model at least as fast as the bare tree parse (ratio >= 1.0).
 *
 * <p>Records are realistic and mixed (about 55% metric points, 30% logs, 15% spans; 5 to 10 attributes each, five
 * resource attributes). OTLP is measured with one record per export request, comparable with the one-object-per-record
 * canonical JSON, and with 100 records per request, as the Collector batches. Each case is warmed up, then measured
 * for a fixed time; a case's figure is records decoded (telemetry out) per second.
 */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        description = "Decode throughput per core of canonical JSON, OTLP/JSON and OTLP protobuf vs Jackson readTree, "
                + "and of syslog vs a plain regex split of the same lines.")
public final class IngestBench implements Callable<Integer> {

    @Option(
            names = "--records",
            defaultValue = "200000",
            description = "Records to generate (default ${DEFAULT-VALUE}).")
    int records;

    @Option(
            names = "--seconds",
            defaultValue = "3",
            description = "Measured seconds per case and round (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(
            names = "--rounds",
            defaultValue = "3",
            description = "Rounds over all cases; each case reports its median round, so order and noise from other "
                    + "processes matter less (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "2",
            description = "Warm-up seconds per case (default ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed of the generated records.")
    long seed;

    @Option(
            names = "--syslog-only",
            description = "Measure only the syslog decoder and its baseline, a plain regex split of the same lines.")
    boolean syslogOnly;

    /** Decodes payload {@code i} of a case and returns a checksum of what came out. */
    private interface DecodeOne {
        long apply(int i);
    }

    /** One measured case: payloads, how many records they hold, and how to decode one payload. */
    private static final class Case {
        final String name;
        final List<byte[]> payloads;
        final long recordsPerPass;
        final DecodeOne decodeOne;
        double recordsPerSecond;
        double megabytesPerSecond;
        double wallRecordsPerSecond;

        Case(String name, List<byte[]> payloads, long recordsPerPass, DecodeOne decodeOne) {
            this.name = name;
            this.payloads = payloads;
            this.recordsPerPass = recordsPerPass;
            this.decodeOne = decodeOne;
        }
    }

    private static final com.sun.management.OperatingSystemMXBean CPU =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** Keeps results observable so the JIT cannot drop the work. */
    private long sink;

    @Override
    public Integer call() {
        if (records <= 0 || seconds <= 0 || warmupSeconds < 0 || rounds <= 0) {
            System.err.println("--records, --seconds and --rounds must be positive, --warmup-seconds not negative");
            return 2;
        }
        List<Case> cases = new ArrayList<>();
        if (!syslogOnly) {
            addModelCases(cases);
        }
        // The syslog decoder next to a plain regex split of the same auth.log lines: what reading the security
        // events (sshd, PAM, sudo, ...) and building records costs over cutting the line into its fields.
        List<byte[]> lines = SyslogLines.generate(records, seed);
        Case split = new Case("syslog regex split (baseline)", lines, records, i -> SyslogLines.split(lines.get(i)));
        TelemetryDecoder syslog = Decoders.forFormat("syslog:year=2026,zone=UTC");
        Case syslogDecode = new Case("syslog decode", lines, records, i -> decode(syslog, lines.get(i)));
        cases.add(split);
        cases.add(syslogDecode);

        for (Case c : cases) {
            warmUp(c);
        }
        double[][] perRound = new double[cases.size()][rounds];
        double[][] mbPerRound = new double[cases.size()][rounds];
        double[][] wallPerRound = new double[cases.size()][rounds];
        for (int round = 0; round < rounds; round++) {
            System.out.printf(Locale.ROOT, "Round %d of %d%n", round + 1, rounds);
            for (int k = 0; k < cases.size(); k++) {
                Case c = cases.get(k);
                measure(c);
                perRound[k][round] = c.recordsPerSecond;
                mbPerRound[k][round] = c.megabytesPerSecond;
                wallPerRound[k][round] = c.wallRecordsPerSecond;
                System.out.printf(
                        Locale.ROOT,
                        "  %-30s %,12.0f records/cpu-s  %8.1f MB/cpu-s  (%,.0f records/s wall)%n",
                        c.name,
                        c.recordsPerSecond,
                        c.megabytesPerSecond,
                        c.wallRecordsPerSecond);
            }
        }
        for (int k = 0; k < cases.size(); k++) {
            cases.get(k).recordsPerSecond = median(perRound[k]);
            cases.get(k).megabytesPerSecond = median(mbPerRound[k]);
            cases.get(k).wallRecordsPerSecond = median(wallPerRound[k]);
        }

        if (!syslogOnly) {
            summary(cases);
        }
        System.out.printf(
                Locale.ROOT,
                "%nSyslog (auth.log lines): decode %,.0f lines/cpu-s, regex split %,.0f lines/cpu-s, ratio decode / "
                        + "split = %.2f%n",
                syslogDecode.recordsPerSecond,
                split.recordsPerSecond,
                syslogDecode.recordsPerSecond / split.recordsPerSecond);
        System.out.println("(sink " + (sink & 0xff) + ")");
        return 0;
    }

    private void summary(List<Case> cases) {
        double base = cases.get(0).recordsPerSecond;
        System.out.println();
        System.out.println("Ingest benchmark: " + String.format(Locale.ROOT, "%,d", records)
                + " records, one thread, records per CPU-second (= per core), median of " + rounds + " rounds of "
                + seconds + " s per case");
        System.out.printf(
                Locale.ROOT,
                "%-30s %16s %12s %12s %16s%n",
                "case",
                "records/cpu-s",
                "MB/cpu-s",
                "vs readTree",
                "wall records/s");
        for (Case c : cases) {
            System.out.printf(
                    Locale.ROOT,
                    "%-30s %,16.0f %12.1f %11.2fx %,16.0f%n",
                    c.name,
                    c.recordsPerSecond,
                    c.megabytesPerSecond,
                    c.recordsPerSecond / base,
                    c.wallRecordsPerSecond);
        }
        double ratio = cases.get(1).recordsPerSecond / base;
        System.out.printf(
                Locale.ROOT,
                "%nRatio canonical JSON decode / Jackson readTree = %.2f (target >= 1.0: %s)%n",
                ratio,
                ratio >= 1.0 ? "met" : "NOT met");
        System.out.printf(
                Locale.ROOT,
                "Ratio OTLP/JSON (1 per request) / readTree = %.2f, OTLP protobuf (1 per request) "
                        + "/ readTree = %.2f%n",
                cases.get(2).recordsPerSecond / base,
                cases.get(3).recordsPerSecond / base);
    }

    /** Canonical JSON, OTLP/JSON and OTLP protobuf over generated records, after their baseline (readTree). */
    private void addModelCases(List<Case> cases) {
        System.out.printf(Locale.ROOT, "Generating %,d records (seed %d)...%n", records, seed);
        List<Telemetry> generated = generate(records, seed);
        List<byte[]> canonical = new ArrayList<>(records);
        for (Telemetry t : generated) {
            canonical.add(TelemetryJson.write(t).getBytes(StandardCharsets.UTF_8));
        }
        List<Batch> single = batches(generated, 1);
        List<Batch> hundred = batches(generated, 100);
        generated = null; // let the model objects go before measuring

        ObjectMapper mapper = new ObjectMapper();
        cases.add(new Case("jackson readTree (baseline)", canonical, records, i -> {
            try {
                JsonNode n = mapper.readTree(canonical.get(i));
                return (long) n.size();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
        TelemetryDecoder json = Decoders.forFormat("json");
        cases.add(new Case("canonical json", canonical, records, i -> decode(json, canonical.get(i))));
        cases.add(otlpCase("otlp-json, 1 per request", single, true));
        cases.add(otlpCase("otlp-proto, 1 per request", single, false));
        cases.add(otlpCase("otlp-json, 100 per request", hundred, true));
        cases.add(otlpCase("otlp-proto, 100 per request", hundred, false));
    }

    /** Payloads of one OTLP encoding, each tagged with its signal's format name. */
    private static final class Batch {
        final String signal;
        final byte[] proto;
        final byte[] json;
        final int records;

        Batch(String signal, Message m, int records) {
            this.signal = signal;
            this.proto = m.toByteArray();
            this.json = OtlpJsonWriter.write(m);
            this.records = records;
        }
    }

    private Case otlpCase(String name, List<Batch> batches, boolean json) {
        // The Collector writes one topic per signal, so each payload is read with its signal's hinted format.
        TelemetryDecoder logs = Decoders.forFormat(json ? "otlp-json:logs" : "otlp-proto:logs");
        TelemetryDecoder metrics = Decoders.forFormat(json ? "otlp-json:metrics" : "otlp-proto:metrics");
        TelemetryDecoder traces = Decoders.forFormat(json ? "otlp-json:traces" : "otlp-proto:traces");
        List<byte[]> payloads = new ArrayList<>(batches.size());
        TelemetryDecoder[] decoders = new TelemetryDecoder[batches.size()];
        long count = 0;
        for (Batch b : batches) {
            decoders[payloads.size()] = b.signal.equals("logs") ? logs : b.signal.equals("metrics") ? metrics : traces;
            payloads.add(json ? b.json : b.proto);
            count += b.records;
        }
        return new Case(name, payloads, count, i -> decode(decoders[i], payloads.get(i)));
    }

    /** Receives decoded records; one reused instance, so the measurement allocates nothing of its own per record. */
    private static final class Tally implements Consumer<Ingested> {
        long sum;

        @Override
        public void accept(Ingested i) {
            if (i.isDead()) {
                throw new IllegalStateException("benchmark record was dead-lettered: " + i.deadLetter);
            }
            sum += i.telemetry.timestamp;
        }
    }

    private final Tally tally = new Tally();

    private long decode(TelemetryDecoder d, byte[] bytes) {
        d.decode(bytes, "bench", tally);
        return tally.sum;
    }

    /** At least one full pass (which also checks that every payload decodes), then until the warm-up time is up. */
    private void warmUp(Case c) {
        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        do {
            pass(c);
        } while (System.nanoTime() < warmEnd);
    }

    /**
     * Measures one case. The figure is records per CPU-second of this process (the bench thread plus the GC and JIT
     * work it causes), so it is "per core" and holds up on a machine shared with other processes, where wall-clock
     * rates swing with whatever else runs. Wall-clock records/s is kept for reference.
     */
    private void measure(Case c) {
        long bytesPerPass = 0;
        for (byte[] p : c.payloads) {
            bytesPerPass += p.length;
        }
        long passes = 0;
        long cpuStart = CPU.getProcessCpuTime();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            pass(c);
            passes++;
            now = System.nanoTime();
        } while (now < end);
        double cpu = (CPU.getProcessCpuTime() - cpuStart) / 1e9;
        double wall = (now - start) / 1e9;
        c.recordsPerSecond = passes * c.recordsPerPass / cpu;
        c.megabytesPerSecond = passes * bytesPerPass / cpu / 1e6;
        c.wallRecordsPerSecond = passes * c.recordsPerPass / wall;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private void pass(Case c) {
        long acc = 0;
        for (int i = 0, n = c.payloads.size(); i < n; i++) {
            acc += c.decodeOne.apply(i);
        }
        sink += acc;
    }

    private static List<Batch> batches(List<Telemetry> all, int size) {
        List<Telemetry> logs = new ArrayList<>();
        List<Telemetry> metrics = new ArrayList<>();
        List<Telemetry> spans = new ArrayList<>();
        List<Batch> out = new ArrayList<>();
        for (Telemetry t : all) {
            List<Telemetry> bucket = t.signal == Signal.METRIC ? metrics : t.signal == Signal.SPAN ? spans : logs;
            bucket.add(t);
            if (bucket.size() == size) {
                out.add(batch(bucket));
                bucket.clear();
            }
        }
        for (List<Telemetry> rest : List.of(logs, metrics, spans)) {
            if (!rest.isEmpty()) {
                out.add(batch(rest));
            }
        }
        return out;
    }

    private static Batch batch(List<Telemetry> records) {
        Signal s = records.get(0).signal;
        if (s == Signal.METRIC) {
            return new Batch("metrics", OtlpEncoder.metrics(records), records.size());
        }
        if (s == Signal.SPAN) {
            return new Batch("traces", OtlpEncoder.traces(records), records.size());
        }
        return new Batch("logs", OtlpEncoder.logs(records), records.size());
    }

    // ------------------------------------------------------------------ realistic records

    private static final String[] SERVICES = {"checkout", "payments", "cart", "auth", "search", "catalog", "shipping"};
    private static final String[] ROUTES = {
        "/api/cart", "/api/checkout", "/api/pay", "/api/search", "/api/items/{id}", "/login", "/api/ship"
    };
    private static final String[] METRICS = {
        "http.server.request.duration",
        "http.server.active_requests",
        "system.cpu.utilization",
        "process.runtime.jvm.memory.used",
        "db.client.connections.usage",
        "http.server.requests"
    };
    private static final String[] LOG_BODIES = {
        "Failed password for invalid user admin from %s port %d ssh2",
        "GET %s completed in %d ms",
        "Connection reset by peer while reading response from upstream %s:%d",
        "User login succeeded for user id %s (session %d)",
        "Slow query detected on %s: %d ms"
    };
    private static final String[] SEVERITIES = {"INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"};

    static List<Telemetry> generate(int n, long seed) {
        Random r = new Random(seed);
        long t0 = 1_772_366_400_000L; // 2026-03-01T12:00:00Z
        List<Telemetry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long ts = t0 + i * 7L + r.nextInt(5);
            String service = SERVICES[r.nextInt(SERVICES.length)];
            int kind = r.nextInt(100);
            Telemetry t;
            if (kind < 55) {
                String name = METRICS[r.nextInt(METRICS.length)];
                t = Telemetry.metric(ts, service, name, Math.round(r.nextDouble() * 100_000) / 100.0);
                if (name.endsWith("duration")) {
                    t.metricType = MetricType.HISTOGRAM;
                    t.count = 1 + r.nextInt(500);
                    t.min = r.nextDouble() * 0.01;
                    t.max = t.min + r.nextDouble() * 2;
                    t.sum = t.count * (t.min + t.max) / 3;
                    t.value = t.sum / t.count;
                    t.unit = "s";
                } else if (name.equals("http.server.requests")) {
                    t.metricType = MetricType.COUNTER;
                    t.unit = "{request}";
                } else {
                    t.unit = name.contains("memory") ? "By" : "1";
                }
            } else if (kind < 85) {
                String body = String.format(
                        Locale.ROOT, LOG_BODIES[r.nextInt(LOG_BODIES.length)], ip(r), 1000 + r.nextInt(60000));
                t = Telemetry.log(ts, service, SEVERITIES[r.nextInt(SEVERITIES.length)], body);
            } else {
                t = Telemetry.span(
                        ts,
                        service,
                        "HTTP " + (r.nextBoolean() ? "GET " : "POST ") + ROUTES[r.nextInt(ROUTES.length)],
                        Math.round(r.nextDouble() * 5_000_000) / 1000.0,
                        r.nextInt(20) == 0 ? "error" : "unset");
                t.kind = r.nextInt(3) == 0 ? "client" : "server";
                t.traceId = hex(r, 16);
                t.spanId = hex(r, 8);
                if (r.nextBoolean()) {
                    t.parentSpanId = hex(r, 8);
                }
            }
            t.res("service.version", "1." + r.nextInt(5) + "." + r.nextInt(20))
                    .res("host.name", service + "-" + r.nextInt(8))
                    .res("deployment.environment", r.nextInt(10) == 0 ? "staging" : "prod")
                    .res("cloud.region", r.nextBoolean() ? "eu-west-1" : "us-east-1");
            int attributes = 5 + r.nextInt(6);
            t.attr("otel.scope.name", "io.opentelemetry." + (t.signal == Signal.METRIC ? "runtime" : "http"));
            String[][] pool = {
                {"http.route", ROUTES[r.nextInt(ROUTES.length)]},
                {"http.request.method", r.nextBoolean() ? "GET" : "POST"},
                {"http.response.status_code", r.nextInt(20) == 0 ? "503" : "200"},
                {"client.address", ip(r)},
                {"user.id", "u" + r.nextInt(100_000)},
                {"net.peer.port", Integer.toString(1024 + r.nextInt(60000))},
                {"thread.name", "worker-" + r.nextInt(64)},
                {"code.function", "handle" + r.nextInt(40)},
                {"session.id", Long.toHexString(r.nextLong())},
                {"tenant", "tenant-" + r.nextInt(30)}
            };
            for (int a = 0; a < attributes - 1; a++) {
                t.attr(pool[a][0], pool[a][1]);
            }
            out.add(t);
        }
        return out;
    }

    private static String ip(Random r) {
        return "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256);
    }

    private static String hex(Random r, int bytes) {
        StringBuilder b = new StringBuilder(bytes * 2);
        for (int i = 0; i < bytes; i++) {
            b.append(String.format(Locale.ROOT, "%02x", r.nextInt(256)));
        }
        return b.toString();
    }
}
