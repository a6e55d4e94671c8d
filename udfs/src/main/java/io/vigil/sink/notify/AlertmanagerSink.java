package io.vigil.sink.notify;

import io.vigil.incident.GroupedByIncident;
import io.vigil.model.Alert;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreWriteTopology;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Sends alerts to one or more Alertmanagers with the v2 API ({@link AlertmanagerPayload}), leaving out inhibited and
 * silenced ones ({@link DeliveryFilter}). Before the writer, an
 * {@link AlertmanagerNotifier} keyed by alert key re-sends live alerts on an interval from checkpointed state; the
 * writer ({@link NotifyWriter}) posts asynchronously with retries and bounded requests in flight. At-least-once: the
 * Alertmanager de-duplicates by labels, so a repeat is harmless. In the job it gets the alerts as the incident stage
 * grouped them ({@link GroupedByIncident}), so each carries its incident as the label {@code incident}.
 */
public class AlertmanagerSink implements Sink<Alert>, SupportsPreWriteTopology<Alert>, GroupedByIncident {
    private static final long serialVersionUID = 1L;
    /** Uid of the re-send operator that runs before the sink. */
    public static final String NOTIFIER_UID = "alerts-alertmanager-notifier";
    /** Uid of the operator that leaves out inhibited and silenced alerts ({@link DeliveryFilter}). */
    public static final String DELIVERY_UID = "alerts-alertmanager-delivery";

    private final NotifyConfig config;

    public AlertmanagerSink(NotifyConfig config) {
        this.config = config.validate();
    }

    @Override
    public DataStream<Alert> addPreWriteTopology(DataStream<Alert> alerts) {
        return alerts.keyBy(a -> a.key, Types.STRING)
                .process(new DeliveryFilter())
                .name("Alertmanager: leave out inhibited and silenced")
                .uid(DELIVERY_UID)
                .keyBy(a -> a.key, Types.STRING)
                .process(new AlertmanagerNotifier(config))
                .name("Alertmanager re-send")
                .uid(NOTIFIER_UID);
    }

    @Override
    public SinkWriter<Alert> createWriter(WriterInitContext context) {
        return new NotifyWriter(
                config, AlertmanagerPayload.notifications(config), context.metricGroup(), System::currentTimeMillis);
    }
}
