package io.vigil.suppress;

import io.vigil.model.Alert;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The suppression stage between enrichment and the sinks: inhibition ({@link Inhibitor}, keyed, in event time), then
 * silences ({@link Silencer} with the silence topic, else {@link FileSilencer}). Both only mark alerts; every output
 * gets every alert, and the Alertmanager and webhook outputs leave the marked ones out
 * ({@link io.vigil.sink.notify.DeliveryFilter}). A part that has nothing to do (no inhibition rules; no silences file
 * and no topic) is left out of the graph, so a job without them runs as before.
 */
public final class Suppression {
    public static final String INHIBITOR_UID = "inhibit-alerts";
    public static final String SILENCER_UID = "silence-alerts";
    public static final String FILE_SILENCER_UID = "silence-alerts-file";

    private Suppression() {}

    /**
     * @param silenceUpdates the silence topic, or null when silences are fixed for the run
     * @param parallelism of the inhibitor; 0 keeps the environment's default
     */
    public static DataStream<Alert> attach(
            StreamExecutionEnvironment env,
            DataStream<Alert> alerts,
            InhibitRules inhibitRules,
            Silences silences,
            SilenceUpdates silenceUpdates,
            int parallelism) {
        DataStream<Alert> out = alerts;
        if (inhibitRules != null && !inhibitRules.isEmpty()) {
            SingleOutputStreamOperator<Alert> inhibited = out.keyBy(Inhibitor.keySelector(inhibitRules), Types.STRING)
                    .process(new Inhibitor(inhibitRules))
                    .name("Inhibit alerts")
                    .uid(INHIBITOR_UID);
            out = parallelism > 0 ? inhibited.setParallelism(parallelism) : inhibited;
        }
        Silences file = silences != null ? silences : Silences.none();
        if (silenceUpdates != null) {
            out = out.connect(silenceUpdates.updates(env).broadcast(Silencer.SILENCES))
                    .process(new Silencer(file))
                    .name("Silence alerts (silence topic)")
                    .uid(SILENCER_UID);
        } else if (!file.silences().isEmpty()) {
            out = out.map(new FileSilencer(file)).name("Silence alerts").uid(FILE_SILENCER_UID);
        }
        return out;
    }
}
