package io.vigil.rules.testing;

import io.vigil.alert.Realert;
import io.vigil.detect.DetectorOperator;
import io.vigil.detect.Routed;
import io.vigil.detect.RuleBook;
import io.vigil.detect.RuleRouter;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;

import java.util.List;

/**
 * The keyed detection part of the job graph, as {@code DetectionJob} builds it: records routed to every rule they
 * match (broadcast rules), one keyed {@link DetectorOperator} for all hot-reloadable rules, then {@link Realert} per
 * alert key. Rule unit tests and the hot-reload test run exactly these operators. (Once DetectionJob is on main and
 * exposes this part, this class should delegate to it.)
 */
public final class RuleGraph {
    private RuleGraph() {}

    /**
     * @param updates rule changes while the job runs; its watermark must not hold event time back (a bounded stream
     *     that ends, or {@link io.vigil.rules.kafka.RuleTopic#watermarks()})
     */
    public static DataStream<Alert> alerts(DataStream<Telemetry> telemetry, DataStream<RuleUpdate> updates,
            List<RuleSpec> initial) {
        RuleBook book = new RuleBook(initial);
        BroadcastStream<RuleUpdate> rules = updates.broadcast(RuleBook.RULES);
        DataStream<Routed> routed = telemetry.connect(rules).process(new RuleRouter(book)).name("Route to rules")
                .uid("rule-router");
        return routed.keyBy(r -> r.key, Types.STRING).connect(rules).process(new DetectorOperator(book))
                .name("Detect").uid("detector")
                .keyBy(a -> a.key, Types.STRING).process(new Realert()).name("Realert").uid("realert");
    }
}
