package io.vigil.privacy;

import io.vigil.rules.RuleUpdate;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Where the privacy policy enters the job graph before the sinks: one operator before each family of sinks (every
 * rule), each taking policy updates from the rules' broadcast stream. The {@code before_detection} rules run in the rule
 * router ({@code io.vigil.detect.RuleRouter}), which reads the same stream. Without settings the graph is left as it
 * was.
 */
public final class PrivacyStages {
    private PrivacyStages() {}

    /**
     * {@code stream} (named like its sinks: {@code alerts}, {@code rollups}, {@code dead-letters}) as its sinks may
     * see it, uid {@code privacy-<stream>}. A new output stream gets its redaction here, with a {@link Redactor}
     * method for its type.
     */
    public static <T> DataStream<T> outputs(
            String stream,
            DataStream<T> results,
            DataStream<RuleUpdate> updates,
            PrivacySettings settings,
            PrivacyFunction.Redaction<T> redaction) {
        if (settings == null) {
            return results;
        }
        return results.connect(updates.broadcast(PrivacyFunction.POLICY))
                .process(new PrivacyFunction<>(settings, redaction), results.getType())
                .name("Privacy: " + stream)
                .uid("privacy-" + stream);
    }
}
