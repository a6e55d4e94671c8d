package io.vigil.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.alert.AlertJson;
import io.vigil.model.Alert;
import io.vigil.sink.file.JsonLinesSink;
import io.vigil.sink.kafka.DeadLetterJson;
import io.vigil.sink.kafka.RollupJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs {@link DetectionJob} to completion in a local MiniCluster with generic types disabled (so any Kryo fallback
 * fails the run) and JSON-lines sinks, then reads back what it wrote: the same sinks the demo and replay use.
 */
final class JobRun {
    final List<Alert> alerts = new ArrayList<>();
    final List<JsonNode> rollups = new ArrayList<>();
    final List<JsonNode> deadLetters = new ArrayList<>();

    static JobRun run(TelemetrySource source, RuleSource rules, Path out) throws Exception {
        return run(source, rules, out, new DetectionConfig());
    }

    static JobRun run(TelemetrySource source, RuleSource rules, Path out, DetectionConfig config) throws Exception {
        return run(source, rules, out, config, new Configuration());
    }

    /** As above, with settings of the run itself (a savepoint to start from, ...). */
    static JobRun run(TelemetrySource source, RuleSource rules, Path out, DetectionConfig config, Configuration conf)
            throws Exception {
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        config.parallelism = 2;
        config.watermarkEveryRecord = true;
        DetectionJob.Sinks sinks = new DetectionJob.Sinks(
                List.of(DetectionJob.NamedSink.of(
                        "file", new JsonLinesSink<>(out.resolve("alerts.jsonl"), AlertJson::toBytes))),
                List.of(DetectionJob.NamedSink.of(
                        "file", new JsonLinesSink<>(out.resolve("rollups.jsonl"), RollupJson::toBytes))),
                List.of(DetectionJob.NamedSink.of(
                        "file", new JsonLinesSink<>(out.resolve("dead-letters.jsonl"), DeadLetterJson::toBytes))));
        new DetectionJob(config, source, rules, sinks).build(env);
        env.execute("test");
        JobRun r = new JobRun();
        ObjectMapper m = new ObjectMapper();
        for (String line : lines(out.resolve("alerts.jsonl"))) {
            r.alerts.add(AlertJson.fromBytes(line.getBytes(StandardCharsets.UTF_8)));
        }
        for (String line : lines(out.resolve("rollups.jsonl"))) {
            r.rollups.add(m.readTree(line));
        }
        for (String line : lines(out.resolve("dead-letters.jsonl"))) {
            r.deadLetters.add(m.readTree(line));
        }
        return r;
    }

    List<Alert> firing() {
        return alerts.stream().filter(a -> Alert.FIRING.equals(a.status)).toList();
    }

    private static List<String> lines(Path p) throws IOException {
        return Files.exists(p)
                ? Files.readAllLines(p).stream().filter(l -> !l.isBlank()).toList()
                : List.of();
    }
}
