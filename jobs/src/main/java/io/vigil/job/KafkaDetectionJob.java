package io.vigil.job;

import io.vigil.alert.AlertJson;
import io.vigil.ingest.Decoders;
import io.vigil.ingest.kafka.DecoderFactory;
import io.vigil.ingest.kafka.KafkaTelemetrySource;
import io.vigil.rules.kafka.RuleTopic;
import io.vigil.sink.kafka.KafkaSinks;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.List;

/**
 * The Vigil detection job wired to Kafka: telemetry topics in, alerts, dead letters and (optionally) rollups out, all
 * exactly once. Shared by {@link VigilJobMain} (the job jar's entry point) and the end-to-end benchmark.
 */
public final class KafkaDetectionJob {
    private KafkaDetectionJob() {}

    /** Decoders by format name, made on the task from {@link Decoders}. */
    public static final DecoderFactory DECODERS = format -> Decoders.forFormat(format)::decode;

    public static KafkaTelemetrySource source(VigilJobConfig c) {
        return VigilKafkaJob.source(c, DECODERS);
    }

    /** Adds the whole job to {@code env}; {@code bounded} reads the topics up to their current end, then finishes. */
    public static void build(StreamExecutionEnvironment env, VigilJobConfig c, boolean bounded) {
        VigilKafkaJob.configure(env, c);
        KafkaTelemetrySource kafka = bounded ? source(c).bounded() : source(c);
        KafkaSinks out = VigilKafkaJob.sinks(c);
        DetectionJob.Sinks sinks = new DetectionJob.Sinks(
                List.of(out.alerts(c.alertsTopic, AlertJson::toBytes)),
                c.rollupsTopic == null ? List.of() : List.of(out.rollups(c.rollupsTopic)),
                List.of(out.deadLetters(c.deadLettersTopic)));
        RuleSource rules = RuleSource.directory(c.rulesDir);
        if (c.rulesTopic != null) {
            rules = rules.withUpdates(new RuleTopic(c.bootstrapServers, c.rulesTopic, c.jobName + "-rules",
                    c.clientProperties));
        }
        new DetectionJob(detectionConfig(c), kafka::create, rules, sinks).build(env);
    }

    /** Watermark delay and idleness come from the job config. */
    static DetectionConfig detectionConfig(VigilJobConfig c) {
        return new DetectionConfig().watermarkDelay(c.watermarkDelay).watermarkIdleness(c.watermarkIdleness);
    }
}
