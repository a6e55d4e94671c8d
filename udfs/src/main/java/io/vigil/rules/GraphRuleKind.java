package io.vigil.rules;

import io.vigil.detect.Detector;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A rule kind that becomes part of the job graph itself (for example a Flink CEP pattern), so its rules change only
 * when the job is redeployed from a savepoint ({@code bin/vigil deploy}). A kind may run only some shapes of rule in
 * the graph ({@link #hotReloadable(RuleSpec)} false) and the others in the shared detector operator.
 */
public interface GraphRuleKind extends RuleKind {
    /**
     * Adds the operators for the enabled rules of this kind that are not {@link #hotReloadable(RuleSpec)}, reading the
     * job's telemetry; returns their alerts.
     */
    DataStream<Alert> attach(DataStream<Telemetry> telemetry, List<CompiledRule> rules);

    @Override
    default boolean hotReloadable() {
        return false;
    }

    /** Graph rules are not run by the shared detector operator; compile only checks the parameters. */
    @Override
    default Detector compile(RuleSpec spec, Params params) {
        check(spec, params);
        return null;
    }

    void check(RuleSpec spec, Params params);
}
