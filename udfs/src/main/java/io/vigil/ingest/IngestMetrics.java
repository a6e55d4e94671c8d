package io.vigil.ingest;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The ingest counters of one operator: {@code recordsDecoded} (raw records in), {@code telemetryOut}, and
 * {@code deadLetters} in a subgroup per reason ({@code reason=parse_error}, ...), which reporters such as Prometheus
 * turn into a {@code reason} label. Every known reason is registered up front so dashboards see zeros, not gaps.
 */
final class IngestMetrics {
    final Counter recordsIn;
    final Counter telemetryOut;
    private final MetricGroup group;
    private final Map<String, Counter> deadByReason = new HashMap<>();

    IngestMetrics(MetricGroup group) {
        this.group = group;
        this.recordsIn = group.counter("recordsDecoded");
        this.telemetryOut = group.counter("telemetryOut");
        for (String reason : Reasons.ALL) {
            deadLetters(reason);
        }
    }

    /** The dead-letter counter of one reason. */
    Counter deadLetters(String reason) {
        return deadByReason.computeIfAbsent(
                reason == null ? "unknown" : reason,
                r -> group.addGroup("reason", r).counter("deadLetters"));
    }
}
