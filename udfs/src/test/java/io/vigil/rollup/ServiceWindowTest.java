package io.vigil.rollup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Telemetry;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Latencies are buffered and folded into the t-digest in batches: the quantiles must not depend on where a batch
 * ends, whether a window was merged from others, or whether it went through Flink's serializer half-way.
 */
class ServiceWindowTest {
    static RollupEvent request(double ms) {
        return RollupEvent.of(Telemetry.span(60_000, "cart", "GET /api/cart", ms, "ok"));
    }

    @Test
    void quantilesHoldAcrossBatchesMergesAndSerialization() throws Exception {
        ServiceWindow whole = new ServiceWindow("cart", 0, 60_000);
        ServiceWindow first = new ServiceWindow("cart", 0, 60_000);
        ServiceWindow second = new ServiceWindow("cart", 0, 60_000);
        TypeSerializer<ServiceWindow> ser =
                TypeInformation.of(ServiceWindow.class).createSerializer(new SerializerConfigImpl());
        for (int ms = 1; ms <= 1000; ms++) {
            whole.add(request(ms));
            // the first 300 pass through many batches; the second's 700 through a serialization round trip at 450
            (ms <= 300 ? first : second).add(request(ms));
            if (ms == 450) {
                DataOutputSerializer out = new DataOutputSerializer(256);
                ser.serialize(second, out);
                second = ser.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            }
        }
        assertTrue(whole.pendingCount < ServiceWindow.PENDING, "the rest of the last batch waits");
        assertTrue(whole.latencyDigest != null, "full batches were folded into the digest");
        first.merge(second);
        assertEquals(1000, whole.requests);
        assertEquals(1000, first.requests);
        double[][] expected = {{0.5, 500}, {0.95, 950}, {0.99, 990}};
        for (double[] q : expected) {
            assertEquals(q[1], whole.latencyMs(q[0]), q[1] * 0.01, "whole p" + q[0]);
            assertEquals(q[1], first.latencyMs(q[0]), q[1] * 0.01, "merged p" + q[0]);
        }
        ServiceWindow few = new ServiceWindow("cart", 0, 60_000);
        few.add(request(7));
        assertEquals(7.0, few.latencyMs(0.5), 1e-9, "one pending latency, no digest yet");
        assertTrue(Double.isNaN(new ServiceWindow("cart", 0, 60_000).latencyMs(0.5)), "no requests, no latency");
    }
}
