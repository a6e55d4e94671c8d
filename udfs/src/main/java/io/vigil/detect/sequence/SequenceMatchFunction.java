package io.vigil.detect.sequence;

import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/** Turns one CEP match into one firing alert ({@link SequenceAlerts}). */
final class SequenceMatchFunction extends PatternProcessFunction<Telemetry, Alert> {
    private static final long serialVersionUID = 1L;

    private final String ruleJson;
    private final ArrayList<Step> steps;
    private final int evidence;
    private transient SequenceAlerts alerts;
    private transient Counter matches;

    SequenceMatchFunction(String ruleJson, List<Step> steps, int evidence) {
        this.ruleJson = ruleJson;
        this.steps = new ArrayList<>(steps);
        this.evidence = evidence;
    }

    @Override
    public void open(OpenContext openContext) {
        alerts = new SequenceAlerts(ruleJson, steps, evidence);
        matches = getRuntimeContext().getMetricGroup().counter("sequenceMatches");
    }

    @Override
    public void processMatch(Map<String, List<Telemetry>> match, Context ctx, Collector<Alert> out) {
        if (alerts == null) { // the harness and tests may call without open()
            alerts = new SequenceAlerts(ruleJson, steps, evidence);
        }
        Alert a = alerts.of(match);
        if (a == null) {
            return;
        }
        if (matches != null) {
            matches.inc();
        }
        out.collect(a);
    }
}
