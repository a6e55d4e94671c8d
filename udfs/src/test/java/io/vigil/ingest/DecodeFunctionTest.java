package io.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.DeadLetter;
import io.vigil.model.RawRecord;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class DecodeFunctionTest {
    private static final long T = OtlpSamples.T_MS;

    private static RawRecord raw(String json, String format) {
        return new RawRecord(json.getBytes(StandardCharsets.UTF_8), "file:in.jsonl:" + json.length(), format);
    }

    @Test
    void splitsTelemetryAndDeadLettersByFormatAndCountsReasons() throws Exception {
        DecodeFunction fn = new DecodeFunction();
        // Closed in finally, not try-with-resources: its close() may throw InterruptedException (javac -Xlint:try).
        OneInputStreamOperatorTestHarness<RawRecord, Telemetry> h = ProcessFunctionTestHarnesses.forProcessFunction(fn);
        try {
            h.processElement(raw("{\"signal\":\"event\",\"timestamp\":" + T + ",\"name\":\"deploy\"}", "json"), T);
            h.processElement(
                    new RawRecord(OtlpSamples.traces().toByteArray(), "kafka:otlp_spans/0@7", "otlp-proto:traces"), T);
            h.processElement(
                    raw("{\"signal\":\"metric\",\"timestamp\":" + T + ",\"name\":\"cpu\",\"value\":NaN}", "json"), T);
            h.processElement(raw("{\"truncated\":", "json"), T);
            h.processElement(raw("{}", "csv"), T);

            List<Telemetry> out = h.extractOutputValues();
            assertEquals(
                    List.of(Signal.EVENT, Signal.SPAN, Signal.SPAN),
                    out.stream().map(t -> t.signal).collect(Collectors.toList()));

            List<DeadLetter> dead = h.getSideOutput(DecodeFunction.DEAD_LETTERS).stream()
                    .map(StreamRecord::getValue)
                    .collect(Collectors.toList());
            assertEquals(
                    List.of(Reasons.INVALID_VALUE, Reasons.PARSE_ERROR, Reasons.UNKNOWN_FORMAT),
                    dead.stream().map(d -> d.reason).collect(Collectors.toList()));
            assertEquals("csv", dead.get(2).format);
            assertEquals("file:in.jsonl:2", dead.get(2).origin);

            assertEquals(5, fn.metrics.recordsIn.getCount());
            assertEquals(3, fn.metrics.telemetryOut.getCount());
            assertEquals(1, fn.metrics.deadLetters(Reasons.INVALID_VALUE).getCount());
            assertEquals(1, fn.metrics.deadLetters(Reasons.PARSE_ERROR).getCount());
            assertEquals(1, fn.metrics.deadLetters(Reasons.UNKNOWN_FORMAT).getCount());
            assertEquals(0, fn.metrics.deadLetters(Reasons.OVERSIZE).getCount());
        } finally {
            h.close();
        }
    }

    @Test
    void splitsWhatADecodingSourceEmits() throws Exception {
        SplitDeadLetters fn = new SplitDeadLetters();
        OneInputStreamOperatorTestHarness<io.vigil.model.Ingested, Telemetry> h =
                ProcessFunctionTestHarnesses.forProcessFunction(fn);
        try {
            TelemetryDecoder decoder = Decoders.forFormat("otlp-proto:logs");
            List<io.vigil.model.Ingested> decoded = new java.util.ArrayList<>();
            decoder.decode(OtlpSamples.logs().toByteArray(), "kafka:otlp_logs/0@1", decoded::add);
            decoder.decode(new byte[] {1, 2, 3}, "kafka:otlp_logs/0@2", decoded::add);
            for (io.vigil.model.Ingested i : decoded) {
                h.processElement(i, T);
            }
            assertEquals(3, h.extractOutputValues().size());
            List<DeadLetter> dead = h.getSideOutput(DecodeFunction.DEAD_LETTERS).stream()
                    .map(StreamRecord::getValue)
                    .collect(Collectors.toList());
            assertEquals(1, dead.size());
            assertEquals("kafka:otlp_logs/0@2", dead.get(0).origin);
            assertEquals(4, fn.metrics.recordsIn.getCount());
            assertEquals(3, fn.metrics.telemetryOut.getCount());
            assertEquals(1, fn.metrics.deadLetters(Reasons.PARSE_ERROR).getCount());
        } finally {
            h.close();
        }
    }
}
