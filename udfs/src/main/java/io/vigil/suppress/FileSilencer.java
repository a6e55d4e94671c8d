package io.vigil.suppress;

import io.vigil.model.Alert;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * {@link Silencer} for a job whose silences are fixed for the run (a silences file, no topic): the same marking and
 * {@code alertsSilenced} metric, without a broadcast input.
 */
public class FileSilencer extends RichMapFunction<Alert, Alert> {
    private static final long serialVersionUID = 1L;

    private final Silences silences;
    private transient Counter silenced;

    public FileSilencer(Silences silences) {
        this.silences = silences;
    }

    @Override
    public void open(OpenContext context) {
        silenced = getRuntimeContext().getMetricGroup().counter("alertsSilenced");
    }

    @Override
    public Alert map(Alert a) {
        if (Silences.mark(a, silences.silences())) {
            silenced.inc();
        }
        return a;
    }
}
