package io.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.DeadLetter;
import io.vigil.model.RawRecord;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * The whole bad-record corpus, mixed with good records, through a real (local MiniCluster) Flink job with generic
 * types disabled: the job finishes, every good record comes out, every bad one comes out of the dead-letter side
 * output with its reason, and nothing needs Kryo.
 */
class DecodePipelineTest {

    @Test
    void badRecordsEndAsDeadLettersWhileTheJobKeepsRunning() throws Exception {
        List<RawRecord> input = new ArrayList<>();
        Map<String, Integer> expectedReasons = new TreeMap<>();
        String manifest = new String(OtlpDecoderTest.resource("badrecords/manifest.tsv"), StandardCharsets.UTF_8);
        int good = 0;
        int line = 0;
        for (String row : manifest.split("\n")) {
            line++;
            if (row.isBlank() || row.startsWith("#")) {
                continue;
            }
            String[] f = row.split("\t");
            if (f[0].equals("oversize.json")) {
                continue; // only oversize under the corpus test's small limit
            }
            input.add(new RawRecord(OtlpDecoderTest.resource("badrecords/" + f[0]), "file:manifest.tsv:" + line, f[1]));
            expectedReasons.merge(f[2], 1, Integer::sum);
            // A good record after every bad one: the job must go on decoding.
            Telemetry t = Telemetry.event(OtlpSamples.T_MS + line, "svc", "after." + line);
            input.add(new RawRecord(TelemetryJson.write(t).getBytes(StandardCharsets.UTF_8), "gen:" + line, "json"));
            good++;
        }
        input.add(new RawRecord(OtlpSamples.traces().toByteArray(), "kafka:otlp_spans/0@0", "otlp-proto:traces"));
        good += 2;

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        SingleOutputStreamOperator<Telemetry> telemetry = env.fromData(input).process(new DecodeFunction());
        DataStream<String> dead = telemetry
                .getSideOutput(DecodeFunction.DEAD_LETTERS)
                .map((DeadLetter d) -> "dead " + d.reason)
                .returns(Types.STRING);
        DataStream<String> out = telemetry
                .map((Telemetry t) -> "telemetry " + t.signal.wireName())
                .returns(Types.STRING)
                .union(dead);

        int telemetryOut = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        // Closed in finally, not try-with-resources: its close() may throw InterruptedException (javac -Xlint:try).
        CloseableIterator<String> it = out.executeAndCollect("decode-pipeline-test");
        try {
            while (it.hasNext()) {
                String s = it.next();
                if (s.startsWith("dead ")) {
                    reasons.merge(s.substring(5), 1, Integer::sum);
                } else {
                    telemetryOut++;
                }
            }
        } finally {
            it.close();
        }
        assertEquals(good, telemetryOut);
        assertEquals(expectedReasons, reasons);
    }
}
