package io.vigil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.alert.AlertIds;
import io.vigil.alert.ServiceCatalog;
import io.vigil.generator.GeneratorSource;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.incident.Incident;
import io.vigil.incident.IncidentJson;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.RuleSource;
import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.rollup.ServiceRollups;
import io.vigil.sink.file.JsonLinesSink;
import io.vigil.sink.kafka.KafkaSinks;
import io.vigil.sink.prometheus.RemoteWriteConfig;
import io.vigil.sink.prometheus.RemoteWriteSink;
import io.vigil.sink.search.SearchConfig;
import io.vigil.sink.search.SearchSink;
import io.vigil.suppress.InhibitRules;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Alerts and rollups through the real sinks into a real OpenSearch 2.19 node and a real Prometheus 2.42, both started
 * by the project's own scripts ({@code bin/vigil stack start opensearch|prometheus}, port offset 21000, data under
 * {@code jobs/target/it-stack/sinks}); the pipeline is a bounded Flink job in a MiniCluster. If a server cannot start
 * the test fails with its log. Prometheus rejects samples older than about an hour, so the input is the last half hour.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SinksIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final long MIN = 60_000L;
    /** Five-minute aligned, 30 minutes ago: 20 minutes of data end 10 minutes before now. */
    static final long T0 = System.currentTimeMillis() / (5 * MIN) * (5 * MIN) - 30 * MIN;

    static LocalStack stack;
    static String search;
    static String prometheus;
    /** Rollups as the job computed them in the first run, by series id and window start. */
    static final Map<String, Rollup> computed = new TreeMap<>();

    @BeforeAll
    static void up() throws Exception {
        stack = new LocalStack("sinks", 21000);
        stack.vigil(List.of("stack", "down"), 120);
        // Keep the resolved server classpaths (classpath/); everything else starts clean.
        if (Files.exists(stack.home)) {
            try (var s = Files.list(stack.home)) {
                for (Path p : s.filter(p -> !p.getFileName().toString().equals("classpath"))
                        .toList()) {
                    LocalStack.deleteTree(p);
                }
            }
        }
        stack.vigil(List.of("stack", "start", "opensearch"), 400);
        stack.vigil(List.of("stack", "start", "prometheus"), 120);
        search = "http://127.0.0.1:" + (9200 + stack.portOffset);
        prometheus = "http://127.0.0.1:" + (9090 + stack.portOffset);
    }

    @AfterAll
    static void down() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    static Alert alert(String service, String rule, String ip, long t) {
        return alert(service, rule, ip, "22", t);
    }

    static Alert alert(String service, String rule, String ip, String port, long t) {
        Alert a = new Alert();
        a.ruleId = rule;
        a.ruleName = rule;
        a.kind = "threshold";
        a.severity = "high";
        a.service = service;
        a.key = rule + "|" + ip;
        a.keyFields.put("source.ip", ip);
        a.keyFields.put("source.port", port);
        a.windowStart = t - MIN;
        a.windowEnd = t;
        a.eventTime = t;
        a.processingTime = t;
        a.observed = 42;
        a.expected = 10;
        a.message = rule + " on " + service;
        a.enrichment.put("team", "checkout");
        a.id = AlertIds.of(a.ruleId, a.key, a.windowStart, a.windowEnd);
        return a;
    }

    /** The pipeline: bounded telemetry and alerts -> per-service rollups -> both sinks; returns the rollups. */
    static List<Rollup> runPipeline() throws Exception {
        List<Telemetry> telemetry = new ArrayList<>();
        for (int s = 0; s < 20 * 60; s += 2) {
            long t = T0 + s * 1000L;
            telemetry.add(Telemetry.span(t, "cart", "GET /api/cart", 20 + s % 50, s % 20 == 0 ? "error" : "ok"));
            telemetry.add(Telemetry.span(t + 1, "auth", "POST /api/auth", 5 + s % 7, "ok"));
            if (s % 30 == 0) {
                telemetry.add(Telemetry.log(t, "cart", "ERROR", "upstream timeout calling payments"));
            }
        }
        List<Alert> alerts = List.of(
                alert("cart", "cart-errors", "10.0.0.7", T0 + 3 * MIN),
                alert("auth", "ssh-brute-force", "203.0.113.45", T0 + 7 * MIN),
                // source.port is mapped as long: the server rejects this one, and it must end in the dead-letter index.
                alert("cart", "cart-errors", "10.0.0.9", "not-a-port", T0 + 9 * MIN));

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestOptions.BIND_PORT, "0");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        DataStream<Telemetry> t = env.fromData(telemetry)
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<Telemetry>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                                .withTimestampAssigner((x, ts) -> x.timestamp));
        DataStream<Alert> a = env.fromData(alerts)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Alert>forMonotonousTimestamps()
                        .withTimestampAssigner((x, ts) -> x.eventTime));
        DataStream<Rollup> rollups = ServiceRollups.attach(t, a);

        SearchConfig sc = SearchConfig.of(search);
        sc.refresh = true;
        sc.maxActions = 50; // several bulk requests per run
        a.sinkTo(SearchSink.alerts(sc)).name("alerts to OpenSearch");
        rollups.sinkTo(SearchSink.rollups(sc)).name("rollups to OpenSearch");
        RemoteWriteConfig pc = RemoteWriteConfig.of(prometheus + "/api/v1/write");
        pc.maxSamplesPerRequest = 100;
        rollups.sinkTo(new RemoteWriteSink(pc)).name("rollups to Prometheus");

        List<Rollup> out = new ArrayList<>();
        CloseableIterator<Rollup> it = rollups.executeAndCollect("sinks-it");
        try {
            it.forEachRemaining(out::add);
        } finally {
            it.close();
        }
        return out;
    }

    static JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r =
                HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + " -> " + r.body());
        return JSON.readTree(r.body());
    }

    static long count(String index) throws Exception {
        return get(search + "/" + index + "/_count").path("count").asLong();
    }

    @Test
    @Order(1)
    void alertsAndRollupsAreIndexedWithTheTemplatesMappingAndRejectionsDeadLettered() throws Exception {
        List<Rollup> rollups = runPipeline();
        for (Rollup r : rollups) {
            computed.put(r.seriesId() + "@" + r.windowStart, r);
        }
        assertEquals(rollups.size(), computed.size(), "every rollup has its own document id");
        assertTrue(rollups.size() > 100, "rollups: " + rollups.size());

        assertEquals(2, count("vigil-alerts-*"), "the two valid alerts");
        assertEquals(rollups.size(), count("vigil-rollups-*"));
        JsonNode dl = get(search + "/vigil-deadletters/_search").path("hits").path("hits");
        assertEquals(1, dl.size(), dl.toString());
        JsonNode dead = dl.get(0).path("_source");
        assertEquals("mapper_parsing_exception", dead.path("error").path("type").asText(), dead.toString());
        assertTrue(dead.path("error").path("message").asText().contains("source.port"), dead.toString());
        assertTrue(dead.path("event").path("original").asText().contains("not-a-port"));
        assertEquals("vigil.alerts", dead.path("event").path("dataset").asText());

        JsonNode mapping = get(search + "/vigil-alerts-*/_mapping")
                .elements()
                .next()
                .path("mappings")
                .path("properties");
        // An address field holds an address or, under a privacy policy, its pseudonym: a keyword, with the address
        // also indexed as an ip (for CIDR queries) where it is one.
        JsonNode ip = mapping.path("source").path("properties").path("ip");
        assertEquals("keyword", ip.path("type").asText(), ip.toString());
        assertEquals("ip", ip.path("fields").path("addr").path("type").asText(), ip.toString());
        assertEquals(
                "double",
                mapping.path("vigil")
                        .path("properties")
                        .path("observed")
                        .path("type")
                        .asText());
        assertEquals(
                "keyword",
                mapping.path("rule").path("properties").path("id").path("type").asText());
        JsonNode rmap = get(search + "/vigil-rollups-*/_mapping")
                .elements()
                .next()
                .path("mappings")
                .path("properties");
        assertEquals(
                "double",
                rmap.path("vigil").path("properties").path("value").path("type").asText());
        assertEquals(
                "keyword",
                rmap.path("labels")
                        .path("properties")
                        .path("window")
                        .path("type")
                        .asText());

        // A rollup document holds the value the job computed.
        Rollup p99 = computed.values().stream()
                .filter(r -> r.metric.equals("latency_seconds")
                        && r.service.equals("cart")
                        && "0.99".equals(r.labels.get("quantile")))
                .findFirst()
                .orElseThrow();
        String q = URLEncoder.encode(
                "vigil.series_id:\"" + p99.seriesId() + "\" AND vigil.window_start:" + p99.windowStart,
                StandardCharsets.UTF_8);
        JsonNode hit =
                get(search + "/vigil-rollups-*/_search?q=" + q).path("hits").path("hits");
        assertEquals(1, hit.size(), hit.toString());
        assertEquals(
                p99.value,
                hit.get(0).path("_source").path("vigil").path("value").asDouble(),
                1e-12);
    }

    @Test
    @Order(2)
    void rollupSeriesAreQueryableWithPromQlWithTheValuesTheJobComputed() throws Exception {
        int checked = 0;
        for (Rollup r : computed.values()) {
            if (!(r.metric.equals("request_rate_per_second")
                            || r.metric.equals("error_ratio")
                            || r.metric.equals("latency_seconds"))
                    || !r.service.equals("cart")) {
                continue;
            }
            StringBuilder sel = new StringBuilder("vigil_" + r.metric + "{service=\"cart\"");
            new TreeMap<>(r.labels)
                    .forEach((k, v) ->
                            sel.append(',').append(k).append("=\"").append(v).append('"'));
            sel.append('}');
            String url = prometheus + "/api/v1/query?query=" + URLEncoder.encode(sel.toString(), StandardCharsets.UTF_8)
                    + "&time=" + (r.windowEnd / 1000.0);
            JsonNode result = get(url).path("data").path("result");
            assertEquals(1, result.size(), sel + " at " + r.windowEnd + ": " + result);
            assertEquals(
                    r.value, result.get(0).path("value").get(1).asDouble(), Math.abs(r.value) * 1e-9, sel.toString());
            checked++;
        }
        assertTrue(checked >= 4 * 5 * 2, "checked " + checked + " cart samples");
        JsonNode series = get(prometheus + "/api/v1/query?query="
                        + URLEncoder.encode(
                                "count(count by (__name__)({__name__=~\"vigil_.+\"}))", StandardCharsets.UTF_8)
                        + "&time=" + ((T0 + 10 * MIN) / 1000.0))
                .path("data")
                .path("result");
        assertEquals(
                5,
                series.get(0).path("value").get(1).asInt(),
                "rate, error ratio, latency, log records, alerts: " + series);
    }

    @Test
    @Order(4)
    void samplesPrometheusRefusesAreDroppedWithoutFailingTheJob() throws Exception {
        // Older than the stack's 30-day out-of-order window: Prometheus answers 400 "out of bounds" for the request.
        long old = T0 - 40L * 24 * 60 * MIN;
        Rollup stale = new Rollup("sink_probe", "cart", old - MIN, old, 1.0, 1).label("window", "1m");
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestOptions.BIND_PORT, "0");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        RemoteWriteConfig pc = RemoteWriteConfig.of(prometheus + "/api/v1/write");
        env.fromData(stale).sinkTo(new RemoteWriteSink(pc));
        env.execute("sinks-it-rejected"); // finishes: a rejected request is dropped and counted, not retried forever
        JsonNode result = get(prometheus + "/api/v1/query?query=vigil_sink_probe&time=" + (old / 1000.0))
                .path("data")
                .path("result");
        assertEquals(0, result.size(), result.toString());
    }

    @Test
    @Order(3)
    void replayingTheSameInputAddsNoDocuments() throws Exception {
        long alerts = count("vigil-alerts-*");
        long rollups = count("vigil-rollups-*");
        long dead = count("vigil-deadletters");
        runPipeline();
        assertEquals(alerts, count("vigil-alerts-*"));
        assertEquals(rollups, count("vigil-rollups-*"));
        assertEquals(dead, count("vigil-deadletters"));
    }

    /**
     * The issue's promise to users: with the local stack running, {@code bin/vigil demo} pointed at it puts the
     * demo's incidents in the index and its rollups in Prometheus. Runs the real launcher; the demo's own JSON-lines
     * output is the reference. Event times end an hour ago, inside Prometheus' out-of-order window on any date.
     */
    @Test
    @Order(9)
    void theDemosIncidentsAppearInTheIndexAndInPrometheus() throws Exception {
        Path out = Files.createTempDirectory(Files.createDirectories(stack.home), "demo");
        Instant start = Instant.now().minus(Duration.ofHours(7)).truncatedTo(ChronoUnit.MINUTES);
        stack.vigil(
                List.of(
                        "demo",
                        "--quiet",
                        "--hours",
                        "6",
                        "--start",
                        start.toString(),
                        "--out",
                        out.toString(),
                        "--search-url",
                        search,
                        "--search-index-prefix",
                        "demo",
                        "--prometheus-url",
                        prometheus + "/api/v1/write"),
                900);
        HTTP.send(
                HttpRequest.newBuilder(URI.create(search + "/demo-*/_refresh"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        Set<String> written = new TreeSet<>();
        for (String line : Files.readAllLines(out.resolve("alerts.jsonl"))) {
            written.add(JSON.readTree(line).path("event").path("id").asText());
        }
        assertTrue(written.size() >= 10, "the demo's scripted incidents raise alerts: " + written);
        Set<String> indexed = new TreeSet<>();
        for (JsonNode hit : get(search + "/demo-alerts-*/_search?size=1000&_source=false")
                .path("hits")
                .path("hits")) {
            indexed.add(hit.path("_id").asText());
        }
        assertEquals(written, indexed, "every alert of the demo is a document, once");

        // The payments error incident's worst minute, as the demo wrote it, in the index and through PromQL.
        JsonNode worst = null;
        for (String line : Files.readAllLines(out.resolve("rollups.jsonl"))) {
            JsonNode r = JSON.readTree(line);
            if (r.path("metric").asText().equals("error_ratio")
                    && r.path("service").asText().equals("payments")
                    && r.path("labels").path("window").asText().equals("1m")
                    && (worst == null
                            || r.path("value").asDouble() > worst.path("value").asDouble())) {
                worst = r;
            }
        }
        assertTrue(worst != null && worst.path("value").asDouble() > 0.1, "payments' error incident: " + worst);
        String selector = "vigil_error_ratio{service=\"payments\",window=\"1m\"}";
        JsonNode result = get(prometheus + "/api/v1/query?query=" + URLEncoder.encode(selector, StandardCharsets.UTF_8)
                        + "&time=" + (worst.path("window_end").asLong() / 1000.0))
                .path("data")
                .path("result");
        assertEquals(1, result.size(), selector + ": " + result);
        assertEquals(
                worst.path("value").asDouble(),
                result.get(0).path("value").get(1).asDouble(),
                1e-9,
                selector);
        String q = URLEncoder.encode(
                "vigil.metric:error_ratio AND service.name:payments AND vigil.value:>0.1", StandardCharsets.UTF_8);
        assertTrue(
                get(search + "/demo-rollups-*/_count?q=" + q).path("count").asLong() >= 1,
                "the incident's error-ratio rollups are indexed");
    }

    /**
     * Issue 12's incidents in the cluster job's incident outputs: the demo's graph (generator, starter rules, catalog,
     * inhibition) in a MiniCluster writing incidents through the exactly-once Kafka sink to the stack's broker
     * ({@code bin/vigil stack start kafka}) and through the search sink to this stack's OpenSearch. The job's own
     * JSON-lines file is the reference: its 6 incidents are on {@code vigil-incidents} for read_committed consumers,
     * every revision exactly once, the latest revision the file's, and in {@code vigil-incidents-*} by id, the
     * checkout incident naming the release as its suspected cause.
     */
    @Test
    @Order(10)
    void theDemosIncidentsAreInTheIncidentsTopicAndIndex() throws Exception {
        stack.vigil(List.of("stack", "start", "kafka"), 300);
        Path out = Files.createTempDirectory(Files.createDirectories(stack.home), "incidents");
        Path file = out.resolve("incidents.jsonl");
        Path rules = LocalStack.ROOT.resolve("rules");

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestOptions.BIND_PORT, "0");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        env.enableCheckpointing(2000); // Kafka transactions commit on checkpoints, the last one at the end of input
        DetectionConfig config = new DetectionConfig();
        config.watermarkEveryRecord = true;
        config.catalog = ServiceCatalog.load(rules.resolve("_services.yaml"));
        config.inhibitRules = InhibitRules.load(rules.resolve(InhibitRules.FILE_NAME));
        KafkaSinks kafka =
                new KafkaSinks(stack.bootstrap(), "sinks-it-incidents", Duration.ofMinutes(5), new Properties());
        SearchConfig sc = SearchConfig.of(search);
        sc.refresh = true;
        new DetectionJob(
                        config,
                        new GeneratorSource(new TelemetryGenerator(
                                42, Instant.parse("2026-11-02T00:00:00Z"), TelemetryGenerator.DEFAULT_DURATION)),
                        RuleSource.directory(rules),
                        new DetectionJob.Sinks(
                                List.of(),
                                List.of(),
                                List.of(),
                                List.of(
                                        DetectionJob.NamedSink.of(
                                                "file", new JsonLinesSink<Incident>(file, IncidentJson::toBytes)),
                                        DetectionJob.NamedSink.of("kafka", kafka.incidents("vigil-incidents")),
                                        DetectionJob.NamedSink.of("search", SearchSink.incidents(sc)))))
                .build(env);
        env.execute("sinks-it-incidents");

        Map<String, JsonNode> written = new TreeMap<>();
        List<String> revisions = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode i = JSON.readTree(line).path("incident");
            written.merge(
                    i.path("id").asText(),
                    i,
                    (a, b) -> a.path("revision").asLong() > b.path("revision").asLong() ? a : b);
            revisions.add(i.path("id").asText() + "#" + i.path("revision").asLong());
        }
        assertEquals(6, written.size(), "the demo's 6 scripted incidents: " + written.keySet());

        // Kafka, read_committed: each revision once, keyed by incident id; the latest revision per id is the file's.
        Map<String, JsonNode> onTopic = new TreeMap<>();
        List<String> topicRevisions = new ArrayList<>();
        try (KafkaTestClient client = new KafkaTestClient(stack.bootstrap())) {
            for (var r : client.readCommittedOnceSettled("vigil-incidents", Duration.ofMinutes(1))) {
                JsonNode i = JSON.readTree(r.value()).path("incident");
                assertEquals(i.path("id").asText(), new String(r.key(), StandardCharsets.UTF_8), "keyed by id");
                onTopic.merge(
                        i.path("id").asText(),
                        i,
                        (a, b) ->
                                a.path("revision").asLong() > b.path("revision").asLong() ? a : b);
                topicRevisions.add(
                        i.path("id").asText() + "#" + i.path("revision").asLong());
            }
        }
        assertEquals(new TreeSet<>(revisions), new TreeSet<>(topicRevisions), "every revision on the topic");
        assertEquals(revisions.size(), topicRevisions.size(), "each revision exactly once: " + topicRevisions);
        assertEquals(written.keySet(), onTopic.keySet());
        for (String id : written.keySet()) {
            assertEquals(written.get(id), onTopic.get(id), id);
        }

        // The index: one document per incident, its id the incident's, holding the latest revision.
        HTTP.send(
                HttpRequest.newBuilder(URI.create(search + "/vigil-incidents-*/_refresh"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, JsonNode> indexed = new TreeMap<>();
        for (JsonNode hit :
                get(search + "/vigil-incidents-*/_search?size=100").path("hits").path("hits")) {
            assertTrue(indexed.put(hit.path("_id").asText(), hit.path("_source")) == null, "one document per id");
        }
        assertEquals(written.keySet(), indexed.keySet());
        JsonNode checkout = null;
        for (JsonNode doc : indexed.values()) {
            JsonNode i = doc.path("incident");
            assertEquals(written.get(i.path("id").asText()).path("revision"), i.path("revision"), doc.toString());
            if (i.path("group").path("value").asText().equals("checkout")) checkout = i;
        }
        assertTrue(checkout != null, "the checkout incident is indexed: " + indexed.keySet());
        assertEquals(
                "service-version-change",
                checkout.path("suspected_cause").path("rule_id").asText(),
                "the release is the checkout incident's suspected cause: " + checkout);
        assertTrue(
                checkout.path("suspected_cause").path("message").asText().startsWith("New version of checkout"),
                checkout.toString());
    }
}
