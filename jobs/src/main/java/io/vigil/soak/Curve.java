package io.vigil.soak;

/**
 * The curves a soak samples, in CSV column order. Each is a level the job should hold steady once warmed up: sizes in
 * MB or KB, durations in ms, rates per second, counts per sampling interval.
 */
public enum Curve {
    JOBMANAGER_HEAP("jobmanager_heap_used_mb", "JobManager heap used", "MB"),
    TASKMANAGER_HEAP("taskmanager_heap_used_mb", "TaskManager heap used (all TaskManagers)", "MB"),
    STATE_SIZE("state_size_mb", "Checkpointed state, full size (last checkpoint: RocksDB files)", "MB"),
    LIVE_STATE("live_state_kb", "Live state (canonical savepoint)", "KB"),
    CHECKPOINT_SIZE("last_checkpoint_size_kb", "Last checkpoint, size written (incremental)", "KB"),
    CHECKPOINT_DURATION("last_checkpoint_duration_ms", "Last checkpoint, end-to-end duration", "ms"),
    RECORDS_IN("records_in_per_s", "Records/s out of the Kafka telemetry source (60 s rate)", "1/s"),
    RECORDS_PRODUCED("records_produced_per_s", "Records/s produced by the soak", "1/s"),
    ALERTS_COMMITTED("alerts_committed", "Alerts committed in the interval (read_committed)", "alerts"),
    LATENCY_P50("alert_latency_p50_ms", "Alert latency, median (commit seen - event time)", "ms"),
    LATENCY_P95("alert_latency_p95_ms", "Alert latency, 95th percentile", "ms");

    /** The CSV column. */
    public final String column;
    /** The plot panel's title. */
    public final String title;

    public final String unit;

    Curve(String column, String title, String unit) {
        this.column = column;
        this.title = title;
        this.unit = unit;
    }

    /** The curve of a CSV column, or null. */
    public static Curve ofColumn(String column) {
        for (Curve c : values()) if (c.column.equals(column)) return c;
        return null;
    }
}
