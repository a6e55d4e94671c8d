package io.vigil.rollup;

import com.tdunning.math.stats.MergingDigest;
import io.vigil.model.Rollup;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Everything one service did in one window: requests, errors, a latency t-digest, log records by severity and firing
 * alerts by rule and severity. Mergeable: a 5-minute window is the merge of its five 1-minute windows (t-digests
 * merge without keeping the samples), so each record is aggregated once. A Flink POJO.
 */
public class ServiceWindow {
    /** t-digest compression: about 1% relative error at p99 with a few KB per window. */
    static final double DIGEST_COMPRESSION = 100;

    static final double[] QUANTILES = {0.5, 0.95, 0.99};
    /** Latencies buffered before they are folded into the digest. */
    static final int PENDING = 128;

    private static final String SEP = "\u0001";

    public String service;
    public long windowStart;
    public long windowEnd;
    public long requests;
    public long errors;
    /** Latencies in milliseconds, t-digest in its compact byte form; null until the first request. */
    public byte[] latencyDigest;
    /**
     * Latencies not yet folded into {@link #latencyDigest} (the first {@link #pendingCount} entries). Folding one value
     * at a time decoded and re-encoded the digest for every request, the largest cost of the whole job in a profile
     * (17% of CPU under {@code bench rules}); folding {@link #PENDING} at a time makes it negligible.
     */
    public double[] pendingLatencies;

    public int pendingCount;

    @TypeInfo(StringLongMapTypeInfo.class)
    public Map<String, Long> logs = new TreeMap<>();
    /** Firing alerts by {@code rule SEP severity}. */
    @TypeInfo(StringLongMapTypeInfo.class)
    public Map<String, Long> alerts = new TreeMap<>();

    public ServiceWindow() {}

    public ServiceWindow(String service, long windowStart, long windowEnd) {
        this.service = service;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
    }

    /** Adds one record, or a batch of them. */
    public void add(RollupEvent e) {
        switch (e.type) {
            case RollupEvent.REQUEST:
                requests++;
                if (e.error) {
                    errors++;
                }
                addLatency(Math.max(0, e.durationMs));
                break;
            case RollupEvent.LOG:
                logs.merge(e.severity, 1L, Long::sum);
                break;
            case RollupEvent.ALERT:
                alerts.merge(e.rule + SEP + e.severity, 1L, Long::sum);
                break;
            case RollupEvent.BATCH:
                // The same latencies in the same order as one event at a time: the same digest to the bit.
                requests += e.requests;
                errors += e.errors;
                for (int i = 0; i < e.requests; i++) {
                    addLatency(Math.max(0, e.latencies[i]));
                }
                if (e.logs != null) {
                    e.logs.forEach((sev, n) -> logs.merge(sev, n, Long::sum));
                }
                break;
            default:
                throw new IllegalArgumentException("unknown rollup event type " + e.type);
        }
    }

    /** Adds another window's aggregate (of the same service) into this one. */
    public void merge(ServiceWindow o) {
        requests += o.requests;
        errors += o.errors;
        if (o.hasLatencies()) {
            MergingDigest d = digest();
            d.add(o.digest());
            latencyDigest = toBytes(d);
            pendingCount = 0;
        }
        o.logs.forEach((k, v) -> logs.merge(k, v, Long::sum));
        o.alerts.forEach((k, v) -> alerts.merge(k, v, Long::sum));
    }

    /** Latency quantile in milliseconds; NaN without requests. */
    public double latencyMs(double q) {
        return hasLatencies() ? digest().quantile(q) : Double.NaN;
    }

    /**
     * The window as rollups, each labelled {@code window=<label>} so the 1-minute and 5-minute series stay apart:
     * {@code request_rate_per_second}, {@code error_ratio} and {@code latency_seconds{quantile}} when there were
     * requests, {@code log_records{severity}} and {@code alerts{rule,severity}} per non-zero count.
     */
    public List<Rollup> toRollups(String windowLabel) {
        List<Rollup> out = new ArrayList<>();
        double seconds = (windowEnd - windowStart) / 1000.0;
        if (requests > 0) {
            out.add(rollup("request_rate_per_second", requests / seconds, requests, windowLabel));
            out.add(rollup("error_ratio", (double) errors / requests, requests, windowLabel));
            MergingDigest d = digest();
            for (double q : QUANTILES) {
                out.add(rollup("latency_seconds", d.quantile(q) / 1000.0, requests, windowLabel)
                        .label("quantile", Double.toString(q)));
            }
        }
        logs.forEach(
                (sev, n) -> out.add(rollup("log_records", n, n, windowLabel).label("severity", sev)));
        alerts.forEach((k, n) -> {
            int i = k.indexOf(SEP);
            out.add(rollup("alerts", n, n, windowLabel)
                    .label("rule", k.substring(0, i))
                    .label("severity", k.substring(i + 1)));
        });
        return out;
    }

    private Rollup rollup(String metric, double value, long count, String windowLabel) {
        return new Rollup(metric, service, windowStart, windowEnd, value, count).label("window", windowLabel);
    }

    private void addLatency(double ms) {
        if (pendingLatencies == null) {
            pendingLatencies = new double[8];
        } else if (pendingCount == pendingLatencies.length) {
            if (pendingLatencies.length < PENDING) {
                pendingLatencies = Arrays.copyOf(pendingLatencies, pendingLatencies.length * 2);
            } else {
                latencyDigest = toBytes(digest());
                pendingCount = 0;
            }
        }
        pendingLatencies[pendingCount++] = ms;
    }

    private boolean hasLatencies() {
        return latencyDigest != null || pendingCount > 0;
    }

    /** The digest of every latency so far, the pending ones included (this window's state is left as it is). */
    private MergingDigest digest() {
        MergingDigest d = latencyDigest == null
                ? new MergingDigest(DIGEST_COMPRESSION)
                : MergingDigest.fromBytes(ByteBuffer.wrap(latencyDigest));
        for (int i = 0; i < pendingCount; i++) {
            d.add(pendingLatencies[i]);
        }
        return d;
    }

    private static byte[] toBytes(MergingDigest d) {
        ByteBuffer buf = ByteBuffer.allocate(d.smallByteSize());
        d.asSmallBytes(buf);
        return buf.array();
    }

    @Override
    public String toString() {
        return "ServiceWindow{" + service + " [" + windowStart + "," + windowEnd + ") requests=" + requests + " errors="
                + errors + " logs=" + logs + " alerts=" + alerts + "}";
    }
}
