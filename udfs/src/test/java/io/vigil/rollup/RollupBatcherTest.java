package io.vigil.rollup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Harness tests of the batches the telemetry sends to the minute rollup, and of the windows they make. */
class RollupBatcherTest {
    private static final long T0 = 1_793_577_600_000L; // minute aligned
    private static final long MIN = 60_000L;

    private static OneInputStreamOperatorTestHarness<Telemetry, RollupEvent> batcher() throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new RollupBatcher(MIN));
        h.open();
        return h;
    }

    private static void add(OneInputStreamOperatorTestHarness<Telemetry, RollupEvent> h, Telemetry t) throws Exception {
        h.processElement(new StreamRecord<>(t, t.timestamp));
    }

    @Test
    void aServiceWindowsRecordsLeaveAsOneBatchBeforeTheWatermark() throws Exception {
        var h = batcher();
        add(h, Telemetry.span(T0 + 10, "cart", "GET /api/cart", 12, "error"));
        add(h, Telemetry.log(T0 + 20, "cart", "ERROR", "timeout"));
        add(h, Telemetry.span(T0 + 30, "cart", "GET /api/cart", 8, "ok"));
        add(h, Telemetry.metric(T0 + 40, "cart", "process.cpu.utilization", 0.5));
        add(h, Telemetry.span(T0 + MIN + 5, "cart", "GET /api/cart", 3, "ok")); // the next minute
        add(h, Telemetry.log(T0 + 50, "auth", null, "hello"));
        assertTrue(h.getOutput().isEmpty(), "nothing leaves before a watermark");

        h.processWatermark(new Watermark(T0 + 100));
        List<Object> out = new ArrayList<>(h.getOutput());
        assertEquals(4, out.size(), out.toString());
        assertInstanceOf(Watermark.class, out.get(3), "the watermark follows the batches");
        Map<String, RollupEvent> batches = new TreeMap<>();
        for (Object o : out.subList(0, 3)) {
            @SuppressWarnings("unchecked")
            StreamRecord<RollupEvent> r = (StreamRecord<RollupEvent>) o;
            RollupEvent b = r.getValue();
            assertEquals(RollupEvent.BATCH, b.type);
            assertEquals(b.timestamp, r.getTimestamp(), "a batch carries its first record's time");
            batches.put(b.service + "@" + (b.timestamp - T0) / MIN, b);
        }
        RollupEvent cart = batches.get("cart@0");
        assertEquals(T0 + 10, cart.timestamp);
        assertEquals(2, cart.requests);
        assertEquals(1, cart.errors);
        assertArrayEquals(new double[] {12, 8}, Arrays.copyOf(cart.latencies, cart.requests));
        assertEquals(Map.of("error", 1L), cart.logs);
        assertEquals(3, cart.records(), "the metric is not rolled up");
        assertEquals(1, batches.get("cart@1").requests);
        assertNull(batches.get("cart@1").logs);
        assertEquals(Map.of("unspecified", 1L), batches.get("auth@0").logs);

        h.processWatermark(new Watermark(T0 + 200));
        assertEquals(5, h.getOutput().size(), "nothing is sent twice: only the next watermark");
    }

    @Test
    void batchesLeaveBeforeACheckpointsBarrierAndAtTheEndOfInput() throws Exception {
        var h = batcher();
        add(h, Telemetry.span(T0 + 10, "search", "GET /api/search", 40, "ok"));
        h.prepareSnapshotPreBarrier(1);
        assertEquals(1, h.extractOutputValues().size(), "the checkpoint holds no record in this operator");
        add(h, Telemetry.log(T0 + 20, "search", "WARN", "slow"));
        h.endInput();
        h.getOneInputOperator().finish();
        assertEquals(2, h.extractOutputValues().size());
    }

    @Test
    void batchesLeaveBeforeTheInputTurnsIdle() throws Exception {
        // Once idle, the minute rollup's watermark moves on with its other inputs, past what is held here.
        var h = batcher();
        add(h, Telemetry.span(T0 + 10, "search", "GET /api/search", 40, "ok"));
        h.processWatermarkStatus(WatermarkStatus.ACTIVE);
        assertTrue(h.extractOutputValues().isEmpty(), "an input that stays active keeps its batch until the watermark");
        h.processWatermarkStatus(WatermarkStatus.IDLE);
        List<Object> out = new ArrayList<>(h.getOutput());
        assertEquals(1, h.extractOutputValues().size(), out.toString());
        int batch = -1;
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) instanceof StreamRecord) batch = i;
        }
        assertEquals(out.indexOf(WatermarkStatus.IDLE) - 1, batch, "the batch goes just before the status: " + out);
    }

    @Test
    void aFullBufferSendsEveryBatchWithoutWaitingForAWatermark() throws Exception {
        var h = batcher();
        for (int i = 0; i < RollupBatcher.MAX_BUFFERED - 1; i++) {
            add(h, Telemetry.span(T0 + i, i % 2 == 0 ? "cart" : "auth", "GET /", i, "ok"));
        }
        assertTrue(h.getOutput().isEmpty());
        add(h, Telemetry.span(T0, "cart", "GET /", 1, "ok"));
        List<RollupEvent> out = h.extractOutputValues();
        assertEquals(2, out.size());
        assertEquals(
                RollupBatcher.MAX_BUFFERED, out.get(0).records() + out.get(1).records());
    }

    @Test
    void batchedWindowsAndLateRecordsAreThoseOfOneRecordAtATime() throws Exception {
        // Three services, records of several minutes out of order by up to 20 s, watermarks now and then (some records
        // arrive after their minute closed), more records than a batcher holds: the minute rollup fed batches emits
        // the same windows, digest bytes included, and sends as many records to the late output as fed one at a time.
        var batched = batcher();
        var fromBatches = MinuteRollupOperatorTest.minutes(0);
        var oneByOne = MinuteRollupOperatorTest.minutes(0);
        Random random = new Random(11);
        String[] services = {"cart", "checkout", "auth"};
        int n = RollupBatcher.MAX_BUFFERED + 4_321;
        for (int i = 0; i < n; i++) {
            String service = services[random.nextInt(services.length)];
            long ts = T0 + i * 20L + random.nextInt(20_000);
            Telemetry t = random.nextInt(8) == 0
                    ? Telemetry.log(ts, service, random.nextBoolean() ? "ERROR" : "INFO", "x")
                    : Telemetry.span(
                            ts, service, "GET /", random.nextDouble() * 500, random.nextInt(20) == 0 ? "error" : "ok");
            add(batched, t);
            oneByOne.processElement(new StreamRecord<>(RollupEvent.of(t), t.timestamp));
            if (i % 700 == 699) {
                // Ahead of records still to come (up to 20 s behind): those of a minute it closes are late.
                long watermark = T0 + i * 20L + 5_000;
                batched.processWatermark(new Watermark(watermark));
                oneByOne.processWatermark(new Watermark(watermark));
            }
        }
        batched.processWatermark(new Watermark(T0 + n * 20L + MIN));
        oneByOne.processWatermark(new Watermark(T0 + n * 20L + MIN));
        for (Object o : batched.getOutput()) {
            if (o instanceof Watermark w) {
                fromBatches.processWatermark(w);
            } else {
                @SuppressWarnings("unchecked")
                StreamRecord<RollupEvent> r = (StreamRecord<RollupEvent>) o;
                fromBatches.processElement(r);
            }
        }

        Map<String, ServiceWindow> expected = byWindow(oneByOne.extractOutputValues());
        Map<String, ServiceWindow> actual = byWindow(fromBatches.extractOutputValues());
        assertTrue(expected.size() > 10, expected.keySet().toString());
        assertEquals(expected.keySet(), actual.keySet());
        for (var e : expected.entrySet()) {
            ServiceWindow x = e.getValue();
            ServiceWindow a = actual.get(e.getKey());
            MinuteRollupOperatorTest.assertSameWindow(x, a, e.getKey());
            assertEquals(x.toRollups("1m").toString(), a.toRollups("1m").toString(), e.getKey());
        }
        int lateOneByOne = oneByOne.getSideOutput(MinuteRollupOperator.LATE).size();
        int lateBatched = 0;
        for (StreamRecord<RollupEvent> r : fromBatches.getSideOutput(MinuteRollupOperator.LATE)) {
            lateBatched += r.getValue().records();
        }
        assertTrue(lateOneByOne > 0, "the input has late records");
        assertEquals(lateOneByOne, lateBatched);
    }

    private static Map<String, ServiceWindow> byWindow(List<ServiceWindow> windows) {
        Map<String, ServiceWindow> m = new TreeMap<>();
        for (ServiceWindow w : windows) {
            assertNull(m.put(w.service + "@" + w.windowStart, w), "a window emitted twice");
        }
        return m;
    }
}
