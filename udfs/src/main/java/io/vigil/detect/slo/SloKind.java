package io.vigil.detect.slo;

import io.vigil.detect.Detector;
import io.vigil.detect.SubMatch;
import io.vigil.model.Signal;
import io.vigil.rules.Durations;
import io.vigil.rules.Params;
import io.vigil.rules.RecordFilter;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleKind;
import io.vigil.rules.RuleSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code slo}: an availability or latency service-level objective over a period, alerting on error-budget burn with
 * multiple windows and burn rates (Google SRE Workbook). The rule's {@code match} selects every event that counts
 * (the total); {@code bad} or {@code good} (a match block) tells which of them spend the budget. Or the SLI comes
 * from a pair of counters ({@code total_metric} with {@code bad_metric} or {@code good_metric}).
 *
 * <pre>
 * kind: slo
 * match: {signal: span, service.name: checkout, kind: server}
 * key_by: [service.name]
 * params:
 *   objective: 99.9            # percent of good events (99.9, "99.9%" or 0.999)
 *   period: 30d                # the budget's period
 *   good: {duration_ms: {lte: 1200}}   # latency SLO; or bad: {status: error} for availability
 *   windows:                   # optional; these are the defaults
 *     - {alert: page,   severity: critical, burn_rate: 14.4, long: 1h, short: 5m}
 *     - {alert: page,   severity: critical, burn_rate: 6,    long: 6h, short: 30m}
 *     - {alert: ticket, severity: medium,   burn_rate: 1,    long: 3d, short: 6h}
 *   min_count: 1000            # events a long window needs before it is judged (default 1): few events are noisy
 * </pre>
 */
public final class SloKind implements RuleKind {
    static final Set<String> PARAMS = Set.of(
            "objective",
            "period",
            "good",
            "bad",
            "total_metric",
            "good_metric",
            "bad_metric",
            "counter",
            "windows",
            "resolution",
            "coarse_resolution",
            "min_count");
    static final Set<String> WINDOW_FIELDS = Set.of("alert", "severity", "burn_rate", "long", "short");

    /** The SRE Workbook's recommended pairs for a 30-day budget. */
    static final List<BurnRatePair> DEFAULT_WINDOWS = List.of(
            new BurnRatePair(
                    "page",
                    "critical",
                    14.4,
                    Duration.ofHours(1).toMillis(),
                    Duration.ofMinutes(5).toMillis()),
            new BurnRatePair(
                    "page",
                    "critical",
                    6,
                    Duration.ofHours(6).toMillis(),
                    Duration.ofMinutes(30).toMillis()),
            new BurnRatePair(
                    "ticket",
                    "medium",
                    1,
                    Duration.ofDays(3).toMillis(),
                    Duration.ofHours(6).toMillis()));

    @Override
    public String name() {
        return "slo";
    }

    @Override
    public boolean judgesConditions() {
        return true;
    }

    @Override
    public Detector compile(RuleSpec spec, Params p) {
        p.rejectUnknown(PARAMS);
        BigDecimal objective = objective(p);
        Duration period = p.duration("period", Duration.ofDays(30));
        Duration resolution = p.duration("resolution", Duration.ofMinutes(1));
        Duration coarse = p.duration("coarse_resolution", Duration.ofHours(1));
        long res = resolution.toMillis();
        if (coarse.toMillis() < res || coarse.toMillis() % res != 0) {
            p.problem(
                    "params.coarse_resolution",
                    "coarse_resolution " + Durations.format(coarse.toMillis())
                            + " must be a multiple of the resolution " + Durations.format(res),
                    "e.g. resolution: 1m with " + "coarse_resolution: 1h");
            coarse = Duration.ofMillis(res * 60);
        }
        long minCount = p.integer("min_count", 1, 1);

        RecordFilter good = SubMatch.compile(p, "good");
        RecordFilter bad = SubMatch.compile(p, "bad");
        String totalMetric = p.string("total_metric", null);
        String goodMetric = p.string("good_metric", null);
        String badMetric = p.string("bad_metric", null);
        boolean metrics = totalMetric != null || goodMetric != null || badMetric != null;
        boolean events = good != null || bad != null || p.has("good") || p.has("bad");
        Sli sli;
        if (metrics && events) {
            p.problem(
                    "params",
                    "an SLO counts either events (good or bad) or metrics (total_metric with good_metric "
                            + "or bad_metric), not both",
                    null);
            sli = null;
        } else if (metrics) {
            if (totalMetric == null || (goodMetric == null) == (badMetric == null)) {
                p.problem(
                        "params",
                        "a metric SLO needs total_metric and exactly one of good_metric or bad_metric",
                        "e.g. total_metric: http.server.requests, bad_metric: http.server.errors");
            }
            if (io.vigil.rules.Match.signal(spec) != null && io.vigil.rules.Match.signal(spec) != Signal.METRIC) {
                p.problem(
                        "match.signal",
                        "a metric SLO reads metric points, but the rule matches signal "
                                + io.vigil.rules.Match.signal(spec).wireName(),
                        "match: {signal: metric, name: [<total>, <bad>]}");
            }
            String counter = p.oneOf("counter", "cumulative", "cumulative", "delta");
            sli = Sli.metrics(totalMetric, goodMetric, badMetric, "cumulative".equals(counter));
        } else if (p.has("good") && p.has("bad")) {
            p.problem(
                    "params.bad",
                    "give either good or bad, not both",
                    "the other is everything else the match " + "selects");
            sli = null;
        } else if (!p.has("good") && !p.has("bad")) {
            p.problem(
                    "params",
                    "an SLO needs good or bad (a match block over the records the rule matches), or "
                            + "total_metric with good_metric or bad_metric",
                    "e.g. bad: {status: error} (availability) or good: {duration_ms: {lte: 500}} (latency)");
            sli = null;
        } else {
            sli = Sli.events(good, bad);
        }

        List<BurnRatePair> pairs = windows(p, res, period.toMillis());
        return new SloDetector(objective, period.toMillis(), sli, pairs, res, coarse.toMillis(), minCount);
    }

    /**
     * The objective as the exact decimal its author wrote, as a fraction: {@code 99.9}, {@code "99.9%"} and {@code
     * 0.999} are the same number here, so a burn exactly on a factor pages the same whichever way it is written (as
     * doubles, 99.9 / 100 and 0.999 differ in the last bit and leave budgets that differ by one part in 10^12).
     */
    private static BigDecimal objective(Params p) {
        BigDecimal fallback = new BigDecimal("0.999");
        if (!p.has("objective")) {
            p.problem("params", "missing parameter 'objective'", "the share of good events, e.g. objective: 99.9");
            return fallback;
        }
        String text = p.string("objective", "99.9").trim();
        boolean percent = text.endsWith("%");
        BigDecimal v;
        try {
            v = new BigDecimal(percent ? text.substring(0, text.length() - 1).trim() : text);
        } catch (NumberFormatException e) {
            p.problem(
                    "params.objective",
                    "objective must be a number such as 99.9, \"99.9%\" or 0.999, not '" + text + "'",
                    null);
            return fallback;
        }
        BigDecimal fraction = percent || v.compareTo(BigDecimal.ONE) > 0 ? v.movePointLeft(2) : v;
        if (fraction.signum() <= 0 || fraction.compareTo(BigDecimal.ONE) >= 0) {
            p.problem(
                    "params.objective",
                    "objective must be above 0% and below 100%, not " + text,
                    "a 100% objective leaves no error budget to burn");
            return fallback;
        }
        return fraction;
    }

    @SuppressWarnings("unchecked")
    private static List<BurnRatePair> windows(Params p, long res, long period) {
        Object raw = p.spec().params == null ? null : p.spec().params.get("windows");
        if (raw == null) {
            return checkAgainst(p, DEFAULT_WINDOWS, res, period, "params");
        }
        if (!(raw instanceof List) || ((List<Object>) raw).isEmpty()) {
            p.problem(
                    "params.windows",
                    "windows must be a non-empty list of {alert, severity, burn_rate, long, short}",
                    null);
            return DEFAULT_WINDOWS;
        }
        List<BurnRatePair> pairs = new ArrayList<>();
        List<Object> list = (List<Object>) raw;
        for (int i = 0; i < list.size(); i++) {
            String at = "params.windows[" + i + "]";
            if (!(list.get(i) instanceof Map)) {
                p.problem(
                        at,
                        "each window must be a mapping such as {alert: page, burn_rate: 14.4, long: 1h, "
                                + "short: 5m}",
                        null);
                continue;
            }
            Map<String, Object> w = (Map<String, Object>) list.get(i);
            for (String k : w.keySet()) {
                if (!WINDOW_FIELDS.contains(k)) {
                    p.problem(
                            at + "." + k,
                            "unknown window field '" + k + "'",
                            io.vigil.rules.RuleLocations.didYouMean(k, WINDOW_FIELDS));
                }
            }
            String alert = w.get("alert") == null ? "page" : w.get("alert").toString();
            if (!alert.matches("[a-z][a-z0-9_-]*")) {
                p.problem(
                        at + ".alert",
                        "alert name '" + alert + "' must be lower-case letters, digits, '_' or '-'",
                        "e.g. page or ticket");
            }
            String severity = w.get("severity") == null
                    ? p.spec().severity
                    : w.get("severity").toString();
            if (!RuleCompiler.SEVERITIES.contains(severity)) {
                p.problem(
                        at + ".severity",
                        "severity must be one of info, low, medium, high, critical, not '" + severity + "'",
                        null);
            }
            double burn = Double.NaN;
            Object b = w.get("burn_rate");
            if (b == null) {
                p.problem(at, "window needs burn_rate", "e.g. burn_rate: 14.4");
            } else {
                try {
                    burn = b instanceof Number ? ((Number) b).doubleValue() : Double.parseDouble(b.toString());
                } catch (NumberFormatException e) {
                    // reported below
                }
                if (!(burn > 0) || Double.isInfinite(burn)) {
                    p.problem(at + ".burn_rate", "burn_rate must be a number above 0, not '" + b + "'", null);
                }
            }
            long lw = windowDuration(p, w, "long", at);
            long sw = windowDuration(p, w, "short", at);
            pairs.add(new BurnRatePair(alert, severity, burn, lw, sw));
        }
        return checkAgainst(p, pairs, res, period, "params.windows");
    }

    private static long windowDuration(Params p, Map<String, Object> w, String name, String at) {
        Object v = w.get(name);
        if (v == null) {
            p.problem(at, "window needs " + name, name.equals("long") ? "e.g. long: 1h" : "e.g. short: 5m");
            return 0;
        }
        try {
            long ms = Durations.parse(v.toString()).toMillis();
            if (ms <= 0) {
                p.problem(at + "." + name, name + " must be longer than 0", null);
            }
            return ms;
        } catch (IllegalArgumentException e) {
            p.problem(at + "." + name, e.getMessage(), null);
            return 0;
        }
    }

    private static List<BurnRatePair> checkAgainst(
            Params p, List<BurnRatePair> pairs, long res, long period, String path) {
        for (int i = 0; i < pairs.size(); i++) {
            BurnRatePair w = pairs.get(i);
            String at = path.equals("params") ? "params" : path + "[" + i + "]";
            if (w.longWindow <= 0 || w.shortWindow <= 0) {
                continue;
            }
            if (w.shortWindow >= w.longWindow) {
                p.problem(
                        at + ".short",
                        "short window " + Durations.format(w.shortWindow) + " must be shorter than "
                                + "the long window " + Durations.format(w.longWindow),
                        "the Workbook uses 1/12 of the long one");
            }
            for (long d : new long[] {w.longWindow, w.shortWindow}) {
                if (d % res != 0) {
                    p.problem(
                            at,
                            "window " + Durations.format(d) + " is not a multiple of the resolution "
                                    + Durations.format(res),
                            "use whole minutes, or a finer resolution");
                }
            }
            if (w.longWindow > period) {
                p.problem(
                        at + ".long",
                        "long window " + Durations.format(w.longWindow) + " is longer than the SLO " + "period "
                                + Durations.format(period),
                        null);
            }
        }
        return pairs;
    }
}
