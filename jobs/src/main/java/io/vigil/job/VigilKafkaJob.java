package io.vigil.job;

import io.vigil.alert.AlertJson;
import io.vigil.ingest.Decoders;
import io.vigil.ingest.kafka.DecoderFactory;
import io.vigil.ingest.kafka.KafkaTelemetrySource;
import io.vigil.sink.kafka.KafkaSinks;

import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.List;

/**
 * The Vigil job wired to Kafka: telemetry topics in, alerts, dead letters and (optionally) rollups out, all exactly
 * once. Shared by {@link VigilJobMain} (the job jar's entry point) and the end-to-end benchmark.
 */
public final class VigilKafkaJob {
    private VigilKafkaJob() {}

    /** Decoders by format name, made on the task from {@link Decoders}. */
    static final DecoderFactory DECODERS = format -> Decoders.forFormat(format)::decode;

    /** Parallelism and exactly-once checkpointing from the configuration (overriding the cluster's defaults). */
    public static void configure(StreamExecutionEnvironment env, VigilJobConfig c) {
        if (c.parallelism > 0) env.setParallelism(c.parallelism);
        env.enableCheckpointing(c.checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
    }

    public static KafkaTelemetrySource source(VigilJobConfig c) {
        return new KafkaTelemetrySource(c.bootstrapServers, c.topics, c.groupId, c.startOffsets, c.clientProperties,
                DECODERS);
    }

    public static KafkaSinks sinks(VigilJobConfig c) {
        return new KafkaSinks(c.bootstrapServers, c.transactionalIdPrefix, c.transactionTimeout, c.clientProperties);
    }

    /** Adds the whole job to {@code env}; {@code bounded} reads the topics up to their current end, then finishes. */
    public static void build(StreamExecutionEnvironment env, VigilJobConfig c, boolean bounded) {
        configure(env, c);
        KafkaTelemetrySource kafka = bounded ? source(c).bounded() : source(c);
        KafkaSinks out = sinks(c);
        DetectionJob.Sinks sinks = new DetectionJob.Sinks(
                List.of(out.alerts(c.alertsTopic, AlertJson::toBytes)),
                c.rollupsTopic == null ? List.of() : List.of(out.rollups(c.rollupsTopic)),
                List.of(out.deadLetters(c.deadLettersTopic)));
        new DetectionJob(detectionConfig(c), kafka::create, RuleSource.directory(c.rulesDir), sinks).build(env);
    }

    static DetectionConfig detectionConfig(VigilJobConfig c) {
        DetectionConfig d = new DetectionConfig();
        d.watermarkDelay = c.watermarkDelay;
        d.watermarkIdleness = c.watermarkIdleness;
        return d;
    }
}
