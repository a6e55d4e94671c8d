package io.vigil.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One value of one aggregated series over one window: the single shape every rollup takes, whether it is a request
 * rate, a latency percentile, a burn rate or an anomaly model's expected value. A chart draws a series from rollups
 * with the same {@link #metric} and {@link #labels}; Prometheus gets {@code metric{labels} value @ windowEnd}.
 */
public class Rollup {
    /** Prometheus-style metric name without prefix, e.g. {@code request_rate_per_second}, {@code latency_p95_seconds}. */
    public String metric;

    public String service;
    /** Further dimensions (series, rule, severity, quantile, ...); keep their cardinality bounded. */
    @TypeInfo(StringMapTypeInfo.class)
    public Map<String, String> labels = new LinkedHashMap<>();

    public long windowStart;
    public long windowEnd;
    public double value;
    /** Number of records that contributed. */
    public long count;

    public Rollup() {}

    public Rollup(String metric, String service, long windowStart, long windowEnd, double value, long count) {
        this.metric = metric;
        this.service = service;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.value = value;
        this.count = count;
    }

    public Rollup label(String k, String v) {
        labels.put(k, v);
        return this;
    }

    /** Identity of the series: metric, service and sorted labels. Document ids are this plus the window start. */
    public String seriesId() {
        StringBuilder b =
                new StringBuilder(metric).append('{').append("service=").append(service);
        new java.util.TreeMap<>(labels)
                .forEach((k, v) -> b.append(',').append(k).append('=').append(v));
        return b.append('}').toString();
    }

    @Override
    public String toString() {
        return seriesId() + "[" + windowStart + "," + windowEnd + ")=" + value;
    }
}
