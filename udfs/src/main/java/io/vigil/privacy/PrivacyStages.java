package io.vigil.privacy;

import io.vigil.model.Telemetry;
import io.vigil.privacy.PrivacyPolicy.Stage;
import io.vigil.rules.RuleUpdate;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Where the privacy policy enters the job graph: one operator on the decoded records (the {@code before_detection}
 * rules) and one before each family of sinks (every rule). Each takes policy updates from the rules' broadcast stream.
 * Without settings the graph is left as it was.
 */
public final class PrivacyStages {
    private PrivacyStages() {}

    /** The records as detection should see them (uid {@code privacy-before-detection}). */
    public static DataStream<Telemetry> beforeDetection(
            DataStream<Telemetry> records, DataStream<RuleUpdate> updates, PrivacySettings settings) {
        if (settings == null) {
            return records;
        }
        return records.connect(updates.broadcast(PrivacyFunction.POLICY))
                .process(
                        new PrivacyFunction<Telemetry>(settings, (r, t) -> r.telemetry(t, Stage.BEFORE_DETECTION)),
                        records.getType())
                .name("Privacy: before detection")
                .uid("privacy-before-detection");
    }

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
