package io.vigil.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.generator.TelemetryGenerator.Incident;
import io.vigil.ingest.Decoders;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.TelemetryDecoder;
import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo's generated day, decoded by the real canonical-JSON decoder in one pass over the default six hours: order,
 * offsets, dead letters and each scripted incident as the detectors will see it.
 */
class TelemetryGeneratorTest {
    private static final long TICK = TelemetryGenerator.TICK_MS;
    private static final long MIN = 60_000L;

    private static TelemetryGenerator gen;
    private static long start;
    private static long[] tickSizes;
    private static long records;
    private static long outOfOrder;
    private static long outsideTick;
    private static long missingResource;
    private static final List<String> outOfOrderExamples = new ArrayList<>();
    private static final List<DeadLetter> dead = new ArrayList<>();
    private static final List<Long> deadTicks = new ArrayList<>();

    private static final List<Double> checkoutDuring = new ArrayList<>();
    private static final List<Double> checkoutBefore = new ArrayList<>();
    private static final List<Double> frontendDuring = new ArrayList<>();
    private static final List<Double> frontendBefore = new ArrayList<>();
    private static long paymentsSpans;
    private static long paymentsErrors;
    private static long paymentsErrorLogs;
    private static long spansOutside;
    private static long errorsOutside;

    private static final List<Telemetry> bruteFailures = new ArrayList<>();
    private static final List<Telemetry> bruteSuccesses = new ArrayList<>();
    private static final List<Telemetry> scan = new ArrayList<>();
    private static final List<Telemetry> spray = new ArrayList<>();
    private static final List<Double> queueDuring = new ArrayList<>();
    private static final List<Double> queueBefore = new ArrayList<>();
    private static final Set<String> services = new HashSet<>();

    static TelemetryDecoder decoder() {
        return Decoders.forFormat("json", IngestLimits.defaults().withoutFutureBound());
    }

    @BeforeAll
    static void generateTheWholeRun() {
        gen = TelemetryGenerator.defaults();
        start = gen.startMs();
        TelemetryDecoder decoder = decoder();
        tickSizes = new long[(int) gen.ticks()];
        long last = Long.MIN_VALUE;
        for (long tick = 0; tick < gen.ticks(); tick++) {
            List<byte[]> raw = gen.tick(tick);
            tickSizes[(int) tick] = raw.size();
            long t0 = start + tick * TICK;
            for (byte[] r : raw) {
                List<Ingested> out = new ArrayList<>();
                decoder.decode(r, "test", out::add);
                assertEquals(1, out.size(), "one canonical JSON object, one result");
                records++;
                Ingested in = out.get(0);
                if (in.isDead()) {
                    dead.add(in.deadLetter);
                    deadTicks.add(tick);
                    continue;
                }
                Telemetry t = in.telemetry;
                if (t.timestamp < last) {
                    outOfOrder++;
                    if (outOfOrderExamples.size() < 5) {
                        outOfOrderExamples.add("tick " + tick + ": " + t.timestamp + " after " + last);
                    }
                }
                last = Math.max(last, t.timestamp);
                // An error span's log comes 1 ms after its span, which may be the first ms of the next tick.
                if (t.timestamp < t0 || t.timestamp > t0 + TICK) {
                    outsideTick++;
                }
                if (t.resource.get("service.name") == null
                        || !"shop".equals(t.resource.get("service.namespace"))
                        || !"prod".equals(t.resource.get("deployment.environment"))) {
                    missingResource++;
                }
                services.add(t.service());
                observe(t, t.timestamp - start);
            }
        }
    }

    private static boolean in(long offset, String from, String to) {
        return offset >= hm(from) && offset < hm(to);
    }

    private static long hm(String s) {
        String[] p = s.split("h");
        return Duration.ofHours(Long.parseLong(p[0]))
                .plusMinutes(Long.parseLong(p[1]))
                .toMillis();
    }

    private static void observe(Telemetry t, long offset) {
        String service = t.service();
        if (t.signal == Signal.SPAN) {
            if (service.equals("checkout") && in(offset, "2h00", "2h40")) {
                checkoutDuring.add(t.durationMs);
            } else if (service.equals("checkout") && in(offset, "1h00", "1h40")) {
                checkoutBefore.add(t.durationMs);
            } else if (service.equals("frontend") && in(offset, "2h00", "2h40")) {
                frontendDuring.add(t.durationMs);
            } else if (service.equals("frontend") && in(offset, "1h00", "1h40")) {
                frontendBefore.add(t.durationMs);
            }
            if (service.equals("payments") && in(offset, "3h10", "3h15")) {
                paymentsSpans++;
                paymentsErrors += "error".equals(t.status) ? 1 : 0;
            } else {
                spansOutside++;
                errorsOutside += "error".equals(t.status) ? 1 : 0;
            }
        } else if (t.signal == Signal.LOG
                && service.equals("payments")
                && "ERROR".equals(t.severity)
                && in(offset, "3h10", "3h15")) {
            paymentsErrorLogs++;
        } else if (t.signal == Signal.LOG && service.equals("sshd")) {
            String ip = t.attributes.get("source.ip");
            boolean failed = "failure".equals(t.attributes.get("event.outcome"));
            if (TelemetryGenerator.BRUTE_FORCE_IP.equals(ip)) {
                (failed ? bruteFailures : bruteSuccesses).add(t);
            } else if (TelemetryGenerator.SPRAYING_IP.equals(ip)) {
                spray.add(t);
            }
        } else if (t.signal == Signal.EVENT && TelemetryGenerator.PORT_SCAN_IP.equals(t.attributes.get("source.ip"))) {
            scan.add(t);
        } else if (t.signal == Signal.METRIC && "queue.depth".equals(t.name)) {
            if (in(offset, "5h00", "5h15")) {
                queueDuring.add(t.value);
            } else if (in(offset, "4h40", "4h55")) {
                queueBefore.add(t.value);
            }
        }
    }

    private static double p95(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        return v.get((int) Math.ceil(0.95 * v.size()) - 1);
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static long offset(Telemetry t) {
        return t.timestamp - start;
    }

    @Test
    void theSameSeedGivesTheSameBytes() {
        TelemetryGenerator again = TelemetryGenerator.defaults();
        for (long tick : new long[] {0, 1, 100, 700, 1500, 733, 1470, gen.ticks() - 1}) {
            List<byte[]> a = gen.tick(tick);
            List<byte[]> b = again.tick(tick);
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i), b.get(i), "tick " + tick + " record " + i);
            }
        }
        List<byte[]> late = again.tick(900);
        TelemetryGenerator fresh = TelemetryGenerator.defaults();
        fresh.tick(5);
        List<byte[]> afterOthers = fresh.tick(900);
        for (int i = 0; i < late.size(); i++) {
            assertArrayEquals(late.get(i), afterOthers.get(i), "a tick does not depend on what was generated before");
        }
    }

    @Test
    void anotherSeedGivesOtherRecords() {
        TelemetryGenerator other =
                new TelemetryGenerator(43, TelemetryGenerator.DEFAULT_START, TelemetryGenerator.DEFAULT_DURATION);
        List<byte[]> a = gen.tick(10);
        List<byte[]> b = other.tick(10);
        boolean differ = a.size() != b.size();
        for (int i = 0; !differ && i < a.size(); i++) {
            differ = !java.util.Arrays.equals(a.get(i), b.get(i));
        }
        assertTrue(differ);
    }

    @Test
    void theRunCoversTheRequestedTime() {
        assertEquals(6 * 360, gen.ticks());
        assertEquals(Instant.parse("2026-11-02T00:00:00Z").toEpochMilli(), gen.startMs());
        assertEquals(gen.startMs() + Duration.ofHours(6).toMillis(), gen.endMs());
        assertEquals(2, new TelemetryGenerator(1, Instant.EPOCH, Duration.ofMillis(10_001)).ticks(), "a partial tick");
    }

    @Test
    void offsetsAreTheRunningSumOfTickSizes() {
        long[] offsets = gen.offsets();
        assertEquals(gen.ticks() + 1, offsets.length);
        assertEquals(0, offsets[0]);
        for (int i = 0; i < tickSizes.length; i++) {
            assertEquals(offsets[i] + tickSizes[i], offsets[i + 1], "tick " + i);
            assertTrue(tickSizes[i] > 0, "tick " + i + " is not empty");
        }
        assertEquals(records, offsets[offsets.length - 1]);
        assertEquals(records, new GeneratorSource(gen).total());
    }

    @Test
    void recordsComeInEventTimeOrderWithinTheirTick() {
        assertEquals(0, outOfOrder, outOfOrderExamples.toString());
        assertEquals(0, outsideTick);
        assertTrue(records > 100_000, "a busy shop: " + records);
    }

    @Test
    void everyRecordCarriesItsResource() {
        assertEquals(0, missingResource);
        assertEquals(
                Set.of("frontend", "checkout", "cart", "payments", "search", "auth", "sshd", "edge-firewall"),
                services);
    }

    @Test
    void exactlyThreeBadRecordsBecomeDeadLetters() {
        assertEquals(3, dead.size(), dead.toString());
        assertEquals(List.of(100L, 700L, 1500L), deadTicks);
        assertEquals("parse_error", dead.get(0).reason, dead.get(0).toString());
        assertTrue(dead.get(1).detail.contains("value"), dead.get(1).toString());
        assertTrue(dead.get(2).detail.contains("timestamp"), dead.get(2).toString());
    }

    @Test
    void checkoutLatencyIsFourTimesNormalDuringTheRelease() {
        double ratio = p95(checkoutDuring) / p95(checkoutBefore);
        assertTrue(ratio > 3.5 && ratio < 4.5, "checkout p95 ratio " + ratio);
        double frontend = p95(frontendDuring) / p95(frontendBefore);
        assertTrue(frontend > 0.85 && frontend < 1.15, "frontend is not affected: " + frontend);
        assertTrue(checkoutDuring.size() > 500, "enough spans to tell: " + checkoutDuring.size());
    }

    @Test
    void aboutThirtyPercentOfPaymentsFailDuringTheErrorBurst() {
        double ratio = (double) paymentsErrors / paymentsSpans;
        assertTrue(ratio > 0.2 && ratio < 0.4, "payments error ratio " + ratio + " of " + paymentsSpans);
        assertEquals(paymentsErrors, paymentsErrorLogs, "each error span also logs an ERROR");
        double base = (double) errorsOutside / spansOutside;
        assertTrue(base < 0.005, "base error ratio " + base);
    }

    @Test
    void bruteForceFromOneAddressThenASuccess() {
        assertTrue(bruteFailures.size() >= 140 && bruteFailures.size() <= 165, "failures " + bruteFailures.size());
        Set<String> users = new HashSet<>();
        long lastFailure = Long.MIN_VALUE;
        for (Telemetry t : bruteFailures) {
            assertTrue(offset(t) >= hm("4h05") && offset(t) < hm("4h08"), "at " + offset(t));
            assertEquals("CN", t.attributes.get("source.geo.country_iso_code"));
            assertEquals("ssh_login", t.attributes.get("event.action"));
            assertEquals("authentication", t.attributes.get("event.category"));
            assertTrue(t.body.startsWith("Failed password for "), t.body);
            users.add(t.attributes.get("user.name"));
            lastFailure = Math.max(lastFailure, t.timestamp);
        }
        assertEquals(Set.of("root", "admin"), users);
        assertEquals(1, bruteSuccesses.size());
        Telemetry ok = bruteSuccesses.get(0);
        assertEquals("admin", ok.attributes.get("user.name"));
        assertTrue(ok.timestamp > lastFailure, "the success comes after the failures");
        assertTrue(offset(ok) < hm("4h08"));
    }

    @Test
    void aPortScanOfAboutFourHundredDistinctPorts() {
        Set<String> ports = new HashSet<>();
        for (Telemetry t : scan) {
            assertEquals("connection.rejected", t.name);
            assertEquals("10.0.0.5", t.attributes.get("destination.ip"));
            assertEquals("edge-firewall", t.service());
            assertTrue(offset(t) >= hm("4h30") && offset(t) < hm("4h31"), "at " + offset(t));
            assertTrue(ports.add(t.attributes.get("destination.port")), "each port once");
        }
        assertTrue(ports.size() >= 350 && ports.size() <= 450, "ports " + ports.size());
    }

    @Test
    void passwordSprayingTriesFortyUsersOnce() {
        Set<String> users = new HashSet<>();
        for (Telemetry t : spray) {
            assertEquals("failure", t.attributes.get("event.outcome"));
            assertTrue(offset(t) >= hm("4h45") && offset(t) < hm("4h50"), "at " + offset(t));
            assertTrue(users.add(t.attributes.get("user.name")), "each user once");
        }
        assertEquals(40, users.size());
    }

    @Test
    void cartQueueDepthIsFiveTimesItsLevel() {
        double ratio = mean(queueDuring) / mean(queueBefore);
        assertTrue(ratio > 4.5 && ratio < 5.5, "queue.depth ratio " + ratio);
        assertEquals(90, queueDuring.size(), "one point per tick");
    }

    @Test
    void incidentsAreDescribedWithTheirServices() {
        assertEquals(hm("2h00"), Incident.CHECKOUT_LATENCY.fromMs);
        assertEquals(hm("2h40"), Incident.CHECKOUT_LATENCY.toMs);
        assertEquals("sshd", Incident.SSH_BRUTE_FORCE.service);
        assertFalse(Incident.CART_QUEUE_ANOMALY.description.isEmpty());
    }
}
