package io.vigil.sink.prometheus;

import io.vigil.model.Rollup;
import io.vigil.sink.prometheus.proto.RemoteWrite;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.xerial.snappy.Snappy;

/**
 * Turns rollups into a remote-write {@code WriteRequest}: one {@code TimeSeries} per distinct
 * {@code <prefix><metric>{service, labels...}}, labels sorted by name (the protocol requires it), samples at the
 * window's end sorted oldest first, one sample per series and timestamp (the last one wins, as a replay sends the
 * same value again); serialized and snappy block-compressed as the protocol wants.
 */
public final class RemoteWriteRequests {
    private RemoteWriteRequests() {}

    /** Prometheus metric name for a rollup: the prefix plus the metric with invalid characters replaced. */
    public static String metricName(String prefix, String metric) {
        String name = prefix + metric.replaceAll("[^a-zA-Z0-9_:]", "_");
        return Character.isDigit(name.charAt(0)) ? "_" + name : name;
    }

    /** A valid label name: {@code service.name} becomes {@code service_name}; reserved {@code __} names are escaped. */
    public static String labelName(String name) {
        String n = name.replaceAll("[^a-zA-Z0-9_]", "_");
        if (n.isEmpty() || Character.isDigit(n.charAt(0))) {
            n = "_" + n;
        }
        return n.startsWith("__") ? "label" + n : n;
    }

    /** The series' labels, sorted by name, {@code __name__} included. */
    public static TreeMap<String, String> labels(String prefix, Rollup r) {
        TreeMap<String, String> l = new TreeMap<>();
        for (Map.Entry<String, String> e : r.labels.entrySet()) {
            if (e.getValue() != null && !e.getValue().isEmpty()) {
                l.put(labelName(e.getKey()), e.getValue());
            }
        }
        if (r.service != null) {
            l.put("service", r.service);
        }
        l.put("__name__", metricName(prefix, r.metric));
        return l;
    }

    public static RemoteWrite.WriteRequest build(String prefix, List<Rollup> rollups) {
        Map<TreeMap<String, String>, TreeMap<Long, Double>> series = new java.util.LinkedHashMap<>();
        for (Rollup r : rollups) {
            series.computeIfAbsent(labels(prefix, r), k -> new TreeMap<>()).put(r.windowEnd, r.value);
        }
        RemoteWrite.WriteRequest.Builder req = RemoteWrite.WriteRequest.newBuilder();
        List<Map.Entry<TreeMap<String, String>, TreeMap<Long, Double>>> entries = new ArrayList<>(series.entrySet());
        for (Map.Entry<TreeMap<String, String>, TreeMap<Long, Double>> e : entries) {
            RemoteWrite.TimeSeries.Builder ts = req.addTimeseriesBuilder();
            e.getKey().forEach((k, v) -> ts.addLabelsBuilder().setName(k).setValue(v));
            e.getValue()
                    .forEach((t, v) -> ts.addSamplesBuilder().setTimestamp(t).setValue(v));
        }
        return req.build();
    }

    /** The HTTP body: the serialized request, snappy block format (not framed). */
    public static byte[] body(RemoteWrite.WriteRequest request) throws IOException {
        return Snappy.compress(request.toByteArray());
    }
}
