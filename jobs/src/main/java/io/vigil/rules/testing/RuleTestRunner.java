package io.vigil.rules.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.EveryRecordWatermarks;
import io.vigil.job.RuleSource;
import io.vigil.job.TelemetrySource;
import io.vigil.model.Alert;
import io.vigil.model.Ingested;
import io.vigil.model.MetricType;
import io.vigil.model.Severities;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.Durations;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleValidator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs rule unit tests ({@code vigil rules test}). Each test case is one bounded job on a local Flink MiniCluster
 * (one cluster per run):
 * the case's records, in event time, through the real job graph ({@link DetectionJob}: dead-letter split, router,
 * keyed detector operator with state and timers, graph kinds, realert) with the job's default watermark settings, the watermark emitted after every record ({@link EveryRecordWatermarks})
 * so event time advances as in a live stream and the result does not depend on the machine's speed. A MiniCluster rather than an operator test harness because the harness classes
 * live in Flink's test jars (not shipped with the CLI), and because the whole keyed graph, key routing and realert
 * included, is what authors need to trust. A case's run ends at its {@code eval_until} (by default the newest
 * record's time): the windows of every kind that closed by then are judged and no later ones; {@code eval_time}
 * bounds which alerts (by their event time) a check compares.
 */
public final class RuleTestRunner implements AutoCloseable {
    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    /** What one test file gave. */
    public static final class Result {
        public final Path file;
        public int cases;
        public int passed;
        /** One block of readable text per failed check, the diff included. */
        public final List<String> failures = new ArrayList<>();

        Result(Path file) {
            this.file = file;
        }

        public boolean ok() {
            return failures.isEmpty() && cases > 0;
        }
    }

    /** One local cluster for every test case of a run: a job submission costs far less than a cluster start. */
    private final MiniCluster cluster;

    private RuleTestRunner(MiniCluster cluster) {
        this.cluster = cluster;
    }

    /** Starts the local cluster the tests run on; close it when done. */
    public static RuleTestRunner start() throws Exception {
        Configuration conf = new Configuration();
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(2)
                .withRandomPorts()
                .build());
        cluster.start();
        return new RuleTestRunner(cluster);
    }

    /** Runs one test file on a cluster of its own. */
    public static Result run(Path testFile) throws Exception {
        try (RuleTestRunner runner = start()) {
            return runner.test(testFile);
        }
    }

    /** Stops the local cluster; unchecked, so callers can use try-with-resources without -Xlint:try warnings. */
    @Override
    public void close() {
        try {
            cluster.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the local Flink cluster: " + e.getMessage(), e);
        }
    }

    /** Runs the test cases of one file. */
    public Result test(Path testFile) throws Exception {
        Result result = new Result(testFile);
        RuleTestFile spec;
        try {
            spec = YAML.readValue(testFile.toFile(), RuleTestFile.class);
        } catch (JsonProcessingException e) {
            String field = e instanceof UnrecognizedPropertyException
                    ? " (unknown field '" + ((UnrecognizedPropertyException) e).getPropertyName() + "')"
                    : "";
            result.failures.add(testFile + ":"
                    + (e.getLocation() == null ? 1 : e.getLocation().getLineNr()) + ":"
                    + (e.getLocation() == null ? 1 : e.getLocation().getColumnNr()) + ": " + e.getOriginalMessage()
                    + field);
            return result;
        }
        List<Path> ruleFiles = new ArrayList<>();
        for (String f : spec.ruleFiles) {
            ruleFiles.add(testFile.toAbsolutePath().getParent().resolve(f).normalize());
        }
        if (ruleFiles.isEmpty()) {
            result.failures.add(testFile + ":1:1: no rule_files to test");
            return result;
        }
        RuleValidator.Report report = RuleValidator.validate(ruleFiles);
        if (!report.ok()) {
            report.problems.forEach(p -> result.failures.add(p.toString()));
            return result;
        }
        List<RuleSpec> rules = new ArrayList<>();
        for (CompiledRule r : report.rules) {
            rules.add(r.spec);
        }
        long start = Instant.parse(spec.start).toEpochMilli();
        for (RuleTestFile.TestCase tc : spec.tests) {
            result.cases++;
            String name = tc.name == null ? "test " + result.cases : tc.name;
            List<String> failed = new ArrayList<>();
            try {
                List<Telemetry> input = inputs(tc, start);
                Long until = tc.evalUntil == null
                        ? null
                        : start + Durations.parse(tc.evalUntil).toMillis();
                List<Alert> got = runJob(input, rules, until);
                for (RuleTestFile.AlertCheck check : tc.alertRuleTest) {
                    String diff = compare(check, got, start);
                    if (diff != null) {
                        failed.add("FAILED " + testFile + ": " + name + "\n" + diff);
                    }
                }
            } catch (IllegalArgumentException e) {
                failed.add("FAILED " + testFile + ": " + name + "\n  " + e.getMessage());
            }
            if (failed.isEmpty()) {
                result.passed++;
            }
            result.failures.addAll(failed);
        }
        return result;
    }

    /** The test case's telemetry, sorted by time. */
    static List<Telemetry> inputs(RuleTestFile.TestCase tc, long start) {
        List<Telemetry> out = new ArrayList<>();
        for (RuleTestFile.Series s : tc.inputSeries) {
            if (s.metric == null || s.values == null) {
                throw new IllegalArgumentException("input_series needs metric and values");
            }
            long t0 = start + Durations.parse(s.start).toMillis();
            long step = Durations.parse(s.interval).toMillis();
            List<Double> values = SeriesNotation.expand(s.values);
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) == null) {
                    continue;
                }
                Telemetry t = Telemetry.metric(t0 + i * step, s.service, s.metric, values.get(i));
                t.resource.remove("service.name");
                t.resource.putAll(s.resource);
                if (s.service != null) {
                    t.resource.put("service.name", s.service);
                }
                t.attributes.putAll(s.attributes);
                out.add(t);
            }
        }
        for (RuleTestFile.Records r : tc.inputRecords) {
            long t0 = start + Durations.parse(r.at).toMillis();
            long every = Durations.parse(r.every).toMillis();
            for (long i = 0; i < r.repeat; i++) {
                out.add(record(r.record, t0 + i * every, i));
            }
        }
        out.sort(Comparator.comparingLong(t -> t.timestamp));
        return out;
    }

    @SuppressWarnings("unchecked")
    static Telemetry record(Map<String, Object> fields, long timestamp, long i) {
        Telemetry t = new Telemetry();
        t.timestamp = timestamp;
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            Object v = e.getValue();
            String s = v == null ? null : v.toString().replace("{i}", Long.toString(i));
            switch (e.getKey()) {
                case "signal":
                    t.signal = Signal.fromWire(s);
                    if (t.signal == null) {
                        throw new IllegalArgumentException("signal must be metric, log, span or event, not " + s);
                    }
                    break;
                case "service":
                    t.resource.put("service.name", s);
                    break;
                case "name":
                    t.name = s;
                    break;
                case "value":
                    t.value = Double.parseDouble(s);
                    t.metricType = MetricType.GAUGE;
                    break;
                case "unit":
                    t.unit = s;
                    break;
                case "severity":
                    t.severity = s.toUpperCase(Locale.ROOT);
                    t.severityNumber = Severities.number(t.severity);
                    break;
                case "body":
                    t.body = s;
                    break;
                case "status":
                    t.status = s;
                    break;
                case "kind":
                    t.kind = s;
                    break;
                case "duration_ms":
                    t.durationMs = Double.parseDouble(s);
                    break;
                case "trace_id":
                    t.traceId = s;
                    break;
                case "span_id":
                    t.spanId = s;
                    break;
                case "attributes":
                case "resource":
                    if (!(v instanceof Map)) {
                        throw new IllegalArgumentException(e.getKey() + " must be a mapping");
                    }
                    Map<String, String> target = e.getKey().equals("attributes") ? t.attributes : t.resource;
                    ((Map<String, Object>) v)
                            .forEach((k, x) -> target.put(
                                    k, x == null ? null : x.toString().replace("{i}", Long.toString(i))));
                    break;
                default:
                    throw new IllegalArgumentException("unknown record field '" + e.getKey() + "'; known: signal,"
                            + " service, name, value, unit, severity, body, status, kind, duration_ms, trace_id,"
                            + " span_id, attributes, resource");
            }
        }
        if (t.signal == null) {
            throw new IllegalArgumentException("a record needs a signal (metric, log, span or event)");
        }
        return t;
    }

    /** Runs the records through the detection job in a bounded local job; returns every alert. */
    List<Alert> runJob(List<Telemetry> input, List<RuleSpec> rules, Long until) throws Exception {
        URI rest = cluster.getRestAddress().get();
        // The cluster runs in this JVM, so the job's classes need no jar: the task's class loader finds them here.
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment(rest.getHost(), rest.getPort());
        env.setParallelism(1);
        List<Ingested> records = new ArrayList<>();
        for (Telemetry t : input) {
            if (until == null || t.timestamp < until) { // after the end: no kind sees it
                records.add(Ingested.of(t));
            }
        }
        TelemetrySource source = (e, watermarks) -> e.fromData(records, TypeInformation.of(Ingested.class))
                .name("Test records")
                .assignTimestampsAndWatermarks(new EveryRecordWatermarks(watermarks));
        DetectionConfig config = new DetectionConfig();
        config.evalUntil = until;
        DetectionJob job = new DetectionJob(config, source, RuleSource.of(rules), DetectionJob.Sinks.none());
        List<Alert> out = new ArrayList<>();
        // Not try-with-resources: CloseableIterator.close() throws Exception, which -Xlint:try flags.
        CloseableIterator<Alert> it = job.build(env).alerts().executeAndCollect("vigil rules test");
        try {
            it.forEachRemaining(out::add);
        } finally {
            it.close();
        }
        out.sort(Comparator.comparingLong((Alert a) -> a.eventTime).thenComparing(a -> a.key));
        return out;
    }

    /** Null when the check passes, else expected against got as a readable diff. */
    static String compare(RuleTestFile.AlertCheck check, List<Alert> all, long start) {
        long evalAt = start
                + Durations.parse(check.evalTime == null ? "0s" : check.evalTime)
                        .toMillis();
        List<Alert> got = new ArrayList<>();
        for (Alert a : all) {
            if (a.ruleId.equals(check.rule)
                    && a.eventTime <= evalAt
                    && (check.withResolved || Alert.FIRING.equals(a.status))) {
                got.add(a);
            }
        }
        List<RuleTestFile.ExpectedAlert> exp = check.expAlerts == null ? List.of() : check.expAlerts;
        // Render each got alert with the fields the expectations name, so equal alerts render equal.
        List<String> want = new ArrayList<>();
        for (RuleTestFile.ExpectedAlert e : exp) {
            want.add(render(e, start));
        }
        List<String> have = new ArrayList<>();
        for (Alert a : got) {
            have.add(render(a, exp, start, check.withResolved));
        }
        List<String> w = new ArrayList<>(want);
        List<String> h = new ArrayList<>(have);
        w.sort(null);
        h.sort(null);
        if (w.equals(h)) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        b.append("  rule ")
                .append(check.rule)
                .append(" at eval_time ")
                .append(check.evalTime)
                .append(":\n");
        b.append("    exp: ")
                .append(exp.isEmpty() ? "none" : exp.size() + " alert(s)")
                .append("\n");
        b.append("    got: ")
                .append(got.isEmpty() ? "none" : got.size() + " alert(s)")
                .append("\n");
        List<String> onlyWant = new ArrayList<>(w);
        List<String> onlyHave = new ArrayList<>(h);
        for (String s : h) {
            onlyWant.remove(s);
        }
        for (String s : w) {
            onlyHave.remove(s);
        }
        List<String> common = new ArrayList<>(w);
        common.removeAll(onlyWant);
        for (String s : common) {
            b.append("      ").append(s).append('\n');
        }
        for (String s : onlyWant) {
            b.append("    - ").append(s).append('\n');
        }
        for (String s : onlyHave) {
            b.append("    + ").append(s).append('\n');
        }
        b.append("    (- expected but not produced, + produced but not expected)");
        return b.toString();
    }

    private static String render(RuleTestFile.ExpectedAlert e, long start) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (e.key != null) m.put("key", new TreeMap<>(e.key));
        if (e.severity != null) m.put("severity", e.severity);
        if (e.status != null) m.put("status", e.status);
        if (e.observed != null) m.put("observed", num(e.observed));
        if (e.windowEnd != null)
            m.put("window_end", Durations.format(Durations.parse(e.windowEnd).toMillis()));
        if (e.labels != null) m.put("labels", new TreeMap<>(e.labels));
        if (e.annotations != null) m.put("annotations", new TreeMap<>(e.annotations));
        return m.toString();
    }

    /** The alert with the fields an expectation names; when none names any, the key, severity and window end. */
    private static String render(Alert a, List<RuleTestFile.ExpectedAlert> exp, long start, boolean withStatus) {
        boolean key = exp.isEmpty();
        boolean severity = exp.isEmpty();
        boolean status = withStatus && exp.isEmpty();
        boolean observed = exp.isEmpty();
        boolean windowEnd = exp.isEmpty();
        java.util.Set<String> labels = new java.util.TreeSet<>();
        java.util.Set<String> annotations = new java.util.TreeSet<>();
        boolean anyLabels = false;
        boolean anyAnnotations = false;
        for (RuleTestFile.ExpectedAlert e : exp) {
            key |= e.key != null;
            severity |= e.severity != null;
            status |= e.status != null;
            observed |= e.observed != null;
            windowEnd |= e.windowEnd != null;
            if (e.labels != null) {
                anyLabels = true;
                labels.addAll(e.labels.keySet());
            }
            if (e.annotations != null) {
                anyAnnotations = true;
                annotations.addAll(e.annotations.keySet());
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        if (key) m.put("key", new TreeMap<>(a.keyFields));
        if (severity) m.put("severity", a.severity);
        if (status) m.put("status", a.status);
        if (observed) m.put("observed", num(a.observed));
        if (windowEnd) m.put("window_end", Durations.format(a.windowEnd - start));
        if (anyLabels) m.put("labels", pick(a.labels, labels));
        if (anyAnnotations) m.put("annotations", pick(a.annotations, annotations));
        return m.toString();
    }

    private static Map<String, String> pick(Map<String, String> from, java.util.Set<String> keys) {
        Map<String, String> m = new TreeMap<>();
        for (String k : keys) {
            if (from.containsKey(k)) {
                m.put(k, from.get(k));
            }
        }
        return m;
    }

    private static String num(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        // Six significant digits: an average of 0.97s is 0.9699999999999999 in binary and should read 0.97.
        return d == Math.rint(d) && Math.abs(d) < 1e15
                ? Long.toString((long) d)
                : new java.math.BigDecimal(String.format(Locale.ROOT, "%.6g", d))
                        .stripTrailingZeros()
                        .toPlainString();
    }
}
