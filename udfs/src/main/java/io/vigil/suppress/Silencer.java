package io.vigil.suppress;

import io.vigil.model.Alert;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks alerts that a silence or maintenance window covers ({@link Alert#silencedBy}) and counts them (the
 * {@code alertsSilenced} metric); silenced alerts are passed on, never dropped. The silences are the file's (travelling
 * with the function) and the silence topic's (in broadcast state {@link #SILENCES}, checkpointed, so every instance and
 * a restored job hold them all); a topic entry replaces a file entry with the same id.
 *
 * <p>Whether a silence applies is judged at the alert's event time, so a replay mutes what the silence muted live and
 * an expired silence stops muting at its end, not when the expiry reached the job. Assumes about the streams: alerts
 * are not keyed; silence updates are few and carry no event time; an alert judged before an update arrived keeps its
 * verdict (alerts are not held back waiting for silences).
 */
public class Silencer extends BroadcastProcessFunction<Alert, SilenceUpdate, Alert> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(Silencer.class);

    /** The topic's silences by id. */
    public static final MapStateDescriptor<String, Silence> SILENCES =
            new MapStateDescriptor<>("vigil.silences", Types.STRING, TypeInformation.of(Silence.class));

    private final Silences file;
    private transient Counter silenced;

    public Silencer(Silences file) {
        this.file = file;
    }

    @Override
    public void open(OpenContext context) {
        silenced = getRuntimeContext().getMetricGroup().counter("alertsSilenced");
    }

    @Override
    public void processElement(Alert a, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        List<Silence> all = new ArrayList<>();
        for (var e : ctx.getBroadcastState(SILENCES).immutableEntries()) {
            all.add(e.getValue());
        }
        for (Silence s : file.silences()) {
            if (!ctx.getBroadcastState(SILENCES).contains(s.id)) {
                all.add(s);
            }
        }
        if (Silences.mark(a, all)) {
            silenced.inc();
        }
        out.collect(a);
    }

    @Override
    public void processBroadcastElement(SilenceUpdate u, Context ctx, Collector<Alert> out) throws Exception {
        if (u.id == null || u.id.isEmpty()) {
            return;
        }
        BroadcastState<String, Silence> state = ctx.getBroadcastState(SILENCES);
        if (u.isRemoval()) {
            if (state.contains(u.id)) {
                state.remove(u.id);
                LOG.info("Silence {} removed from the topic", u.id);
            }
        } else {
            LOG.info("Silence {} {} from the topic: {}", u.id, state.contains(u.id) ? "changed" : "added", u.silence);
            state.put(u.id, u.silence);
        }
    }
}
