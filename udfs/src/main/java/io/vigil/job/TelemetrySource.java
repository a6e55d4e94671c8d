package io.vigil.job;

import io.vigil.model.Ingested;
import java.io.Serializable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Where the job's telemetry comes from: Kafka on a cluster, the generator in the demo, files in a replay, a fixed list
 * in a test. A source decodes its own records (so watermarks are generated on decoded event time, per Kafka partition)
 * and emits dead letters in-line as {@link Ingested}; the job splits them off.
 */
@FunctionalInterface
public interface TelemetrySource extends Serializable {
    DataStream<Ingested> create(StreamExecutionEnvironment env, WatermarkStrategy<Ingested> watermarks);
}
