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
 * POSTs each alert that leaves realert (a firing alert, a reminder the rule's realert period lets through, a resolve)
 * to one or more webhook receivers, in Alertmanager's webhook payload ({@link WebhookPayload}), signed when a secret
 * is set, through the same asynchronous, retrying, bounded delivery as the Alertmanager output ({@link NotifyWriter}).
 * No re-send: a webhook gets each state change once (more than once only after a failure and replay). Inhibited and
 * silenced alerts are left out ({@link DeliveryFilter}).
 */
public class WebhookSink implements Sink<Alert>, SupportsPreWriteTopology<Alert>, GroupedByIncident {
    private static final long serialVersionUID = 1L;
    /** Uid of the operator that leaves out inhibited and silenced alerts. */
    public static final String DELIVERY_UID = "alerts-webhook-delivery";

    private final NotifyConfig config;

    public WebhookSink(NotifyConfig config) {
        this.config = config.validate();
    }

    @Override
    public DataStream<Alert> addPreWriteTopology(DataStream<Alert> alerts) {
        return alerts.keyBy(a -> a.key, Types.STRING)
                .process(new DeliveryFilter())
                .name("Webhook: leave out inhibited and silenced")
                .uid(DELIVERY_UID);
    }

    @Override
    public SinkWriter<Alert> createWriter(WriterInitContext context) {
        return new NotifyWriter(
                config, WebhookPayload.notifications(config), context.metricGroup(), System::currentTimeMillis);
    }
}
