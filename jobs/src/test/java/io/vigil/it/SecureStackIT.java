package io.vigil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.cluster.FlinkRest;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The job end to end on the secured stack ({@code bin/vigil stack up --secure}, port offset 24000, data under
 * {@code jobs/target/it-stack/secure}): Kafka over SASL_SSL with SCRAM-SHA-512 and ACLs, OpenSearch behind the
 * stack's authenticating TLS proxy, Prometheus remote write and Alertmanager over TLS with basic auth. The job gets
 * its credentials only as files ({@code kafka-client-config}, {@code search-password-file},
 * {@code prometheus-password-file}, {@code alertmanager-password-file}); wrong ones fail the submission naming the
 * setting; a user without ACLs is refused; and no secret the stack made shows up in any log, CLI output, REST answer
 * or exception.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecureStackIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int OFFSET = 24000;
    static final int SERVICES = 4;
    static final int SECONDS = 45;
    /** Within Prometheus' accepted age (the stack allows 30 days out of order), on a whole minute. */
    static final long T0 = System.currentTimeMillis() / 60_000 * 60_000 - 20 * 60_000;

    static LocalStack stack;
    static KafkaTestClient kafka;
    static FlinkRest rest;
    static HttpClient https;
    static String jobId;
    /** Everything the CLI printed in this test, searched for secrets at the end. */
    static final StringBuilder outputs = new StringBuilder();
    /** Passwords made by the test itself (another Kafka user). */
    static final List<String> testSecrets = new ArrayList<>();

    @BeforeAll
    static void up() throws Exception {
        stack = new LocalStack("secure", OFFSET).upSecure("");
        kafka = new KafkaTestClient(stack.bootstrap(), stack.secureProperties("kafka-admin.properties"));
        rest = new FlinkRest(stack.rest());
        https = HttpClient.newBuilder()
                .sslContext(trusting(stack.secure().resolve("ca.crt")))
                .build();
    }

    @AfterAll
    static void down() throws Exception {
        if (kafka != null) kafka.close();
        if (stack != null) stack.close();
    }

    static String searchUrl() {
        return "https://127.0.0.1:" + (9200 + OFFSET);
    }

    static String prometheusUrl() {
        return "https://127.0.0.1:" + (9090 + OFFSET);
    }

    static String alertmanagerUrl() {
        return "https://127.0.0.1:" + (9095 + OFFSET);
    }

    /** The secured stack's default job's security settings (what `bin/vigil submit` passes), other settings ours. */
    static Map<String, String> jobArgs() {
        Path sec = stack.secure();
        Map<String, String> a = new LinkedHashMap<>();
        a.put("bootstrap-servers", stack.bootstrap());
        a.put("kafka-client-config", sec.resolve("kafka-client.properties").toString());
        a.put("topic", "vigil-telemetry=json");
        a.put(
                "rules-dir",
                LocalStack.ROOT.resolve("jobs/src/test/resources/it-rules").toString());
        // The job name is the prefix of the consumer group and transactional ids the stack's ACLs grant user vigil.
        a.put("job-name", "vigil");
        a.put("alerts-topic", "vigil-alerts");
        a.put("dead-letters-topic", "vigil-dead-letters");
        a.put("start-offsets", "earliest");
        a.put("parallelism", "1");
        a.put("checkpoint-interval", "2s");
        a.put("watermark-delay", "1s");
        a.put("watermark-idleness", "10min");
        a.put("transaction-timeout", "1min");
        a.put("search-url", searchUrl());
        a.put("search-user", "vigil");
        a.put("search-password-file", sec.resolve("search.password").toString());
        a.put("search-ca-cert", sec.resolve("ca.crt").toString());
        a.put("prometheus-url", prometheusUrl() + "/api/v1/write");
        a.put("prometheus-user", "vigil");
        a.put("prometheus-password-file", sec.resolve("prometheus.password").toString());
        a.put("prometheus-ca-cert", sec.resolve("ca.crt").toString());
        a.put("alertmanager-url", alertmanagerUrl());
        a.put("alertmanager-user", "vigil");
        a.put("alertmanager-password-file", sec.resolve("alertmanager.password").toString());
        a.put("alertmanager-ca-cert", sec.resolve("ca.crt").toString());
        return a;
    }

    static List<String> flags(Map<String, String> args) {
        List<String> out = new ArrayList<>();
        args.forEach((k, v) -> out.add("--" + k + "=" + v));
        return out;
    }

    static byte[] log(long t, String service, String severity) {
        return TelemetryJson.write(Telemetry.log(t, service, severity, severity + " in " + service))
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Order(1)
    void jobReadsAndWritesKafkaOverScramAndTlsExactlyOnceAndWritesToTheSecuredOutputs() throws Exception {
        // Two ERRORs a second during each service's 15 s burst (8 in 10 s raise an alert), one INFO a second always.
        for (int t = 0; t < SECONDS; t++) {
            for (int s = 0; s < SERVICES; s++) {
                long base = T0 + t * 1000L;
                kafka.send("vigil-telemetry", s % 2, log(base, "svc-" + s, "INFO"));
                if (((t / 15) + s) % 3 == 0) {
                    kafka.send("vigil-telemetry", s % 2, log(base + 300, "svc-" + s, "ERROR"));
                    kafka.send("vigil-telemetry", s % 2, log(base + 600, "svc-" + s, "ERROR"));
                }
            }
        }
        // Event time far past every window on both partitions, so every alert and rollup is emitted.
        for (int p = 0; p < 2; p++) kafka.send("vigil-telemetry", p, log(T0 + 10 * 60_000, "end-" + p, "INFO"));
        kafka.flush();

        String out = stack.vigil(withSubmit(flags(jobArgs())), 300);
        outputs.append(out);
        jobId = jobId(out);
        rest.awaitRunning(jobId, Duration.ofMinutes(3));
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!kafka.groupCaughtUp("vigil", "vigil-telemetry")) {
            assertTrue(System.nanoTime() < deadline, "the job never read all telemetry; logs: " + stack.logs());
            Thread.sleep(500);
        }
        rest.awaitCheckpoints(jobId, rest.completedCheckpoints(jobId), 2, Duration.ofMinutes(1));

        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted("vigil-alerts")) {
            ids.add(JSON.readTree(r.value()).path("event").path("id").asText());
        }
        // Each service bursts at least twice in 45 s; exactly once: read_committed sees every alert once.
        assertTrue(ids.size() >= SERVICES, "too few alerts over SASL_SSL: " + ids);
        assertEquals(ids.size(), new HashSet<>(ids).size(), "an alert was committed twice: " + ids);

        // The same alerts in the search cluster, through the authenticating TLS proxy.
        JsonNode count = awaitJson(
                searchUrl() + "/vigil-alerts-*/_count",
                "search",
                n -> n.path("count").asInt() >= new HashSet<>(ids).size());
        assertEquals(new HashSet<>(ids).size(), count.path("count").asInt(), "alerts in the search cluster");

        // Rollups remote-written over TLS with basic auth: Prometheus has the job's series.
        String q = URLEncoder.encode("count({__name__=~\"vigil_.+\"})", StandardCharsets.UTF_8);
        JsonNode series = awaitJson(
                prometheusUrl() + "/api/v1/query?query=" + q + "&time=" + (T0 / 1000 + 120),
                "prometheus",
                n -> n.path("data").path("result").size() > 0);
        assertTrue(
                series.path("data").path("result").get(0).path("value").get(1).asInt() > 0, series.toString());

        // The alerts reached Alertmanager over TLS with basic auth: it routed them to the stack's webhook receiver.
        Path notifications = stack.home.resolve("receiver/notifications.jsonl");
        Set<String> notified = new HashSet<>();
        long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (notified.stream().noneMatch(ids::contains)) {
            assertTrue(
                    System.nanoTime() < until,
                    "no alert of " + ids + " came through Alertmanager; notified: " + notified + "; logs: "
                            + stack.logs());
            Thread.sleep(1000);
            if (!Files.exists(notifications)) continue;
            for (String line : Files.readAllLines(notifications, StandardCharsets.UTF_8)) {
                JsonNode notification;
                try {
                    notification = JSON.readTree(line);
                } catch (java.io.IOException partlyWritten) {
                    continue;
                }
                for (JsonNode alert : notification.path("alerts")) {
                    notified.add(
                            alert.path("annotations").path("vigil_alert_id").asText());
                }
            }
        }
        // ... and Alertmanager answers nobody without the password.
        HttpResponse<String> anonymous = https.send(
                HttpRequest.newBuilder(URI.create(alertmanagerUrl() + "/api/v2/alerts"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), anonymous.body());
    }

    @Test
    @Order(2)
    void wrongPasswordOrUntrustedCertificateFailsTheSubmissionNamingTheSetting() throws Exception {
        Path sec = stack.secure();
        Path dir = stack.home.resolve("bad-settings");
        Files.createDirectories(dir);
        String client = Files.readString(sec.resolve("kafka-client.properties"));

        Path wrongPassword = dir.resolve("wrong-password.properties");
        Files.writeString(wrongPassword, client.replaceAll("password=\"[^\"]*\"", "password=\"not-the-password\""));
        Map<String, String> a = jobArgs();
        a.put("kafka-client-config", wrongPassword.toString());
        String refused = submitFails(a);
        assertTrue(
                refused.contains("rejected the SASL credentials of kafka-client-config '" + wrongPassword + "'"),
                refused);

        Path untrusted = dir.resolve("untrusted.properties");
        Files.writeString(untrusted, client.replaceAll("(?m)^ssl\\.truststore\\..*$", ""));
        a = jobArgs();
        a.put("kafka-client-config", untrusted.toString());
        refused = submitFails(a);
        assertTrue(refused.contains("TLS handshake with bootstrap-servers " + stack.bootstrap() + " failed"), refused);
        assertTrue(refused.contains("ssl.truststore.location"), refused);

        Path wrongSearchPassword = dir.resolve("search.password");
        Files.writeString(wrongSearchPassword, "not-the-password\n");
        a = jobArgs();
        a.put("search-password-file", wrongSearchPassword.toString());
        a.put("alertmanager-password-file", wrongSearchPassword.toString());
        a.remove("prometheus-ca-cert");
        refused = submitFails(a);
        assertTrue(refused.contains("alertmanager-url " + alertmanagerUrl() + " answered HTTP 401"), refused);
        assertTrue(refused.contains("alertmanager-user / alertmanager-password-file"), refused);
        assertTrue(refused.contains("search-url " + searchUrl() + " answered HTTP 401"), refused);
        assertTrue(refused.contains("search-user / search-password-file"), refused);
        assertTrue(
                refused.contains("prometheus-url " + prometheusUrl() + "/api/v1/write: the TLS handshake failed"),
                refused);
        assertTrue(refused.contains("give its CA in prometheus-ca-cert"), refused);
        assertFalse(refused.contains("rejected the SASL credentials"), "the right Kafka settings pass: " + refused);
    }

    @Test
    @Order(3)
    void kafkaAclsRefuseAnotherUserAndKeepTheJobUserToItsOwnTopics() throws Exception {
        String password = Base64.getUrlEncoder()
                .encodeToString(java.util.UUID.randomUUID().toString().getBytes());
        testSecrets.add(password);
        kafka.admin()
                .alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                        "outsider", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)))
                .all()
                .get();
        Properties outsider = stack.secureProperties("kafka-client.properties");
        outsider.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"outsider\" password=\""
                        + password + "\";");
        outsider.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
        outsider.put(ConsumerConfig.GROUP_ID_CONFIG, "vigil-outsider");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (KafkaConsumer<byte[], byte[]> c =
                    new KafkaConsumer<>(outsider, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                c.partitionsFor("vigil-alerts", Duration.ofSeconds(20));
                fail("user outsider, who has no ACL, was allowed to describe vigil-alerts");
            } catch (TopicAuthorizationException e) {
                assertTrue(e.unauthorizedTopics().contains("vigil-alerts"), e.toString());
                break;
            } catch (SaslAuthenticationException e) {
                // A new SCRAM credential reaches the broker's listener through the metadata log a moment later.
                assertTrue(System.nanoTime() < deadline, "user outsider never authenticated: " + e);
                Thread.sleep(500);
            }
        }

        // The job's own user may read telemetry but not write it.
        Properties job = stack.secureProperties("kafka-client.properties");
        job.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
        job.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(job, new ByteArraySerializer(), new ByteArraySerializer())) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> p.send(new ProducerRecord<>("vigil-telemetry", "x".getBytes()))
                            .get());
            assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
        }
    }

    @Test
    @Order(4)
    void noSecretInLogsCliOutputRestAnswersOrExceptions() throws Exception {
        Path sec = stack.secure();
        List<String> secrets = new ArrayList<>(testSecrets);
        for (String user : List.of("admin", "vigil", "search", "prometheus", "alertmanager")) {
            Path f = sec.resolve(user + ".password");
            assertEquals(
                    Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(f),
                    f + " must be readable by its owner only");
            secrets.add(Files.readString(f).strip());
        }
        for (String key : List.of("ca.key", "server.key")) {
            Path f = sec.resolve(key);
            assertEquals(
                    Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(f));
            // A line of the key's base64 body: any part of it in the open would be a leak.
            secrets.add(Files.readAllLines(f).get(3));
        }
        for (String s : secrets) assertTrue(s.length() >= 16, "a secret too short to search for: " + s.length());

        Map<String, String> where = new LinkedHashMap<>();
        where.put("CLI output of this test", outputs.toString());
        for (String path : List.of(
                "/jobs/" + jobId + "/config",
                "/jobs/" + jobId,
                "/jobs/" + jobId + "/exceptions",
                "/jobs/" + jobId + "/checkpoints/config",
                "/jobmanager/config")) {
            where.put("REST " + path, rest.get(path).toString());
        }
        try (Stream<Path> files = Files.walk(stack.logs())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                where.put(f.toString(), Files.readString(f, StandardCharsets.ISO_8859_1));
            }
        }
        assertTrue(
                where.keySet().stream().anyMatch(k -> k.endsWith("flink-cli.log")),
                where.keySet().toString());
        assertTrue(where.get("REST /jobs/" + jobId + "/config").contains("execution-config"), "the job's config");
        // The configuration dump is there, with the JAAS config hidden.
        String cli = where.get(stack.logs().resolve("flink-cli.log").toString());
        assertTrue(cli.contains("kafka.sasl.jaas.config=[hidden]"), "the job's configuration dump");
        List<String> leaks = new ArrayList<>();
        where.forEach((place, text) -> {
            for (int i = 0; i < secrets.size(); i++) {
                if (text.contains(secrets.get(i))) leaks.add("secret #" + i + " in " + place);
            }
        });
        assertEquals(List.of(), leaks, "secrets in the open");
    }

    // ------------------------------------------------------------------------------------------------------------

    static List<String> withSubmit(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("submit"));
        cmd.addAll(args);
        return cmd;
    }

    static String jobId(String output) {
        var m = java.util.regex.Pattern.compile("job ([0-9a-f]{32}) running").matcher(output);
        assertTrue(m.find(), "no job id in:\n" + output);
        return m.group(1);
    }

    /** Submits and expects bin/vigil submit to fail; returns what it printed. */
    static String submitFails(Map<String, String> args) throws Exception {
        try {
            String out = stack.vigil(withSubmit(flags(args)), 300);
            outputs.append(out);
            fail("the submission with " + args + " should have failed:\n" + out);
            return out;
        } catch (IllegalStateException e) {
            outputs.append(e.getMessage());
            assertTrue(e.getMessage().contains("the job cannot start: a server refused its settings"), e.getMessage());
            return e.getMessage();
        }
    }

    /** GETs url as user vigil with the service's password until {@code done} holds, for at most two minutes. */
    static JsonNode awaitJson(String url, String service, java.util.function.Predicate<JsonNode> done)
            throws Exception {
        String password =
                Files.readString(stack.secure().resolve(service + ".password")).strip();
        String auth =
                "Basic " + Base64.getEncoder().encodeToString(("vigil:" + password).getBytes(StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = https.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .header("Authorization", auth)
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                last = JSON.readTree(r.body());
                if (done.test(last)) return last;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("GET " + url + " never gave what was expected; last answer: " + last);
    }

    /** An SSL context that trusts only the stack's CA: what a client of the secured stack uses. */
    static SSLContext trusting(Path caCert) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry(
                "ca",
                CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(caCert))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
