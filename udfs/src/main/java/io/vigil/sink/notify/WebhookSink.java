package io.vigil.sink.notify;

import io.vigil.model.Alert;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * POSTs each alert that leaves realert (a firing alert, a reminder the rule's realert period lets through, a resolve)
 * to one or more webhook receivers, in Alertmanager's webhook payload ({@link WebhookPayload}), signed when a secret
 * is set, through the same asynchronous, retrying, bounded delivery as the Alertmanager output ({@link NotifyWriter}).
 * No re-send: a webhook gets each state change once (more than once only after a failure and replay).
 */
public class WebhookSink implements Sink<Alert> {
    private static final long serialVersionUID = 1L;

    private final NotifyConfig config;

    public WebhookSink(NotifyConfig config) {
        this.config = config.validate();
    }

    @Override
    public SinkWriter<Alert> createWriter(WriterInitContext context) {
        return new NotifyWriter(
                config, WebhookPayload.notifications(config), context.metricGroup(), System::currentTimeMillis);
    }
}
