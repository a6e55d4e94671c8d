package io.vigil.suppress;

import io.vigil.suppress.kafka.SilenceTopic;
import java.io.Serializable;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Where silences come from while the job runs: the compacted silence topic on a cluster ({@link #of(SilenceTopic)}),
 * a fixed list in a test. The stream must not hold event time back: the topic's watermark is always the end of time; a
 * bounded test stream ends, which does the same.
 */
@FunctionalInterface
public interface SilenceUpdates extends Serializable {
    DataStream<SilenceUpdate> updates(StreamExecutionEnvironment env);

    static SilenceUpdates of(SilenceTopic topic) {
        return topic::updates;
    }
}
