package io.vigil.model;

import static io.vigil.model.SerializerRoundTrip.bytes;
import static io.vigil.model.SerializerRoundTrip.roundTrip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.Routed;
import io.vigil.detect.RoutedTypeInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** The hand-written serializers of the shuffled records: exact round trips, versioned snapshots, POJO state migrated. */
class TelemetrySerializerTest {
    private static final TelemetrySerializer SERIALIZER = TelemetrySerializer.INSTANCE;

    static List<Telemetry> samples() {
        Telemetry metric = Telemetry.metric(1_793_577_600_123L, "checkout", "http.server.duration", 12.5)
                .res("host.name", "checkout-1")
                .attr("http.route", "/api/checkout");
        metric.metricType = MetricType.HISTOGRAM;
        metric.unit = "ms";
        metric.count = 42;
        metric.sum = 525;
        metric.min = -0.0;
        metric.max = Double.NaN;
        Telemetry log = Telemetry.log(1L, "payments", "ERROR", "upstream timeout \u00e9\u4e2d\ud83d\ude00")
                .attr("user.name", "");
        log.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        log.spanId = "00f067aa0ba902b7";
        Telemetry span = Telemetry.span(-5L, "cart", "GET /api/cart", Double.POSITIVE_INFINITY, "error");
        span.parentSpanId = "53995c3f42cd8ad8";
        Telemetry event = Telemetry.event(0, "auth", "ssh_login").attr("source.ip", "203.0.113.7");
        Telemetry empty = new Telemetry();
        Telemetry nullMaps = Telemetry.event(7, "x", "y");
        nullMaps.resource = null;
        nullMaps.attributes = null;
        Telemetry longBody = Telemetry.log(9, "big", "INFO", "x".repeat(200_000));
        // A JSON "\ud800" escape decodes to an unpaired surrogate, which UTF-8 cannot carry.
        Telemetry surrogates = Telemetry.log(10, "odd", "WARN", "lone \ud800 high, lone \udc00 low, end \ud83d")
                .attr("k\udfff", "\ud83d\ude00 paired");
        return List.of(metric, log, span, event, empty, nullMaps, longBody, surrogates);
    }

    @Test
    void everyFieldOfEverySignalReadsBackExactly() throws IOException {
        for (Telemetry t : samples()) {
            Telemetry back = roundTrip(SERIALIZER, t);
            assertEquals(t, back, t.signal + " record");
            assertEquals(Double.doubleToRawLongBits(t.min), Double.doubleToRawLongBits(back.min), "-0.0 kept");
            assertEquals(t, SERIALIZER.copy(t));
        }
    }

    @Test
    void aRecordReadBackIsWrittenAgainAsTheBytesItWasReadFrom() throws IOException {
        for (Telemetry t : samples()) {
            byte[] written = bytes(SERIALIZER, t);
            Telemetry back = SERIALIZER.deserialize(new DataInputDeserializer(written));
            assertArrayEquals(written, bytes(SERIALIZER, back), t.signal + " record written again");
            assertTrue(back.encoded != null, "its bytes are kept");

            DataInputDeserializer fieldsOnly = new DataInputDeserializer(written);
            Telemetry plain = SERIALIZER.deserializeFields(fieldsOnly, new RecentStrings());
            assertEquals(t, plain);
            assertNull(plain.encoded, "the detectors' reading keeps no bytes");
            assertEquals(0, fieldsOnly.available(), "every byte read");

            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            SERIALIZER.serialize(t, new DataOutputViewStreamWrapper(stream));
            assertArrayEquals(written, stream.toByteArray(), "the same bytes into any output (heap snapshots)");

            DataOutputSerializer copied = new DataOutputSerializer(64);
            SERIALIZER.copy(new DataInputDeserializer(written), copied);
            assertArrayEquals(written, copied.getCopyOfBuffer(), "copied as it is");
        }
        // A record changed by an operator is a copy without the bytes, written from its fields.
        Telemetry back = roundTrip(SERIALIZER, samples().get(0));
        Telemetry changed = back.copy().attr("geo.country_iso_code", "NL");
        assertNull(changed.encoded);
        assertEquals(changed, roundTrip(SERIALIZER, changed));
        assertEquals("NL", roundTrip(SERIALIZER, changed).attributes.get("geo.country_iso_code"));
    }

    @Test
    void aRecordWhoseLengthDisagreesWithItsFieldsIsCorrupt() throws IOException {
        byte[] written = bytes(SERIALIZER, samples().get(3));
        byte[] longer = new byte[written.length + 1];
        System.arraycopy(written, 0, longer, 0, written.length);
        longer[3]++; // the length (four bytes, big-endian) one more than the fields take
        IOException e =
                assertThrows(IOException.class, () -> SERIALIZER.deserialize(new DataInputDeserializer(longer)));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void aMetricPointIsSmallerThanWithThePojoSerializer() throws IOException {
        Telemetry t = samples().get(0);
        int compact = bytes(SERIALIZER, t).length;
        int pojo = bytes(pojoTypeInfo().createSerializer(new SerializerConfigImpl()), t).length;
        assertTrue(compact < pojo, compact + " bytes vs the POJO serializer's " + pojo);
    }

    @Test
    void aRoutedRecordCarriesItsKeyRulesAndRecord() throws IOException {
        TypeSerializer<Routed> s = TypeInformation.of(Routed.class).createSerializer(new SerializerConfigImpl());
        assertTrue(s instanceof RoutedTypeInfo.RoutedSerializer, s.toString());
        Routed r = new Routed(
                "service.name\u001fcheckout",
                new String[] {"a", "b-c"},
                samples().get(1));
        Routed back = roundTrip(s, r);
        assertEquals(r.key, back.key);
        assertArrayEquals(r.rules, back.rules);
        assertNull(back.versions);
        assertEquals(r.record, back.record);
        Routed versioned = new Routed("k", new String[] {"a", "b\u00e9"}, new long[] {-7L, Long.MAX_VALUE}, null);
        Routed versionedBack = roundTrip(s, versioned);
        assertArrayEquals(versioned.versions, versionedBack.versions);
        assertNull(versionedBack.rules, "ids with versions are read on first need");
        assertEquals(2, versionedBack.ruleCount());
        assertEquals("b\u00e9", versionedBack.ruleId(1));
        assertArrayEquals(versioned.rules, versionedBack.rules);
        Routed again = roundTrip(s, roundTrip(s, versioned));
        assertNull(again.rules, "written again as the block it came as");
        assertEquals("a", again.ruleId(0));
        Routed copied = s.copy(roundTrip(s, versioned));
        assertEquals("b\u00e9", roundTrip(s, copied).ruleId(1), "and copied");
        assertArrayEquals(versioned.rules, new String[] {copied.ruleId(0), copied.ruleId(1)});
        Routed none = roundTrip(s, new Routed(null, null, null));
        assertNull(none.key);
        assertNull(none.rules);
        assertEquals(0, none.ruleCount());
        assertNull(none.record);
    }

    /**
     * The detectors read the strings that repeat from record to record (the key, attribute keys and values) once per
     * serializer, so each thread has a serializer of its own, and every record still reads back as it was written.
     */
    @Test
    void routedRecordsShareTheirRepeatedStringsAndReadBackExactly() throws IOException {
        TypeInformation<Routed> type = TypeInformation.of(Routed.class);
        TypeSerializer<Routed> s = type.createSerializer(new SerializerConfigImpl());
        assertNotSame(s, type.createSerializer(new SerializerConfigImpl()), "a serializer per user");
        assertNotSame(s, s.duplicate(), "and per thread");
        assertEquals(s, s.duplicate());

        DataOutputSerializer out = new DataOutputSerializer(256);
        List<Routed> written = new ArrayList<>();
        for (Telemetry t : samples()) {
            String[] rules = {"brute-force", "spray", "x".repeat(60)};
            Routed r = new Routed("service.name\u001fcheckout", rules, new long[] {1L, 2L, 3L}, t);
            written.add(r);
            s.serialize(r, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        List<Routed> read = new ArrayList<>();
        for (Routed r : written) {
            Routed back = s.deserialize(in);
            assertEquals(r.key, back.key);
            assertArrayEquals(r.versions, back.versions);
            for (int i = 0; i < r.rules.length; i++) {
                assertEquals(r.rules[i], back.ruleId(i));
            }
            assertEquals(r.record, back.record, r.record.signal + " record");
            assertNull(back.record.encoded, "the detectors' reading keeps no bytes");
            read.add(back);
        }
        assertEquals(0, in.available(), "every byte read");
        assertSame(read.get(0).key, read.get(5).key, "the key read once");
        String serviceKey = read.get(0).record.resource.keySet().iterator().next();
        assertSame(serviceKey, read.get(1).record.resource.keySet().iterator().next(), "an attribute key read once");
    }

    @Test
    void theSnapshotRecordsTheLayoutAndResolvesCompatibility() throws IOException {
        TypeSerializerSnapshot<Telemetry> snapshot = SERIALIZER.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(16);
        snapshot.writeSnapshot(out);
        TelemetrySerializer.Snapshot read = new TelemetrySerializer.Snapshot();
        read.readSnapshot(
                snapshot.getCurrentVersion(),
                new DataInputDeserializer(out.getCopyOfBuffer()),
                getClass().getClassLoader());
        assertTrue(SERIALIZER
                .snapshotConfiguration()
                .resolveSchemaCompatibility(read)
                .isCompatibleAsIs());
        TypeSerializerSnapshot<Telemetry> pojo =
                pojoTypeInfo().createSerializer(new SerializerConfigImpl()).snapshotConfiguration();
        TypeSerializerSchemaCompatibility<Telemetry> fromPojo =
                SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(pojo);
        assertTrue(fromPojo.isCompatibleAfterMigration(), fromPojo.toString());

        DataOutputSerializer future = new DataOutputSerializer(16);
        future.writeInt(TelemetrySerializer.FORMAT + 1);
        IOException e = assertThrows(
                IOException.class,
                () -> new TelemetrySerializer.Snapshot()
                        .readSnapshot(1, new DataInputDeserializer(future.getCopyOfBuffer()), null));
        assertTrue(e.getMessage().contains("newer Vigil"), e.getMessage());
    }

    /**
     * State of layout 1 (Flink's per-char strings) and of layout 2 (no record length) is read by that layout's restore
     * serializer and migrated.
     */
    @Test
    void stateOfEarlierLayoutsIsReadAfterAnUpgrade() throws IOException {
        assertEquals(3, TelemetrySerializer.FORMAT, "a new layout adds itself here");
        readAfterAnUpgrade(TelemetrySerializer.ofFormat(1));
        readAfterAnUpgrade(TelemetrySerializer.ofFormat(2));
    }

    private static void readAfterAnUpgrade(TelemetrySerializer layout) throws IOException {
        TypeSerializerSnapshot<Telemetry> old = layout.snapshotConfiguration();
        DataOutputSerializer snapshotBytes = new DataOutputSerializer(16);
        old.writeSnapshot(snapshotBytes);
        TelemetrySerializer.Snapshot restored = new TelemetrySerializer.Snapshot();
        restored.readSnapshot(
                old.getCurrentVersion(), new DataInputDeserializer(snapshotBytes.getCopyOfBuffer()), null);
        assertTrue(SERIALIZER
                .snapshotConfiguration()
                .resolveSchemaCompatibility(restored)
                .isCompatibleAfterMigration());
        TypeSerializer<Telemetry> reader = restored.restoreSerializer();
        for (Telemetry t : samples()) {
            DataInputDeserializer in = new DataInputDeserializer(bytes(layout, t));
            assertEquals(t, reader.deserialize(in), t.signal + " record of an earlier layout");
            assertEquals(0, in.available(), "every byte read");
        }
    }

    /** State written by the POJO serializer (Vigil before this serializer) is read back after a restore. */
    @SuppressWarnings("try") // the harness's close() may throw InterruptedException; the test fails then anyway
    @Test
    void stateWrittenByThePojoSerializerIsMigratedOnRestore() throws Exception {
        Telemetry t = samples().get(2);
        OperatorSubtaskState snapshot;
        try (var h = harness(pojoTypeInfo())) {
            h.open();
            h.processElement(t, 1L);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(TelemetryTypeInfo.INSTANCE)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(Telemetry.span(2L, "cart", "probe", 1, "ok"), 2L);
            assertEquals(List.of(t), h.extractOutputValues());
        }
    }

    /** Keeps the first record of a key in state; each later record emits the kept one. */
    private static KeyedOneInputStreamOperatorTestHarness<String, Telemetry, Telemetry> harness(
            TypeInformation<Telemetry> stateType) throws Exception {
        ValueStateDescriptor<Telemetry> kept = new ValueStateDescriptor<>("kept", stateType);
        KeyedProcessFunction<String, Telemetry, Telemetry> f = new KeyedProcessFunction<>() {
            @Override
            public void processElement(Telemetry value, Context ctx, Collector<Telemetry> out) throws Exception {
                ValueState<Telemetry> s = getRuntimeContext().getState(kept);
                if (s.value() == null) {
                    s.update(value);
                } else {
                    out.collect(s.value());
                }
            }
        };
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(f), Telemetry::service, Types.STRING);
    }

    /** Telemetry as Flink's POJO serializer saw it, field by field, as state of earlier versions was written. */
    @SuppressWarnings("unchecked")
    static PojoTypeInfo<Telemetry> pojoTypeInfo() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("signal", Types.ENUM(Signal.class));
        fields.put("timestamp", Types.LONG);
        fields.put("resource", Types.MAP(Types.STRING, Types.STRING));
        fields.put("attributes", Types.MAP(Types.STRING, Types.STRING));
        for (String s :
                List.of("name", "unit", "severity", "body", "traceId", "spanId", "parentSpanId", "kind", "status")) {
            fields.put(s, Types.STRING);
        }
        for (String d : List.of("value", "sum", "min", "max", "durationMs")) {
            fields.put(d, Types.DOUBLE);
        }
        fields.put("metricType", Types.ENUM(MetricType.class));
        fields.put("count", Types.LONG);
        fields.put("severityNumber", Types.INT);
        return (PojoTypeInfo<Telemetry>) Types.POJO(Telemetry.class, fields);
    }
}
