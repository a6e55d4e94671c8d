package io.vigil.ingest.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.ingest.Reasons;
import io.vigil.model.Ingested;
import io.vigil.model.Telemetry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class TelemetryDeserializerTest {
    /** A stand-in decoder (the real ones are tested in io.vigil.ingest): one metric per payload, named by format. */
    private static final DecoderFactory FAKE = format -> (payload, origin, out) -> {
        if (payload[0] == '!') throw new IllegalStateException("boom");
        Telemetry t = Telemetry.metric(1, "svc", format + ":" + new String(payload, StandardCharsets.UTF_8), 1);
        t.attributes.put("origin", origin);
        out.accept(Ingested.of(t));
    };

    private static List<Ingested> decode(TelemetryDeserializer d, String topic, byte[] value) {
        List<Ingested> out = new ArrayList<>();
        d.deserialize(new ConsumerRecord<>(topic, 3, 42L, null, value), new Collector<>() {
            @Override
            public void collect(Ingested record) {
                out.add(record);
            }

            @Override
            public void close() {}
        });
        return out;
    }

    @Test
    void decodesWithTheTopicsFormatAndNamesTheOrigin() {
        TelemetryDeserializer d =
                new TelemetryDeserializer(TopicFormats.topics(Map.of("a", "json", "b", "otlp-proto:metrics")), FAKE);
        List<Ingested> a = decode(d, "a", "x".getBytes(StandardCharsets.UTF_8));
        assertEquals("json:x", a.get(0).telemetry.name);
        assertEquals("kafka:a/3@42", a.get(0).telemetry.attributes.get("origin"));
        assertEquals(
                "otlp-proto:metrics:y",
                decode(d, "b", "y".getBytes(StandardCharsets.UTF_8)).get(0).telemetry.name);
    }

    @Test
    void patternGivesEveryTopicOneFormat() {
        TelemetryDeserializer d = new TelemetryDeserializer(TopicFormats.pattern("otel-.*", "otlp-json"), FAKE);
        assertEquals(
                "otlp-json:z",
                decode(d, "otel-logs", "z".getBytes(StandardCharsets.UTF_8)).get(0).telemetry.name);
    }

    @Test
    void aDecoderThatFailsMidwayCostsOnlyItsRecordAndEmitsNothingTwice() {
        // Emits one record, then fails: a recursion too deep for the stack (a regex on a long syslog line) or a bug.
        DecoderFactory halfway = format -> (payload, origin, out) -> {
            out.accept(Ingested.of(Telemetry.metric(1, "svc", "first", 1)));
            if (payload[0] == 'S') {
                throw new StackOverflowError();
            }
            throw new IllegalArgumentException("x".repeat(10_000));
        };
        TelemetryDeserializer d = new TelemetryDeserializer(TopicFormats.topics(Map.of("a", "syslog")), halfway);
        for (String value : List.of("S", "I")) {
            List<Ingested> out = decode(d, "a", value.getBytes(StandardCharsets.UTF_8));
            assertEquals(1, out.size(), "only the dead letter, not the record emitted before the failure: " + out);
            assertEquals(Reasons.DECODER_ERROR, out.get(0).deadLetter.reason);
            assertArrayEquals(value.getBytes(StandardCharsets.UTF_8), out.get(0).deadLetter.raw);
            assertTrue(out.get(0).deadLetter.detail.length() <= Reasons.MAX_DETAIL_CHARS);
        }
    }

    @Test
    void emptyRecordsAndDecoderFailuresBecomeDeadLetters() {
        TelemetryDeserializer d = new TelemetryDeserializer(TopicFormats.topics(Map.of("a", "json")), FAKE);
        Ingested empty = decode(d, "a", null).get(0);
        assertEquals("empty_record", empty.deadLetter.reason);
        assertEquals("kafka:a/3@42", empty.deadLetter.origin);
        assertNull(empty.telemetry);

        byte[] bad = "!bad".getBytes(StandardCharsets.UTF_8);
        Ingested failed = decode(d, "a", bad).get(0);
        assertEquals("decoder_error", failed.deadLetter.reason);
        assertEquals("json", failed.deadLetter.format);
        assertArrayEquals(bad, failed.deadLetter.raw);
        assertEquals("IllegalStateException: boom", failed.deadLetter.detail);
    }

    @Test
    void unknownTopicIsADeadLetterNotADrop() {
        TelemetryDeserializer d = new TelemetryDeserializer(TopicFormats.topics(Map.of("a", "json")), FAKE);
        assertEquals("unknown_topic", decode(d, "other", new byte[] {1}).get(0).deadLetter.reason);
    }
}
