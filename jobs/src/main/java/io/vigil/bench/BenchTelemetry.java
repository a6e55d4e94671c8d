package io.vigil.bench;

import io.vigil.model.MetricType;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * A deterministic telemetry mix for loading Kafka: per service, request-latency metrics, server spans (some failing),
 * logs (mostly INFO, some ERROR in bursts) and an occasional failed login, in event-time order, 1 ms apart.
 * Written here rather than taken from the demo generator because a benchmark needs a fixed, seedable stream that is
 * cheap to produce at millions of records.
 */
public final class BenchTelemetry {
    /**
     * Receives each record: the partition it belongs to (by service, the same share of the records in each partition
     * when the partitions divide the eight services) and its canonical JSON.
     */
    @FunctionalInterface
    public interface Writer {
        void write(int partition, byte[] json);
    }

    static final String[] SERVICES = {"checkout", "cart", "payments", "catalog", "search", "auth", "shipping", "web"};
    private static final HexFormat HEX = HexFormat.of();
    static final String[] ROUTES = {"/", "/api/items", "/api/cart", "/api/pay", "/api/search"};

    private final SplittableRandom random;
    private long time;
    private long n;

    public BenchTelemetry(long seed, long startMillis) {
        this.random = new SplittableRandom(seed);
        this.time = startMillis;
    }

    /** Writes {@code count} records starting at now minus the stream's length, so the last are about now. */
    public static void write(long count, int partitions, Writer out) {
        BenchTelemetry g = new BenchTelemetry(42, System.currentTimeMillis() - count);
        for (long i = 0; i < count; i++) {
            // By the service's place in SERVICES, not its name's hash: the hash put six of the eight services in one
            // of two partitions, so at parallelism 2 one source subtask read three records in four and the job ran
            // on one busy thread for half of each run.
            int service = (int) (g.n % SERVICES.length);
            Telemetry t = g.next();
            out.write(service % partitions, TelemetryJson.write(t).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The next record, 1 ms of event time after the previous one. */
    public Telemetry next() {
        return next(time++);
    }

    /** The next record of the mix, at the given event time (live generation). */
    public Telemetry next(long t) {
        long i = n++;
        String service = SERVICES[(int) (i % SERVICES.length)];
        // Every 60 s of event time, one service has a 5 s error burst.
        boolean burst = (t / 5_000) % 12 == 0 && service.equals(SERVICES[(int) ((t / 60_000) % SERVICES.length)]);
        Telemetry r;
        switch ((int) ((i / SERVICES.length) % 4)) {
            case 0: {
                r = Telemetry.metric(t, service, "http.server.request.duration", latency(burst));
                r.metricType = MetricType.GAUGE;
                r.unit = "ms";
                r.attributes.put("http.route", ROUTES[random.nextInt(ROUTES.length)]);
                break;
            }
            case 1: {
                r = new Telemetry();
                r.signal = Signal.SPAN;
                r.timestamp = t;
                r.resource.put("service.name", service);
                r.name = "GET " + ROUTES[random.nextInt(ROUTES.length)];
                r.kind = "server";
                r.durationMs = latency(burst);
                r.status = burst && random.nextInt(3) == 0 ? "error" : "ok";
                // Zero-padded: ids are exactly 32 and 16 hex digits, or the decoder rejects the span (an unpadded
                // Long.toHexString made one span in six a dead letter and skewed every benchmark on this mix).
                r.traceId = HEX.toHexDigits(random.nextLong()) + HEX.toHexDigits(random.nextLong());
                r.spanId = HEX.toHexDigits(random.nextLong());
                break;
            }
            case 2: {
                boolean error = burst ? random.nextInt(2) == 0 : random.nextInt(200) == 0;
                r = Telemetry.log(
                        t,
                        service,
                        error ? "ERROR" : "INFO",
                        error ? "upstream timed out after 2000 ms" : "request served");
                break;
            }
            default: {
                r = new Telemetry();
                r.signal = Signal.EVENT;
                r.timestamp = t;
                r.resource.put("service.name", service);
                boolean failed = random.nextInt(50) == 0;
                r.name = failed ? "login.failed" : "login.succeeded";
                r.attributes.put("user.name", "user-" + random.nextInt(500));
                r.attributes.put("source.ip", "10.0." + random.nextInt(4) + "." + random.nextInt(250));
                break;
            }
        }
        return r;
    }

    private double latency(boolean burst) {
        double base = 20 + random.nextDouble() * 30;
        return burst ? base * 20 : base;
    }
}
