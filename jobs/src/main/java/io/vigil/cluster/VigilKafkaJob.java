package io.vigil.cluster;

import io.vigil.ingest.kafka.DecoderFactory;
import io.vigil.ingest.kafka.KafkaTelemetrySource;
import io.vigil.sink.kafka.KafkaSinks;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The Kafka ends of the Vigil job and its checkpointing, from a {@link VigilJobConfig}. */
public final class VigilKafkaJob {
    private VigilKafkaJob() {}

    /**
     * Parallelism and exactly-once checkpointing from the configuration (overriding the cluster's defaults); no Kryo
     * fallback and no generated uids whatever the cluster says.
     */
    public static void configure(StreamExecutionEnvironment env, VigilJobConfig c) {
        if (c.parallelism > 0) env.setParallelism(c.parallelism);
        Configuration pipeline = new Configuration();
        // A type that falls back to Kryo is slow and its state cannot evolve: fail when the job is built instead.
        pipeline.set(PipelineOptions.GENERIC_TYPES, false);
        // Every operator names its state by an explicit uid, so savepoints survive changes to the graph; Flink then
        // refuses to build a graph with an operator that has none.
        pipeline.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        env.configure(pipeline);
        env.enableCheckpointing(c.checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
    }

    public static KafkaTelemetrySource source(VigilJobConfig c, DecoderFactory decoders) {
        return new KafkaTelemetrySource(
                c.bootstrapServers, c.topics, c.groupId, c.startOffsets, c.clientProperties, decoders);
    }

    public static KafkaSinks sinks(VigilJobConfig c) {
        return new KafkaSinks(c.bootstrapServers, c.transactionalIdPrefix, c.transactionTimeout, c.clientProperties);
    }
}
