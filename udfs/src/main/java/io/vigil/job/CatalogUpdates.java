package io.vigil.job;

import io.vigil.alert.CatalogUpdate;
import io.vigil.alert.kafka.CatalogTopic;
import java.io.Serializable;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Where service-catalog changes come from while the job runs: the compacted catalog topic on a cluster
 * ({@link #of(CatalogTopic)}), a fixed list in a test. Set in {@link DetectionConfig#catalogUpdates}; the job then
 * enriches alerts with {@link io.vigil.alert.BroadcastAlertEnricher}.
 *
 * <p>The stream must not hold event time back (its watermark is connected to the alerts'): the topic's is always the
 * end of time; a bounded test stream ends, which does the same.
 */
@FunctionalInterface
public interface CatalogUpdates extends Serializable {
    DataStream<CatalogUpdate> updates(StreamExecutionEnvironment env);

    static CatalogUpdates of(CatalogTopic topic) {
        return topic::updates;
    }
}
