package io.vigil.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.DetectorOperator;
import io.vigil.ingest.kafka.StartOffsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VigilJobConfigTest {
    @TempDir
    Path tmp;

    private Map<String, String> valid() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap-servers", "127.0.0.1:9092");
        s.put("topics", "telemetry=json,otel-metrics=otlp-proto:metrics");
        s.put("rules-dir", tmp.toString());
        return s;
    }

    private List<String> problems(Map<String, String> s) {
        return assertThrows(VigilJobConfig.InvalidConfigException.class, () -> VigilJobConfig.parse(s)).problems;
    }

    private static void assertOneProblem(List<String> problems, String... fragments) {
        assertEquals(1, problems.size(), problems.toString());
        for (String f : fragments) assertTrue(problems.get(0).contains(f), problems.get(0) + " lacks " + f);
    }

    @Test
    void searchPrometheusAndCatalogAreOptionalAndChecked() throws Exception {
        VigilJobConfig plain = VigilJobConfig.parse(valid());
        assertNull(plain.search);
        assertNull(plain.prometheusUrl);
        assertNull(plain.catalog);

        Map<String, String> s = valid();
        s.put("search-url", "http://127.0.0.1:9200, http://127.0.0.1:9201");
        s.put("prometheus-url", "http://127.0.0.1:9090/api/v1/write");
        java.nio.file.Files.writeString(tmp.resolve("_services.yaml"), "services: {}\n");
        VigilJobConfig c = VigilJobConfig.parse(s);
        assertEquals(List.of("http://127.0.0.1:9200", "http://127.0.0.1:9201"), c.search.hosts);
        assertEquals("vigil", c.search.indexPrefix);
        assertEquals("http://127.0.0.1:9090/api/v1/write", c.prometheusUrl);
        assertEquals(tmp.resolve("_services.yaml"), c.catalog, "the rules folder's catalog by default");

        Map<String, String> bad = valid();
        bad.put("search-url", "127.0.0.1:9200");
        bad.put("catalog", tmp.resolve("missing.yaml").toString());
        List<String> problems = problems(bad);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("search-url: "), problems.toString());
        assertTrue(problems.get(1).contains("is not a file"), problems.toString());
    }

    @Test
    void defaultsAreFilledIn() {
        VigilJobConfig c = VigilJobConfig.parse(valid());
        assertEquals("json", c.topics.formatOf("telemetry"));
        assertEquals("otlp-proto:metrics", c.topics.formatOf("otel-metrics"));
        assertNull(c.topics.formatOf("other"));
        assertEquals("vigil", c.groupId);
        assertEquals("vigil", c.transactionalIdPrefix);
        assertEquals(StartOffsets.Kind.COMMITTED, c.startOffsets.kind());
        assertEquals("vigil-alerts", c.alertsTopic);
        assertEquals("vigil-dead-letters", c.deadLettersTopic);
        assertNull(c.rollupsTopic);
        assertEquals(Duration.ofSeconds(10), c.checkpointInterval);
        assertEquals(Duration.ofMinutes(10), c.transactionTimeout);
        assertEquals(Duration.ofSeconds(5), c.watermarkDelay);
        assertEquals(Duration.ofSeconds(30), c.watermarkIdleness);
        assertEquals(0, c.parallelism);
    }

    @Test
    void prefixAndGroupDeriveFromTheJobName() {
        Map<String, String> s = valid();
        s.put("job-name", "Payments Prod");
        VigilJobConfig c = VigilJobConfig.parse(s);
        assertEquals("payments-prod", c.transactionalIdPrefix);
        assertEquals("payments-prod", c.groupId);
    }

    @Test
    void clientPropertiesPassThroughWithoutPrefix() {
        Map<String, String> s = valid();
        s.put("kafka.security.protocol", "SASL_SSL");
        s.put("kafka.sasl.mechanism", "PLAIN");
        VigilJobConfig c = VigilJobConfig.parse(s);
        assertEquals("SASL_SSL", c.clientProperties.getProperty("security.protocol"));
        assertEquals("PLAIN", c.clientProperties.getProperty("sasl.mechanism"));
    }

    @Test
    void clientPropertiesMayNotOverrideWhatTheJobSets() {
        Map<String, String> s = valid();
        s.put("kafka.isolation.level", "read_uncommitted");
        assertOneProblem(problems(s), "kafka.isolation.level", "set by the job");
    }

    @Test
    void missingRequiredSettingsAreAllReported() {
        List<String> p = problems(new LinkedHashMap<>());
        assertEquals(3, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("bootstrap-servers is required"), p.get(0));
        assertTrue(p.get(1).startsWith("topics is required"), p.get(1));
        assertTrue(p.get(2).startsWith("rules-dir is required"), p.get(2));
    }

    @Test
    void badServerSaysWhatIsRight() {
        Map<String, String> s = valid();
        s.put("bootstrap-servers", "localhost:9092,broker2");
        assertOneProblem(problems(s), "'broker2' is not host:port", "127.0.0.1:9092");
        s.put("bootstrap-servers", "localhost:99999");
        assertOneProblem(problems(s), "port 1-65535");
    }

    @Test
    void unknownFormatListsTheKnownOnes() {
        Map<String, String> s = valid();
        s.put("topics", "telemetry=protobuf");
        assertOneProblem(problems(s), "'protobuf' is not a format", "otlp-proto");
        s.put("topics", "telemetry=json:metrics");
        assertOneProblem(problems(s), "'json:metrics' is not a format");
        s.put("topics", "telemetry=otlp-json:spans");
        assertOneProblem(problems(s), "'otlp-json:spans'", ":traces");
    }

    @Test
    void malformedTopicEntry() {
        Map<String, String> s = valid();
        s.put("topics", "telemetry");
        assertOneProblem(problems(s), "'telemetry' is not topic=format", "telemetry=json");
        s.put("topics", "bad topic=json");
        assertOneProblem(problems(s), "'bad topic' is not a Kafka topic name");
        s.put("topics", "a=json,a=otlp-json");
        assertOneProblem(problems(s), "'a' is listed twice");
    }

    @Test
    void topicsAndPatternAreExclusive() {
        Map<String, String> s = valid();
        s.put("topic-pattern", "otel-.*");
        assertOneProblem(problems(s), "either topics or topic-pattern");
        s.remove("topics");
        s.put("pattern-format", "otlp-proto");
        VigilJobConfig c = VigilJobConfig.parse(s);
        assertTrue(c.topics.isPattern());
        assertEquals("otlp-proto", c.topics.formatOf("otel-anything"));
        s.put("topic-pattern", "otel-(");
        assertOneProblem(problems(s), "not a valid regular expression");
    }

    @Test
    void outputTopicMustNotBeAnInput() {
        Map<String, String> s = valid();
        s.put("alerts-topic", "telemetry");
        assertOneProblem(problems(s), "both read as telemetry and written");
    }

    @Test
    void startOffsets() {
        Map<String, String> s = valid();
        s.put("start-offsets", "timestamp:2026-01-31T12:00:00Z");
        assertEquals(1769860800000L, VigilJobConfig.parse(s).startOffsets.timestamp());
        s.put("start-offsets", "timestamp:1769860800000");
        assertEquals(1769860800000L, VigilJobConfig.parse(s).startOffsets.timestamp());
        s.put("start-offsets", "LATEST");
        assertEquals(
                StartOffsets.Kind.LATEST, VigilJobConfig.parse(s).startOffsets.kind());
        s.put("start-offsets", "beginning");
        assertOneProblem(problems(s), "'beginning' is not a start position", "earliest, latest, committed");
        s.put("start-offsets", "timestamp:yesterday");
        assertOneProblem(problems(s), "'yesterday' is neither epoch milliseconds nor an ISO-8601 instant");
    }

    @Test
    void durations() {
        Map<String, String> s = valid();
        s.put("checkpoint-interval", "ten seconds");
        assertOneProblem(problems(s), "checkpoint-interval 'ten seconds' is not a duration", "10s");
        s.put("checkpoint-interval", "50ms");
        assertOneProblem(problems(s), "at least 100ms");
        s.put("checkpoint-interval", "2s");
        s.put("watermark-delay", "500ms");
        s.put("watermark-idleness", "0");
        VigilJobConfig c = VigilJobConfig.parse(s);
        assertEquals(Duration.ofMillis(500), c.watermarkDelay);
        assertTrue(c.watermarkIdleness.isZero());
    }

    @Test
    void transactionTimeoutStaysUnderTheBrokerMaximum() {
        Map<String, String> s = valid();
        s.put("transaction-timeout", "15min");
        assertOneProblem(problems(s), "under the broker's maximum of 15min");
        s.put("transaction-timeout", "14min");
        assertEquals(Duration.ofMinutes(14), VigilJobConfig.parse(s).transactionTimeout);
        s.put("transaction-timeout", "10s");
        s.put("checkpoint-interval", "1min");
        assertOneProblem(problems(s), "at least twice checkpoint-interval");
    }

    @Test
    void parallelism() {
        Map<String, String> s = valid();
        s.put("parallelism", "0");
        assertOneProblem(problems(s), "parallelism '0' must be a whole number from 1");
        s.put("parallelism", "two");
        assertOneProblem(problems(s), "parallelism 'two'");
        s.put("parallelism", "2");
        assertEquals(2, VigilJobConfig.parse(s).parallelism);
    }

    @Test
    void stateCacheEntriesReachTheDetectors() {
        Map<String, String> s = valid();
        assertEquals(DetectorOperator.STATE_CACHE_CAPACITY, VigilJobConfig.parse(s).stateCacheEntries);
        s.put("state-cache-entries", "999");
        assertOneProblem(problems(s), "state-cache-entries '999' must be a whole number from 1000 to 10000000");
        s.put("state-cache-entries", "lots");
        assertOneProblem(problems(s), "state-cache-entries 'lots'");
        s.put("state-cache-entries", "200000");
        VigilJobConfig c = VigilJobConfig.parse(s);
        assertEquals(200_000, c.stateCacheEntries);
        assertEquals(200_000, KafkaDetectionJob.detectionConfig(c).stateCacheEntries);
    }

    @Test
    void rulesDirMustBeAFolder() throws Exception {
        Map<String, String> s = valid();
        s.put("rules-dir", tmp.resolve("nope").toString());
        assertOneProblem(problems(s), "does not exist");
        Path f = Files.writeString(tmp.resolve("rule.yaml"), "x");
        s.put("rules-dir", f.toString());
        assertOneProblem(problems(s), "it is a file");
    }

    @Test
    void unknownSettingListsTheKnownOnes() {
        Map<String, String> s = valid();
        s.put("bootstrap-server", "x:1");
        assertOneProblem(problems(s), "unknown setting 'bootstrap-server'", "bootstrap-servers");
    }

    @Test
    void flagsOverrideTheFileAndTopicsAccumulate() throws Exception {
        Path props = Files.writeString(
                tmp.resolve("job.properties"),
                String.join(
                        "\n",
                        "bootstrap-servers=10.0.0.1:9092",
                        "topics=telemetry=json",
                        "rules-dir=" + tmp,
                        "kafka.security.protocol=SSL",
                        "parallelism=4"));
        VigilJobConfig c = JobArguments.parse(new String[] {
            "--config",
            props.toString(),
            "--bootstrap-servers",
            "127.0.0.1:9092",
            "--topic",
            "otel=otlp-json",
            "--kafka-property",
            "acks=all"
        });
        assertEquals("127.0.0.1:9092", c.bootstrapServers);
        assertEquals("json", c.topics.formatOf("telemetry"));
        assertEquals("otlp-json", c.topics.formatOf("otel"));
        assertEquals("SSL", c.clientProperties.getProperty("security.protocol"));
        assertEquals("all", c.clientProperties.getProperty("acks"));
        assertEquals(4, c.parallelism);
        assertFalse(c.topics.isPattern());
    }

    @Test
    void rulesTopicIsOptionalAndChecked() {
        assertNull(VigilJobConfig.parse(valid()).rulesTopic);
        Map<String, String> s = valid();
        s.put("rules-topic", "vigil-rules");
        assertEquals("vigil-rules", VigilJobConfig.parse(s).rulesTopic);
        s.put("rules-topic", "no such topic");
        assertOneProblem(problems(s), "rules-topic", "not a Kafka topic name");
    }

    @Test
    void geoIpDatabasesAreOpenedAtParseAndAWrongOneIsNamedByItsSetting() throws Exception {
        assertNull(VigilJobConfig.parse(valid()).geoIp);
        java.nio.file.Path city = tmp.resolve("city.mmdb");
        new io.vigil.ingest.geo.MaxMindDbWriter("GeoLite2-City")
                .put("81.2.69.0/24", io.vigil.ingest.geo.MaxMindDbWriter.city("GB", "United Kingdom", "London"))
                .write(city);
        Map<String, String> s = valid();
        s.put("geoip-db", city.toString());
        assertEquals(city, VigilJobConfig.parse(s).geoIp.geoDb());
        s.put("asn-db", tmp.resolve("missing.mmdb").toString());
        assertOneProblem(problems(s), "asn-db " + tmp.resolve("missing.mmdb"), "no such file");
    }

    @Test
    void catalogTopicIsOptionalAndChecked() {
        assertNull(VigilJobConfig.parse(valid()).catalogTopic);
        Map<String, String> s = valid();
        s.put("catalog-topic", "vigil-services");
        assertEquals("vigil-services", VigilJobConfig.parse(s).catalogTopic);
        s.put("catalog-topic", "no such topic");
        assertOneProblem(problems(s), "catalog-topic", "not a Kafka topic name");
        s.put("catalog-topic", "vigil-rules");
        s.put("rules-topic", "vigil-rules");
        assertOneProblem(problems(s), "catalog-topic and rules-topic are both 'vigil-rules'", "e.g. vigil-services");
        s.remove("rules-topic");
        s.put("catalog-topic", "vigil-alerts");
        assertOneProblem(problems(s), "catalog-topic 'vigil-alerts' is also written by the job", "its own topic");
    }

    @Test
    void sinkTlsAndConcurrencySettingsAreCheckedNamingTheKeyAndFile() throws Exception {
        Map<String, String> s = valid();
        s.put("search-url", "https://127.0.0.1:9200");
        s.put("search-max-in-flight", "8");
        s.put("prometheus-url", "https://127.0.0.1:9090/api/v1/write");
        VigilJobConfig c = VigilJobConfig.parse(s);
        assertEquals(8, c.search.maxInFlight);
        assertFalse(c.search.tls.isSet(), "no TLS settings: the JVM's trust store");
        assertEquals("https://127.0.0.1:9090/api/v1/write", c.prometheus.url);
        Map<String, String> plain = valid();
        plain.put("search-url", "http://127.0.0.1:9200");
        assertEquals(4, VigilJobConfig.parse(plain).search.maxInFlight, "default in flight");

        Path missing = tmp.resolve("ca.pem");
        s.put("search-ca-cert", missing.toString());
        s.put("prometheus-tls-skip-hostname-verify", "yes");
        List<String> problems = problems(s);
        assertEquals(2, problems.size(), problems.toString());
        assertEquals(
                "search-ca-cert '" + missing + "': no such file (the path is read where the job runs, on every "
                        + "TaskManager)",
                problems.get(0));
        assertEquals("prometheus-tls-skip-hostname-verify 'yes' must be true or false", problems.get(1));

        Files.writeString(missing, "not a certificate\n");
        s.remove("prometheus-tls-skip-hostname-verify");
        s.put("search-max-in-flight", "0");
        problems = problems(s);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("search-max-in-flight '0' must be"), problems.toString());
        assertTrue(
                problems.get(1).startsWith("search-ca-cert '" + missing + "' is not a PEM certificate file"),
                problems.toString());

        Map<String, String> orphan = valid();
        orphan.put("prometheus-ca-cert", missing.toString());
        assertOneProblem(problems(orphan), "prometheus-ca-cert is set but prometheus-url is not");
    }

    @Test
    void kafkaClientConfigFileSuppliesClientPropertiesThatFlagsOverrideAndTheDescriptionHidesCredentials()
            throws Exception {
        Path file = tmp.resolve("kafka-client.properties");
        Files.writeString(
                file,
                "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
                        + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"vigil\" password=\"s3cret-from-file\";\n"
                        + "ssl.truststore.location=/etc/ca.crt\nssl.truststore.password=truststore-s3cret\n");
        Map<String, String> s = valid();
        s.put("kafka-client-config", file.toString());
        s.put("kafka.sasl.mechanism", "SCRAM-SHA-256");
        VigilJobConfig c = VigilJobConfig.parse(s);
        assertEquals("SASL_SSL", c.clientProperties.getProperty("security.protocol"));
        assertEquals("SCRAM-SHA-256", c.clientProperties.getProperty("sasl.mechanism"), "a flag wins over the file");
        assertTrue(c.clientProperties.getProperty("sasl.jaas.config").contains("s3cret-from-file"));
        assertEquals(file, c.kafkaClientConfig);

        String shown = c.describe();
        assertTrue(shown.contains("kafka.security.protocol=SASL_SSL"), shown);
        assertTrue(shown.contains("kafka.sasl.jaas.config=[hidden]"), shown);
        assertTrue(shown.contains("kafka.ssl.truststore.password=[hidden]"), shown);
        assertTrue(shown.contains("kafka.ssl.truststore.location=/etc/ca.crt"), shown);
        assertFalse(shown.contains("s3cret"), shown);
    }

    @Test
    void kafkaClientConfigThatIsMissingOrSetsWhatTheJobOwnsIsRefusedWithoutShowingValues() throws Exception {
        Map<String, String> missing = valid();
        missing.put("kafka-client-config", tmp.resolve("nope.properties").toString());
        assertOneProblem(problems(missing), "kafka-client-config", "nope.properties", "no such file");

        Path file = tmp.resolve("owns.properties");
        Files.writeString(file, "group.id=secret-group-name\n");
        Map<String, String> owns = valid();
        owns.put("kafka-client-config", file.toString());
        List<String> problems = problems(owns);
        assertOneProblem(problems, "kafka-client-config", "group.id", "the job sets it");
        assertFalse(problems.get(0).contains("secret-group-name"), problems.get(0));
    }

    @Test
    void searchAndRemoteWritePasswordsComeFromFilesNamedInErrors() throws Exception {
        Path search = tmp.resolve("search.password");
        Files.writeString(search, "search-s3cret\n");
        Path prom = tmp.resolve("prometheus.password");
        Files.writeString(prom, "prom-s3cret");
        Map<String, String> s = valid();
        s.put("search-url", "https://127.0.0.1:9200");
        s.put("search-user", "vigil");
        s.put("search-password-file", search.toString());
        s.put("prometheus-url", "https://127.0.0.1:9090/api/v1/write");
        s.put("prometheus-user", "vigil");
        s.put("prometheus-password-file", prom.toString());
        VigilJobConfig c = VigilJobConfig.parse(s);
        assertEquals("search-s3cret", c.search.password, "without the file's trailing newline");
        assertEquals("vigil", c.prometheus.username);
        assertEquals("prom-s3cret", c.prometheus.password);
        assertFalse(c.describe().contains("s3cret"), c.describe());

        Files.writeString(prom, "");
        Map<String, String> empty = valid();
        empty.put("prometheus-url", "https://127.0.0.1:9090/api/v1/write");
        empty.put("prometheus-user", "vigil");
        empty.put("prometheus-password-file", prom.toString());
        assertOneProblem(problems(empty), "prometheus-password-file", "is empty");

        Map<String, String> noUser = valid();
        noUser.put("search-url", "https://127.0.0.1:9200");
        noUser.put("search-password-file", search.toString());
        assertOneProblem(problems(noUser), "search-password-file is set but search-user is not");
    }
}
