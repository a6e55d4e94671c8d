package io.vigil.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.ingest.Decoders;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.OtlpEncoder;
import io.vigil.ingest.file.TelemetryFileSource;
import io.vigil.model.Alert;
import io.vigil.model.Ingested;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays of recorded files run the same job: the same 3.5 simulated hours written as canonical JSON lines and as
 * length-prefixed OTLP protobuf export requests raise the same alerts (same ids), and a folder mixing good data with
 * the bad-record corpus sends every bad file to the dead letters with its reason while alerts still come out.
 */
class ReplayTest {
    static final List<Path> RULES = List.of(Path.of("..", "rules", "latency"), Path.of("..", "rules", "errors"));
    static final TelemetryGenerator GENERATOR =
            new TelemetryGenerator(7, TelemetryGenerator.DEFAULT_START, Duration.ofMinutes(210));

    @Test
    void jsonAndOtlpProtoRecordingsRaiseTheSameAlerts(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("in/json/telemetry.jsonl");
        Path proto = dir.resolve("in/proto/telemetry.otlp");
        writeRecordings(json, proto);

        // An OTLP request groups a tick's records by resource, so the protobuf recording is out of order by up to one
        // tick (10 s). A watermark delay above that keeps every record on time in both replays; with the default 5 s,
        // which records count as late would depend on wall-clock watermark timing, and so would some alerts.
        DetectionConfig onTime = new DetectionConfig().watermarkDelay(Duration.ofSeconds(15));
        JobRun fromJson = JobRun.run(
                new TelemetryFileSource(List.of(json), "json", IngestLimits.defaults()),
                RuleSource.directory(RULES.toArray(Path[]::new)),
                dir.resolve("out-json"),
                onTime);
        JobRun fromProto = JobRun.run(
                new TelemetryFileSource(List.of(proto), "otlp-proto", IngestLimits.defaults()),
                RuleSource.directory(RULES.toArray(Path[]::new)),
                dir.resolve("out-proto"),
                onTime);

        TreeSet<String> jsonIds = ids(fromJson.alerts);
        assertTrue(jsonIds.stream().anyMatch(i -> i.startsWith("service-latency-p95-")), jsonIds.toString());
        assertTrue(jsonIds.stream().anyMatch(i -> i.startsWith("service-error-burst-")), jsonIds.toString());
        assertEquals(jsonIds, ids(fromProto.alerts));
        assertEquals(2, fromJson.deadLetters.size(), "the generator's broken records in the first 3.5 hours");
        assertEquals(List.of(), fromProto.deadLetters, "the protobuf recording holds only the good records");
        assertTrue(
                fromJson.deadLetters.get(0).get("origin").asText().matches("file:.*telemetry.jsonl:\\d+"),
                fromJson.deadLetters.get(0).toString());
    }

    @Test
    void badRecordCorpusEndsInDeadLettersWhileTheJobRuns(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in");
        Path json = in.resolve("good/telemetry.jsonl");
        writeRecordings(json, null);
        // Every corpus file read as canonical JSON. An empty file holds no line, so no record, in a JSON-lines replay.
        Map<String, String> expected = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(Path.of("src/test/resources/badrecords/manifest.tsv"))) {
            String[] f = line.split("\t");
            if (line.startsWith("#") || f.length < 3 || !f[1].equals("json") || f[0].equals("empty.json")) {
                continue;
            }
            Files.createDirectories(in.resolve("bad"));
            Files.copy(
                    Path.of("src/test/resources/badrecords", f[0]),
                    in.resolve("bad").resolve(f[0]));
            expected.put(f[0], f[2]);
        }

        JobRun run = JobRun.run(
                new TelemetryFileSource(List.of(in), "json", limits()),
                RuleSource.directory(RULES.toArray(Path[]::new)),
                dir.resolve("out"));

        Map<String, String> got = new java.util.TreeMap<>();
        for (JsonNode d : run.deadLetters) {
            String origin = d.get("origin").asText();
            if (origin.contains("/bad/")) {
                String file = origin.substring(origin.indexOf("/bad/") + 5, origin.lastIndexOf(':'));
                got.put(file, d.get("reason").asText());
                assertFalse(d.get("detail").asText().isEmpty(), d.toString());
            }
        }
        assertEquals(expected, got);
        assertFalse(run.firing().isEmpty(), "alerts still come out of the good data");
    }

    /** The bad-record corpus is checked with a 4 KiB record limit; the future bound stays on. */
    private static IngestLimits limits() {
        return IngestLimits.defaults().withMaxRecordBytes(4096);
    }

    private static TreeSet<String> ids(List<Alert> alerts) {
        return alerts.stream().map(a -> a.id).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The generator's records as JSON lines and, per tick and signal, as length-prefixed OTLP export requests. */
    private static void writeRecordings(Path json, Path proto) throws IOException {
        Files.createDirectories(json.getParent());
        if (proto != null) {
            Files.createDirectories(proto.getParent());
        }
        var decoder = Decoders.forFormat("json", IngestLimits.defaults().withoutFutureBound());
        try (OutputStream j = Files.newOutputStream(json);
                DataOutputStream p = proto == null ? null : new DataOutputStream(Files.newOutputStream(proto))) {
            for (long t = 0; t < GENERATOR.ticks(); t++) {
                List<Telemetry> tick = new ArrayList<>();
                for (byte[] raw : GENERATOR.tick(t)) {
                    j.write(raw);
                    j.write('\n');
                    List<Ingested> decoded = new ArrayList<>();
                    decoder.decode(raw, "test", decoded::add);
                    decoded.stream().filter(i -> !i.isDead()).forEach(i -> tick.add(i.telemetry));
                }
                if (p != null) {
                    frame(
                            p,
                            OtlpEncoder.logs(of(tick, Signal.LOG, Signal.EVENT)).toByteArray());
                    frame(p, OtlpEncoder.metrics(of(tick, Signal.METRIC)).toByteArray());
                    frame(p, OtlpEncoder.traces(of(tick, Signal.SPAN)).toByteArray());
                }
            }
        }
    }

    private static List<Telemetry> of(List<Telemetry> tick, Signal... signals) {
        return tick.stream()
                .filter(t -> Stream.of(signals).anyMatch(s -> s == t.signal))
                .toList();
    }

    private static void frame(DataOutputStream out, byte[] message) throws IOException {
        if (message.length > 0) {
            out.writeInt(message.length);
            out.write(message);
        }
    }
}
