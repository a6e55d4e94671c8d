package io.vigil.detect.slo;

import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import io.vigil.rules.RecordFilter;
import java.util.Map;
import java.util.TreeMap;

/**
 * How records become the SLI's events: each record the rule matches is one event, bad when it matches {@code bad} (or
 * fails {@code good}); or counters, where the increase of {@code total_metric} counts events and the increase of
 * {@code bad_metric} (or {@code total - good_metric}) the bad ones.
 */
final class Sli {
    /** What a metric point is: a reading of the total, good or bad counter, or none of them. */
    enum Role {
        TOTAL,
        GOOD,
        BAD,
        NONE
    }

    private final RecordFilter good;
    private final RecordFilter bad;
    final String totalMetric;
    final String goodMetric;
    final String badMetric;
    final boolean cumulative;

    private Sli(
            RecordFilter good,
            RecordFilter bad,
            String totalMetric,
            String goodMetric,
            String badMetric,
            boolean cumulative) {
        this.good = good;
        this.bad = bad;
        this.totalMetric = totalMetric;
        this.goodMetric = goodMetric;
        this.badMetric = badMetric;
        this.cumulative = cumulative;
    }

    static Sli events(RecordFilter good, RecordFilter bad) {
        return new Sli(good, bad, null, null, null, false);
    }

    static Sli metrics(String total, String good, String bad, boolean cumulative) {
        return new Sli(null, null, total, good, bad, cumulative);
    }

    boolean fromMetrics() {
        return totalMetric != null;
    }

    /** Counted from good events: buckets then hold good counts, and bad = total - good. */
    boolean countsGood() {
        return fromMetrics() ? goodMetric != null : good != null;
    }

    /** For event SLIs: does this record count in the second counter (bad, or good when {@link #countsGood})? */
    boolean second(Telemetry t) {
        return good != null ? good.test(t) : bad.test(t);
    }

    Role role(Telemetry t) {
        if (t.signal != Signal.METRIC || t.name == null) {
            return Role.NONE;
        }
        if (t.name.equals(totalMetric)) {
            return Role.TOTAL;
        }
        if (t.name.equals(goodMetric)) {
            return Role.GOOD;
        }
        return t.name.equals(badMetric) ? Role.BAD : Role.NONE;
    }

    /** Identity of a counter series (name, resource and attributes), so increases are taken per series. */
    static String series(Telemetry t) {
        return t.name + '|' + sorted(t.resource) + '|' + sorted(t.attributes);
    }

    private static String sorted(Map<String, String> m) {
        return m == null ? "{}" : new TreeMap<>(m).toString();
    }
}
