package io.vigil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.cluster.FlinkRest;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The issue's promise end to end on the local stack (port offset 26500, data under
 * {@code jobs/target/it-stack/privacy}): records holding a user name, an email address, a card number, a bearer token
 * and a client address go through the job on the cluster, and none of these values is in the clear in anything the
 * job wrote: every record (key, value, headers, and the raw bytes of dead letters) of every Kafka topic, every
 * document of every search index (the {@code _source} and an all-fields {@code _search}), and every Prometheus series'
 * labels. The same records include one that cannot be decoded, so a dead letter carries them too.
 *
 * <p>So that the search can fail, a second job reads the same records with the policy off ({@code privacy=none}),
 * writing to topics and indices of its own and to the same Prometheus under its own rule id: the same searches must
 * find the raw values in its outputs, and in the input topic.
 */
class PrivacyStackIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final int OFFSET = 26500;
    static final String INPUT = "privacy-telemetry";
    static final long T0 = System.currentTimeMillis() / 60_000 * 60_000 - 20 * 60_000;

    static final String USER = "mallory.k";
    static final String EMAIL = "m.keller@example.org";
    static final String CARD = "4111 1111 1111 1111";
    static final String TOKEN = "abcDEF123456ghiJKL";
    static final String CLIENT = "203.0.113.9";
    static final String BODY = "Failed password for " + USER + " from " + CLIENT + " port 22 ssh2; contact " + EMAIL
            + " card " + CARD + " Authorization: Bearer " + TOKEN;
    /** What the policy-off job's outputs hold in the clear, as the input does. */
    static final List<String> RAW = List.of(USER, EMAIL, CARD, TOKEN, CLIENT);

    static LocalStack stack;
    static KafkaTestClient kafka;
    static String search;
    static String prometheus;

    /** One job of the test: its name, rules and outputs. */
    record Job(String name, boolean policy, String rateRule) {
        String topic(String what) {
            return name + "-" + what;
        }
    }

    static final Job PRIVATE = new Job("private", true, "login-duration");
    static final Job OPEN = new Job("open", false, "login-duration-open");

    @BeforeAll
    static void up() throws Exception {
        stack = new LocalStack("privacy", OFFSET).upWithOutputs();
        kafka = new KafkaTestClient(stack.bootstrap());
        search = "http://127.0.0.1:" + (9200 + OFFSET);
        prometheus = "http://127.0.0.1:" + (9090 + OFFSET);
    }

    @AfterAll
    static void down() throws Exception {
        if (kafka != null) kafka.close();
        if (stack != null) stack.close();
    }

    @Test
    void noRawValueInAnyTopicIndexOrSeriesTheJobWrote() throws Exception {
        kafka.createTopic(INPUT, 1);
        for (int i = 0; i < 12; i++) {
            long t = T0 + i * 2000L;
            Telemetry failed = Telemetry.log(t, "sshd", "ERROR", BODY)
                    .attr("event.action", "ssh_login")
                    .attr("event.outcome", "failure")
                    .attr("user.name", USER)
                    .attr("source.ip", CLIENT);
            kafka.send(INPUT, 0, TelemetryJson.write(failed).getBytes(StandardCharsets.UTF_8));
            Telemetry duration =
                    Telemetry.metric(t + 1, "sshd", "login.duration", 100 + i).attr("user.name", USER);
            kafka.send(INPUT, 0, TelemetryJson.write(duration).getBytes(StandardCharsets.UTF_8));
        }
        // A record that cannot be decoded (its timestamp is a word): its bytes, with the same values, go to the dead
        // letters, which the policy redacts by default.
        kafka.send(
                INPUT,
                0,
                ("{\"signal\":\"log\",\"timestamp\":\"yesterday\",\"body\":\"" + BODY
                                + "\",\"attributes\":{\"user.name\":\"" + USER + "\"}}")
                        .getBytes(StandardCharsets.UTF_8));
        // Event time past every window, so the alerts and rollups are due.
        kafka.send(
                INPUT,
                0,
                TelemetryJson.write(Telemetry.log(T0 + 10 * 60_000, "end", "INFO", "end"))
                        .getBytes(StandardCharsets.UTF_8));
        kafka.flush();

        String privateJob = stack.submit(flags(jobArgs(PRIVATE)));
        String openJob = stack.submit(flags(jobArgs(OPEN)));
        // The private job's hash key, generated at its submission beside its rules: no output may hold it either.
        String key = Files.readString(stack.home.resolve(".vigil/privacy.key")).strip();
        awaitOutputs(privateJob, openJob);

        List<String> forbidden = new ArrayList<>(RAW);
        forbidden.add(CARD.replace(" ", ""));
        forbidden.add(key);

        // Kafka: every topic there is, read to its end.
        Map<String, String> topics = new TreeMap<>();
        for (String topic : kafka.admin().listTopics().names().get()) {
            topics.put(topic, topicText(topic));
        }
        Set<String> expected = new TreeSet<>(Set.of(INPUT));
        for (Job j : List.of(PRIVATE, OPEN)) {
            for (String what : List.of("alerts", "incidents", "dead-letters", "rollups")) expected.add(j.topic(what));
        }
        assertEquals(expected, topics.keySet(), "the topics on the broker: the input and what each job writes");
        Map<String, List<String>> leaks = new LinkedHashMap<>();
        topics.forEach((topic, text) -> {
            if (topic.startsWith(PRIVATE.name + "-")) found("topic " + topic, text, forbidden, leaks);
        });
        // The control: the input and the policy-off job's alerts and dead letters hold every raw value.
        for (String topic : List.of(INPUT, OPEN.topic("alerts"), OPEN.topic("dead-letters"))) {
            assertEquals(RAW, foundIn(topics.get(topic), RAW), "raw values the search finds in topic " + topic);
        }
        // What the private job wrote does carry the places the values had, redacted.
        String alerts = topics.get(PRIVATE.topic("alerts"));
        for (String redacted : List.of("<email>", "<card>", "<token>", "h:")) {
            assertTrue(alerts.contains(redacted), redacted + " in the alerts: " + alerts);
        }
        assertTrue(topics.get(PRIVATE.topic("dead-letters")).contains("<email>"), "the dead letter's bytes, redacted");

        // OpenSearch: every index there is (but the node's own hidden ones), every document and field.
        refresh();
        Map<String, String> indices = new TreeMap<>();
        for (JsonNode i : get(search + "/_cat/indices?format=json")) {
            String index = i.path("index").asText();
            if (!index.startsWith(".")) indices.put(index, sources(index));
        }
        for (Job j : List.of(PRIVATE, OPEN)) {
            for (String what : List.of("alerts", "incidents", "rollups")) {
                assertTrue(
                        indices.keySet().stream().anyMatch(i -> i.startsWith(j.name + "-" + what)),
                        j.name + "'s " + what + " index among " + indices.keySet());
            }
        }
        for (Map.Entry<String, String> e : indices.entrySet()) {
            String index = e.getKey();
            assertTrue(
                    index.startsWith(PRIVATE.name + "-") || index.startsWith(OPEN.name + "-"),
                    "an index neither job should write: " + index);
            if (!index.startsWith(PRIVATE.name + "-")) continue;
            found("index " + index + " (_source)", e.getValue(), forbidden, leaks);
            for (String raw : forbidden) {
                long hits = searchHits(index, raw);
                if (hits > 0)
                    leaks.computeIfAbsent("index " + index + " (_search)", k -> new ArrayList<>())
                            .add(raw);
            }
        }
        String openSources = String.join(
                "\n",
                indices.entrySet().stream()
                        .filter(e -> e.getKey().startsWith(OPEN.name + "-"))
                        .map(Map.Entry::getValue)
                        .toList());
        assertEquals(RAW, foundIn(openSources, RAW), "raw values in the policy-off job's documents");
        // Evidence is stored but not indexed: the all-fields search reaches the values in indexed fields, here the
        // alert's key fields.
        for (String raw : List.of(USER, CLIENT)) {
            assertTrue(searchHits(OPEN.name + "-*", raw) > 0, "the all-fields search finds " + raw + " with no policy");
        }

        // Prometheus: the labels of every series it holds, the Flink metrics it scraped included.
        JsonNode series = get(prometheus + "/api/v1/series?match[]="
                        + URLEncoder.encode("{__name__=~\".+\"}", StandardCharsets.UTF_8)
                        + "&start=" + (T0 / 1000 - 3600) + "&end=" + (System.currentTimeMillis() / 1000 + 60))
                .path("data");
        StringBuilder openLabels = new StringBuilder();
        for (JsonNode s : series) {
            if (OPEN.rateRule.equals(s.path("rule").asText())) {
                openLabels.append(s).append('\n');
            } else {
                found("Prometheus series " + s, s.toString(), forbidden, leaks);
            }
        }
        assertTrue(
                openLabels.toString().contains(USER), "the policy-off job's series carry the user name: " + openLabels);

        assertEquals(Map.of(), leaks, "raw values in the clear in what the job with the starter policy wrote");
    }

    /** Adds to {@code leaks} under {@code place} each value of {@code values} that {@code text} holds. */
    static void found(String place, String text, List<String> values, Map<String, List<String>> leaks) {
        List<String> in = foundIn(text, values);
        if (!in.isEmpty()) leaks.put(place, in);
    }

    static List<String> foundIn(String text, List<String> values) {
        return values.stream().filter(text::contains).toList();
    }

    /** Waits until both jobs wrote each kind of output: alerts, incidents, dead letters, rollups, documents, series. */
    static void awaitOutputs(String privateJob, String openJob) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        List<String> missing;
        while (true) {
            missing = new ArrayList<>();
            Set<String> topics = kafka.admin().listTopics().names().get();
            for (Job j : List.of(PRIVATE, OPEN)) {
                for (String what : List.of("alerts", "incidents", "dead-letters", "rollups")) {
                    String topic = j.topic(what);
                    if (!topics.contains(topic) || kafka.readCommitted(topic).isEmpty()) missing.add("topic " + topic);
                }
                if (count(j.name + "-alerts-*") == 0) missing.add(j.name + "'s alert documents");
                if (count(j.name + "-incidents-*") == 0) missing.add(j.name + "'s incident documents");
                String q = URLEncoder.encode("{rule=\"" + j.rateRule + "\"}", StandardCharsets.UTF_8);
                JsonNode s = get(prometheus + "/api/v1/series?match[]=" + q + "&start=" + (T0 / 1000 - 3600));
                if (s.path("data").isEmpty()) missing.add(j.name + "'s series in Prometheus");
            }
            if (missing.isEmpty()) return;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no output yet: " + missing + "; jobs " + privateJob + " and " + openJob
                        + " were " + new FlinkRest(stack.rest()).state(privateJob) + " and "
                        + new FlinkRest(stack.rest()).state(openJob) + "; logs: " + stack.logs());
            }
            Thread.sleep(1000);
        }
    }

    /** A job on the stack's cluster, with a rules folder of its own (the starter policy, or none). */
    static Map<String, String> jobArgs(Job j) throws IOException {
        Path rules = Files.createDirectories(stack.home.resolve("rules-" + j.name));
        if (j.policy) {
            Files.copy(
                    LocalStack.ROOT.resolve("rules/_privacy.yaml"),
                    rules.resolve("_privacy.yaml"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        // Five failed logins of one user from one address: an alert keyed by both (keyword fields in the index), its
        // evidence the records' bodies.
        Files.writeString(
                rules.resolve("login-user.yaml"),
                String.join(
                        "\n",
                        "id: login-user",
                        "name: Failed logins of {{ user.name }}",
                        "kind: frequency",
                        "severity: high",
                        "match: {signal: log, event.action: ssh_login, event.outcome: failure}",
                        "key_by: [user.name, source.ip]",
                        "params: {count: 5, window: 10m}",
                        "annotations:",
                        "  summary: \"{{ observed }} failed logins of {{ user.name }}\"",
                        ""));
        // Rollups on every point, labelled with the user name: what reaches Prometheus as a label value.
        Files.writeString(
                rules.resolve("login-duration.yaml"),
                String.join(
                        "\n",
                        "id: " + j.rateRule,
                        "name: Login duration of {{ user.name }}",
                        "kind: anomaly",
                        "severity: low",
                        "match: {signal: metric, name: login.duration}",
                        "key_by: [service.name, user.name]",
                        "params: {warmup: 0, rollup_every: point}",
                        ""));
        Map<String, String> a = new LinkedHashMap<>();
        a.put("bootstrap-servers", stack.bootstrap());
        a.put("topic", INPUT + "=json");
        a.put("rules-dir", rules.toString());
        if (!j.policy) a.put("privacy", "none");
        // The job name is the prefix of its consumer group and transactional ids: one each.
        a.put("job-name", j.name);
        a.put("alerts-topic", j.topic("alerts"));
        a.put("incidents-topic", j.topic("incidents"));
        a.put("dead-letters-topic", j.topic("dead-letters"));
        a.put("rollups-topic", j.topic("rollups"));
        a.put("start-offsets", "earliest");
        a.put("parallelism", "1");
        a.put("checkpoint-interval", "2s");
        a.put("watermark-delay", "1s");
        a.put("transaction-timeout", "1min");
        a.put("search-url", search);
        a.put("search-index-prefix", j.name);
        a.put("prometheus-url", prometheus + "/api/v1/write");
        return a;
    }

    static List<String> flags(Map<String, String> args) {
        List<String> out = new ArrayList<>();
        args.forEach((k, v) -> out.add("--" + k + "=" + v));
        return out;
    }

    /**
     * Everything a topic holds, committed records only, as text: each record's key, value and headers, plus the
     * decoded bytes of every {@code raw_base64} field (dead letters carry the record's raw bytes that way).
     */
    static String topicText(String topic) {
        StringBuilder b = new StringBuilder();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(topic)) {
            if (r.key() != null)
                b.append(new String(r.key(), StandardCharsets.UTF_8)).append('\t');
            for (Header h : r.headers()) {
                b.append(h.key())
                        .append('=')
                        .append(h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8))
                        .append('\t');
            }
            String value = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
            b.append(value).append('\n');
            b.append(decodedRaw(value));
        }
        return b.toString();
    }

    /** The decoded {@code raw_base64} values of a JSON text (none when it is not JSON). */
    static String decodedRaw(String json) {
        StringBuilder b = new StringBuilder();
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException notJson) {
            return "";
        }
        if (n == null) return "";
        for (JsonNode raw : n.findValues("raw_base64")) {
            b.append(new String(Base64.getDecoder().decode(raw.asText()), StandardCharsets.UTF_8))
                    .append('\n');
        }
        return b.toString();
    }

    static void refresh() throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(search + "/_refresh"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    /** Every document of an index, its whole stored {@code _source}, as text. */
    static String sources(String index) throws Exception {
        JsonNode hits = get(search + "/" + index + "/_search?size=10000").path("hits");
        assertTrue(hits.path("total").path("value").asLong() <= 10000, index + " holds more than one page");
        StringBuilder b = new StringBuilder();
        for (JsonNode h : hits.path("hits")) {
            b.append(h.path("_id").asText())
                    .append('\t')
                    .append(h.path("_source"))
                    .append('\n');
        }
        return b.toString();
    }

    /**
     * Hits of an all-fields search for a value: as a phrase in every field (text and keyword alike) or as a
     * substring of any keyword value.
     */
    static long searchHits(String index, String value) throws Exception {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        var should = body.putObject("query").putObject("bool").putArray("should");
        ObjectNode phrase = should.addObject().putObject("multi_match");
        phrase.put("query", value).put("type", "phrase").put("lenient", true);
        phrase.putArray("fields").add("*");
        ObjectNode wildcard = should.addObject().putObject("query_string");
        wildcard.put("query", "*" + escape(value) + "*").put("lenient", true);
        wildcard.putArray("fields").add("*");
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(search + "/" + index + "/_search?size=0"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), index + " _search " + body + " -> " + r.body());
        return JSON.readTree(r.body()).path("hits").path("total").path("value").asLong();
    }

    /** A query_string term matching {@code value} literally: its reserved characters and spaces escaped. */
    static String escape(String value) {
        StringBuilder b = new StringBuilder();
        for (char c : value.toCharArray()) {
            if ("+-=&|><!(){}[]^\"~*?:\\/ .@".indexOf(c) >= 0) b.append('\\');
            b.append(c);
        }
        return b.toString();
    }

    static long count(String index) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(search + "/" + index + "/_count"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? JSON.readTree(r.body()).path("count").asLong() : 0;
    }

    static JsonNode get(String url) throws Exception {
        HttpResponse<String> r =
                HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + " -> " + r.body());
        return JSON.readTree(r.body());
    }
}
