package io.vigil.incident;

import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** Adds incident correlation to a job graph: the alerts and the telemetry in, a stream of incident revisions out. */
public final class IncidentStream {
    /** The correlator's uid: its keyed state holds open incidents. */
    public static final String UID = "incidents";

    private IncidentStream() {}

    /**
     * Incidents from {@code alerts} (after realert and enrichment) and the error records of {@code telemetry}, both keyed
     * by the grouping key; {@code parallelism} 0 keeps the environment's default.
     */
    public static SingleOutputStreamOperator<Incident> attach(
            DataStream<Alert> alerts, DataStream<Telemetry> telemetry, IncidentConfig config, int parallelism) {
        GroupKeys keys = new GroupKeys(config.validate().groupBy);
        DataStream<Telemetry> errors = telemetry
                .filter(t -> GroupKeys.isError(t) && keys.of(t) != null)
                .name("Incident error records")
                .uid("incident-error-records");
        SingleOutputStreamOperator<Incident> incidents = alerts.keyBy(keys::of, Types.STRING)
                .connect(errors.keyBy(keys::of, Types.STRING))
                .process(new IncidentCorrelator(config), TypeInformation.of(Incident.class))
                .name("Incidents")
                .uid(UID);
        return parallelism > 0 ? incidents.setParallelism(parallelism) : incidents;
    }
}
