package io.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vigil.model.Ingested;
import io.vigil.model.MetricType;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Decoders never throw: valid records with random damage (flipped, inserted, deleted bytes, truncation) must each end
 * as telemetry or dead letters, seeded so a failure can be replayed.
 */
class DecoderFuzzTest {
    private static final int ROUNDS = 3000;

    @Test
    void damagedRecordsNeverThrow() {
        Telemetry histogram = Telemetry.metric(OtlpSamples.T_MS, "checkout", "latency", 0.5);
        histogram.metricType = MetricType.HISTOGRAM;
        histogram.count = 3;
        histogram.sum = 1.5;
        Telemetry span = Telemetry.span(OtlpSamples.T_MS, "cart", "GET /", 12.5, "ok");
        span.traceId = OtlpSamples.TRACE_ID;
        span.spanId = OtlpSamples.SPAN_ID;
        String canonical = "[" + TelemetryJson.write(histogram) + "," + TelemetryJson.write(span) + ","
                + TelemetryJson.write(
                        Telemetry.log(OtlpSamples.T_MS, "auth", "WARN", "x").attr("a", "b")) + "]";

        List<Object[]> seeds = new ArrayList<>();
        seeds.add(new Object[] {"json", canonical.getBytes(StandardCharsets.UTF_8)});
        seeds.add(new Object[] {"otlp-json", OtlpJsonWriter.write(OtlpSamples.logs())});
        seeds.add(new Object[] {"otlp-json", OtlpJsonWriter.write(OtlpSamples.metrics())});
        seeds.add(new Object[] {"otlp-json", OtlpJsonWriter.write(OtlpSamples.traces())});
        seeds.add(new Object[] {"otlp-proto:logs", OtlpSamples.logs().toByteArray()});
        seeds.add(new Object[] {"otlp-proto:metrics", OtlpSamples.metrics().toByteArray()});
        seeds.add(new Object[] {"otlp-proto:traces", OtlpSamples.traces().toByteArray()});
        seeds.add(new Object[] {"otlp-proto", OtlpSamples.metrics().toByteArray()});

        Random r = new Random(20260301);
        for (Object[] seed : seeds) {
            String format = (String) seed[0];
            byte[] valid = (byte[]) seed[1];
            TelemetryDecoder decoder = Decoders.forFormat(format);
            for (int i = 0; i < ROUNDS; i++) {
                byte[] damaged = damage(valid, r);
                int[] outputs = {0};
                try {
                    decoder.decode(damaged, "fuzz:" + i, (Ingested in) -> {
                        outputs[0]++;
                        assertTrue(in.isDead() ^ in.telemetry != null);
                        if (in.isDead()) {
                            assertNotNull(in.deadLetter.reason);
                            assertNotNull(in.deadLetter.detail);
                            assertNotNull(in.deadLetter.raw);
                        }
                    });
                } catch (RuntimeException | AssertionError e) {
                    fail(
                            format + " threw on damaged input " + i + ": "
                                    + new String(damaged, StandardCharsets.ISO_8859_1),
                            e);
                }
            }
        }
    }

    private static byte[] damage(byte[] valid, Random r) {
        byte[] b = valid.clone();
        switch (r.nextInt(5)) {
            case 0: // flip some bytes
                for (int k = 1 + r.nextInt(3); k > 0; k--) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
                return b;
            case 1: // truncate
                return Arrays.copyOf(b, r.nextInt(b.length));
            case 2: { // delete a run
                int at = r.nextInt(b.length);
                int len = Math.min(1 + r.nextInt(8), b.length - at);
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, b.length - at - len);
                return out;
            }
            case 3: { // insert random bytes
                int at = r.nextInt(b.length);
                byte[] junk = new byte[1 + r.nextInt(4)];
                r.nextBytes(junk);
                byte[] out = new byte[b.length + junk.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(junk, 0, out, at, junk.length);
                System.arraycopy(b, at, out, at + junk.length, b.length - at);
                return out;
            }
            default: { // replace one byte with a JSON-significant character
                byte[] special = "{}[]\":,-0eE.nNI \\".getBytes(StandardCharsets.US_ASCII);
                b[r.nextInt(b.length)] = special[r.nextInt(special.length)];
                return b;
            }
        }
    }
}
