package io.vigil.generator;

import io.vigil.model.MetricType;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The demo's telemetry: a small shop (frontend, checkout, cart, payments, search, auth) behind an SSH bastion and an
 * edge firewall, with daily traffic cycles, lognormal latencies, a low base error rate and a scripted day of incidents.
 *
 * <p>Everything is a pure function of the seed and the 10-second tick index: {@link #tick(long)} always yields the
 * same records, in event-time order, so a run can be repeated, split or resumed at any record without replaying
 * what came before. Records come out as canonical JSON bytes so the demo exercises the real ingest path; a few are
 * deliberately broken and must end as dead letters.
 *
 * <p>Scripted incidents, as offsets from the start (see {@link Incident}): a checkout release whose latency is four
 * times normal, a payments error burst, an SSH brute force from a never-seen country, a port scan, password spraying,
 * and an anomalous cart queue depth.
 */
public final class TelemetryGenerator implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Instant DEFAULT_START = Instant.parse("2026-11-02T00:00:00Z");
    public static final Duration DEFAULT_DURATION = Duration.ofHours(6);
    public static final long DEFAULT_SEED = 42L;
    public static final long TICK_MS = 10_000L;

    /** The scripted incidents with their time ranges relative to the start. */
    public enum Incident {
        CHECKOUT_LATENCY("checkout", null, "2h00m", "2h40m", "checkout release 1.9.0: latency x4"),
        PAYMENTS_ERRORS("payments", null, "3h10m", "3h15m", "payments: 30% of requests fail"),
        SSH_BRUTE_FORCE(
                "sshd", "203.0.113.45", "4h05m", "4h08m", "SSH brute force from 203.0.113.45 (CN), then a success"),
        PORT_SCAN("edge-firewall", "198.51.100.23", "4h30m", "4h31m", "port scan of 10.0.0.5 from 198.51.100.23"),
        PASSWORD_SPRAYING("sshd", "192.0.2.77", "4h45m", "4h50m", "password spraying from 192.0.2.77"),
        CART_QUEUE_ANOMALY("cart", null, "5h00m", "5h15m", "cart queue.depth five times its normal level");

        public final String service;
        /** The attacker's address for security incidents, else null. */
        public final String sourceIp;

        public final long fromMs;
        public final long toMs;
        public final String description;

        Incident(String service, String sourceIp, String from, String to, String description) {
            this.service = service;
            this.sourceIp = sourceIp;
            this.fromMs = offset(from);
            this.toMs = offset(to);
            this.description = description;
        }

        boolean active(long offsetMs) {
            return offsetMs >= fromMs && offsetMs < toMs;
        }

        private static long offset(String hm) {
            String[] p = hm.replace("m", "").split("h");
            return Duration.ofHours(Long.parseLong(p[0]))
                    .plusMinutes(Long.parseLong(p[1]))
                    .toMillis();
        }
    }

    public static final String BRUTE_FORCE_IP = Incident.SSH_BRUTE_FORCE.sourceIp;
    public static final String PORT_SCAN_IP = Incident.PORT_SCAN.sourceIp;
    public static final String SPRAYING_IP = Incident.PASSWORD_SPRAYING.sourceIp;

    /** A service of the shop: peak requests per tick, median latency and its spread. */
    private record Service(
            String name, String route, String method, double peakPerTick, double medianMs, double sigma, String version)
            implements Serializable {}

    private static final List<Service> SERVICES = List.of(
            new Service("frontend", "/", "GET", 30, 60, 0.30, "3.2.0"),
            new Service("checkout", "/api/checkout", "POST", 20, 120, 0.35, "1.8.0"),
            new Service("cart", "/api/cart", "GET", 24, 40, 0.30, "2.4.1"),
            new Service("payments", "/api/pay", "POST", 30, 150, 0.35, "5.0.3"),
            new Service("search", "/api/search", "GET", 26, 80, 0.40, "0.9.7"),
            new Service("auth", "/api/login", "POST", 12, 30, 0.30, "1.1.0"));

    private static final String[] STAFF = {"alice", "bob", "carol", "deploy", "ci"};
    private static final String[] STAFF_COUNTRY = {"US", "DE", "US", "US", "DE"};
    private static final String[] SPRAYED_USERS = {
        "oracle",
        "postgres",
        "test",
        "guest",
        "ubuntu",
        "pi",
        "ftp",
        "mysql",
        "git",
        "jenkins",
        "ansible",
        "nagios",
        "support",
        "backup",
        "www",
        "web",
        "user",
        "demo",
        "hadoop",
        "kafka",
        "elastic",
        "redis",
        "tomcat",
        "zabbix",
        "minecraft",
        "steam",
        "dev",
        "developer",
        "operator",
        "sysadmin",
        "info",
        "sales",
        "office",
        "student",
        "teacher",
        "vagrant",
        "docker",
        "azureuser",
        "ec2-user",
        "centos"
    };
    private static final String[] ERRORS = {
        "upstream timeout calling %s-db",
        "connection reset by peer while calling %s-backend",
        "circuit breaker open for %s-gateway"
    };

    private final long seed;
    private final long startMs;
    private final long ticks;

    public TelemetryGenerator(long seed, Instant start, Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, got " + duration);
        }
        this.seed = seed;
        this.startMs = start.toEpochMilli();
        this.ticks = (duration.toMillis() + TICK_MS - 1) / TICK_MS;
    }

    public static TelemetryGenerator defaults() {
        return new TelemetryGenerator(DEFAULT_SEED, DEFAULT_START, DEFAULT_DURATION);
    }

    public long ticks() {
        return ticks;
    }

    public long startMs() {
        return startMs;
    }

    public long endMs() {
        return startMs + ticks * TICK_MS;
    }

    /** Records before each tick: element i is the index of tick i's first record; the last element is the total. */
    public long[] offsets() {
        long[] offsets = new long[(int) ticks + 1];
        for (int i = 0; i < ticks; i++) {
            offsets[i + 1] = offsets[i] + tick(i).size();
        }
        return offsets;
    }

    /** The canonical JSON records of one tick, in event-time order. */
    public List<byte[]> tick(long index) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        long t0 = startMs + index * TICK_MS;
        long offset = index * TICK_MS;
        List<Telemetry> out = new ArrayList<>();
        double load = dailyLoad(t0);
        for (Service s : SERVICES) {
            requests(s, r, t0, offset, load, out);
            metrics(s, r, t0, offset, load, out);
        }
        sshd(r, t0, offset, out);
        firewall(r, t0, offset, out);
        deployments(t0, offset, out);
        out.sort(Comparator.comparingLong(t -> t.timestamp));
        List<byte[]> bytes = new ArrayList<>(out.size() + 1);
        for (Telemetry t : out) {
            bytes.add(TelemetryJson.write(t).getBytes(StandardCharsets.UTF_8));
        }
        byte[] bad = badRecord(index, t0);
        if (bad != null) {
            bytes.add(bad);
        }
        return bytes;
    }

    /** Share of peak traffic at this time of day (UTC): lowest at 03:00, highest at 15:00. */
    static double dailyLoad(long t) {
        double hour = (t % 86_400_000L) / 3_600_000.0;
        return 0.6 + 0.4 * Math.sin(2 * Math.PI * (hour - 9) / 24);
    }

    private void requests(Service s, SplittableRandom r, long t0, long offset, double load, List<Telemetry> out) {
        int n = poisson(r, s.peakPerTick * load);
        boolean slow = s.name.equals("checkout") && Incident.CHECKOUT_LATENCY.active(offset);
        double errorRate = s.name.equals("payments") && Incident.PAYMENTS_ERRORS.active(offset) ? 0.30 : 0.002;
        for (int i = 0; i < n; i++) {
            long ts = t0 + r.nextLong(TICK_MS);
            double ms = s.medianMs * Math.exp(s.sigma * r.nextGaussian()) * (slow ? 4 : 1);
            boolean failed = r.nextDouble() < errorRate;
            Telemetry span = resource(
                            Telemetry.span(ts, s.name, s.method + " " + s.route, round(ms), failed ? "error" : "ok"),
                            s,
                            r)
                    .attr("http.request.method", s.method)
                    .attr("http.route", s.route)
                    .attr("http.response.status_code", failed ? "503" : "200");
            span.traceId = hex(r, 32);
            span.spanId = hex(r, 16);
            out.add(span);
            if (failed) {
                String body = String.format(ERRORS[r.nextInt(ERRORS.length)], s.name);
                // Written inside the failed request's span, as an OpenTelemetry SDK records it.
                Telemetry log = resource(Telemetry.log(ts + 1, s.name, "ERROR", body), s, r)
                        .attr("exception.type", "UpstreamException");
                log.traceId = span.traceId;
                log.spanId = span.spanId;
                out.add(log);
            }
        }
    }

    private void metrics(Service s, SplittableRandom r, long t0, long offset, double load, List<Telemetry> out) {
        long ts = t0 + 5_000L;
        out.add(gauge(
                ts,
                s,
                r,
                "http.server.request.rate",
                "{request}/s",
                round(s.peakPerTick / 10.0 * load * (1 + 0.05 * r.nextGaussian()))));
        double cpu = Math.max(0.01, Math.min(1.0, 0.08 + 0.5 * load + 0.03 * r.nextGaussian()));
        out.add(gauge(ts, s, r, "process.cpu.utilization", "1", round(cpu)));
        if (s.name.equals("cart")) {
            double depth = 50 + 30 * load + 4 * r.nextGaussian();
            if (Incident.CART_QUEUE_ANOMALY.active(offset)) {
                depth *= 5 * (1 + 0.1 * r.nextGaussian());
            }
            out.add(gauge(ts, s, r, "queue.depth", "{message}", Math.max(0, round(depth))));
        }
    }

    private Telemetry gauge(long ts, Service s, SplittableRandom r, String name, String unit, double value) {
        Telemetry m = resource(Telemetry.metric(ts, s.name, name, value), s, r);
        m.unit = unit;
        m.metricType = MetricType.GAUGE;
        return m;
    }

    private void sshd(SplittableRandom r, long t0, long offset, List<Telemetry> out) {
        // Staff log in a few times an hour; now and then someone mistypes a password.
        if (r.nextDouble() < 0.05) {
            int u = r.nextInt(STAFF.length);
            boolean ok = r.nextDouble() < 0.9;
            String ip = "10.0." + (1 + u % 3) + "." + (10 + u);
            out.add(login(t0 + r.nextLong(TICK_MS), STAFF[u], ip, STAFF_COUNTRY[u], ok, r));
        }
        if (Incident.SSH_BRUTE_FORCE.active(offset)) {
            long n = 8 + r.nextInt(2);
            for (int i = 0; i < n; i++) {
                out.add(login(t0 + r.nextLong(TICK_MS), i % 2 == 0 ? "root" : "admin", BRUTE_FORCE_IP, "CN", false, r));
            }
            if (offset + TICK_MS >= Incident.SSH_BRUTE_FORCE.toMs) {
                out.add(login(t0 + TICK_MS - 1, "admin", BRUTE_FORCE_IP, "CN", true, r));
            }
        }
        if (Incident.PASSWORD_SPRAYING.active(offset)) {
            long tickInIncident = (offset - Incident.PASSWORD_SPRAYING.fromMs) / TICK_MS;
            // 40 users over 30 ticks: a slow spray, one attempt per user, so no single account sees a burst.
            for (int u = 0; u < SPRAYED_USERS.length; u++) {
                if (u * 30 / SPRAYED_USERS.length == tickInIncident) {
                    out.add(login(t0 + r.nextLong(TICK_MS), SPRAYED_USERS[u], SPRAYING_IP, "NL", false, r));
                }
            }
        }
    }

    private Telemetry login(long ts, String user, String ip, String country, boolean ok, SplittableRandom r) {
        int port = 32768 + r.nextInt(28000);
        String body = ok
                ? "Accepted password for " + user + " from " + ip + " port " + port + " ssh2"
                : "Failed password for " + user + " from " + ip + " port " + port + " ssh2";
        return Telemetry.log(ts, "sshd", ok ? "INFO" : "WARN", body)
                .res("host.name", "bastion-1")
                .res("service.namespace", "shop")
                .res("deployment.environment", "prod")
                .attr("event.category", "authentication")
                .attr("event.action", "ssh_login")
                .attr("event.outcome", ok ? "success" : "failure")
                .attr("source.ip", ip)
                .attr("source.port", Integer.toString(port))
                .attr("source.geo.country_iso_code", country)
                .attr("user.name", user)
                .attr("process.name", "sshd");
    }

    private void firewall(SplittableRandom r, long t0, long offset, List<Telemetry> out) {
        int n = poisson(r, 2);
        for (int i = 0; i < n; i++) {
            String ip = "198.18." + r.nextInt(256) + "." + r.nextInt(256);
            out.add(connection(t0 + r.nextLong(TICK_MS), "connection.accepted", ip, r.nextBoolean() ? 443 : 80));
        }
        if (r.nextDouble() < 0.03) {
            String ip = "198.18." + r.nextInt(256) + "." + r.nextInt(256);
            out.add(connection(t0 + r.nextLong(TICK_MS), "connection.rejected", ip, r.nextBoolean() ? 22 : 23));
        }
        if (Incident.PORT_SCAN.active(offset)) {
            // ~400 distinct ports in a minute: each tick probes its own slice of 1..1024, no port twice.
            long slice = (offset - Incident.PORT_SCAN.fromMs) / TICK_MS;
            Set<Integer> ports = new HashSet<>();
            for (int p = (int) (slice * 170) + 1; p <= Math.min(1024, (slice + 1) * 170); p++) {
                if (r.nextDouble() < 0.4) {
                    ports.add(p);
                }
            }
            ports.stream()
                    .sorted()
                    .forEach(
                            p -> out.add(connection(t0 + r.nextLong(TICK_MS), "connection.rejected", PORT_SCAN_IP, p)));
        }
    }

    private Telemetry connection(long ts, String name, String ip, int port) {
        return Telemetry.event(ts, "edge-firewall", name)
                .res("host.name", "fw-1")
                .res("service.namespace", "shop")
                .res("deployment.environment", "prod")
                .attr("source.ip", ip)
                .attr("destination.ip", "10.0.0.5")
                .attr("destination.port", Integer.toString(port))
                .attr("network.transport", "tcp");
    }

    /** The checkout release that causes the latency regression, and its rollback. */
    private void deployments(long t0, long offset, List<Telemetry> out) {
        long release = Incident.CHECKOUT_LATENCY.fromMs - 5 * 60_000L;
        long rollback = Incident.CHECKOUT_LATENCY.toMs;
        if (offset <= release && release < offset + TICK_MS) {
            out.add(deployment(t0 + (release - offset), "1.9.0"));
        }
        if (offset <= rollback && rollback < offset + TICK_MS) {
            out.add(deployment(t0 + (rollback - offset), "1.8.1"));
        }
    }

    private Telemetry deployment(long ts, String version) {
        return Telemetry.event(ts, "checkout", "deployment.finished")
                .res("service.namespace", "shop")
                .res("deployment.environment", "prod")
                .res("service.version", version)
                .attr("deployment.id", "d-" + version);
    }

    private Telemetry resource(Telemetry t, Service s, SplittableRandom r) {
        return t.res("service.version", checkoutVersion(s, t.timestamp))
                .res("service.namespace", "shop")
                .res("host.name", s.name + "-" + (1 + r.nextInt(2)))
                .res("deployment.environment", "prod");
    }

    private String checkoutVersion(Service s, long ts) {
        if (!s.name.equals("checkout")) {
            return s.version;
        }
        long offset = ts - startMs;
        if (offset >= Incident.CHECKOUT_LATENCY.toMs) {
            return "1.8.1";
        }
        return offset >= Incident.CHECKOUT_LATENCY.fromMs - 5 * 60_000L ? "1.9.0" : s.version;
    }

    /** Broken records on three fixed ticks, one of each kind a real pipeline sees, so the demo shows dead letters. */
    private static byte[] badRecord(long index, long t0) {
        String s;
        if (index == 100) {
            s = "{\"signal\":\"metric\",\"timestamp\":" + t0
                    + ",\"resource\":{\"service.name\":\"cart\"},\"name\":\"queue.dep";
        } else if (index == 700) {
            s = "{\"signal\":\"metric\",\"timestamp\":" + t0 + ",\"resource\":{\"service.name\":\"search\"},"
                    + "\"name\":\"process.cpu.utilization\",\"value\":\"NaN\"}";
        } else if (index == 1500) {
            s =
                    "{\"signal\":\"log\",\"resource\":{\"service.name\":\"auth\"},\"severity\":\"INFO\",\"body\":\"no time\"}";
        } else {
            return null;
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int poisson(SplittableRandom r, double mean) {
        // Knuth's method: exact and fast for the small means used here.
        double l = Math.exp(-mean);
        double p = 1.0;
        int k = 0;
        do {
            k++;
            p *= r.nextDouble();
        } while (p > l);
        return k - 1;
    }

    private static String hex(SplittableRandom r, int digits) {
        StringBuilder b = new StringBuilder(digits);
        for (int i = 0; i < digits; i++) {
            b.append(Character.forDigit(r.nextInt(16), 16));
        }
        return b.toString();
    }

    private static double round(double d) {
        return Math.round(d * 1000.0) / 1000.0;
    }
}
