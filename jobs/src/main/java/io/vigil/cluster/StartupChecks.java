package io.vigil.cluster;

import io.vigil.sink.notify.NotifyConfig;
import io.vigil.sink.notify.WebhookPayload;
import io.vigil.sink.prometheus.RemoteWriteConfig;
import io.vigil.sink.search.SearchConfig;
import io.vigil.sink.tls.TlsSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before the job is submitted, that the credentials and certificates it was given are accepted by the Kafka
 * brokers, the search cluster, the remote-write receiver, the Alertmanagers and the webhook receivers. A wrong password or an untrusted
 * certificate never heals by retrying, and once the job runs it would only show as restarts with a client library's
 * message that names no setting; here it fails the submission with a message naming the setting to fix. A server
 * that does not answer (yet) is not an error: it may come up after the job, which then retries as usual, so that only
 * logs a warning. Messages name settings and files, never a secret.
 */
final class StartupChecks {
    private static final Logger LOG = LoggerFactory.getLogger(StartupChecks.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private StartupChecks() {}

    /** Throws IllegalArgumentException listing every credential or certificate that a server refused. */
    static void run(VigilJobConfig c) {
        run(c, TIMEOUT);
    }

    /** As {@link #run(VigilJobConfig)}, waiting at most {@code timeout} for each server. */
    static void run(VigilJobConfig c, Duration timeout) {
        List<String> problems = new ArrayList<>();
        kafka(c, timeout, problems);
        if (c.search != null) {
            for (String host : c.search.hosts) {
                http("search", host, c.search.tls, authorization(c.search), Map.of(), timeout, problems);
            }
        }
        if (c.prometheus != null) {
            http(
                    "prometheus",
                    c.prometheus.url,
                    c.prometheus.tls,
                    authorization(c.prometheus),
                    Map.of(),
                    timeout,
                    problems);
        }
        notify(c.alertmanager, timeout, problems);
        notify(c.webhook, timeout, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "the job cannot start: a server refused its settings:\n  - " + String.join("\n  - ", problems));
        }
    }

    /**
     * Asks each Alertmanager or webhook receiver of the output for its URL. A bearer token file is read where the sink
     * runs, not here: only basic auth and TLS are checked. A webhook output with a secret signs the probe (the HMAC of
     * its empty body), so a receiver that refuses unsigned requests does not fail the check for want of a signature.
     */
    private static void notify(NotifyConfig n, Duration timeout, List<String> problems) {
        if (n == null || n.bearerTokenFile != null) return;
        byte[] key = n.secret();
        Map<String, String> headers = key == null
                ? Map.of()
                : Map.of(WebhookPayload.SIGNATURE_HEADER, WebhookPayload.signature(key, new byte[0]));
        for (String url : n.urls) {
            http(n.prefix, url, n.tls, authorization(n), headers, timeout, problems);
        }
    }

    /** Where the Kafka client settings come from, as users wrote them. */
    private static String kafkaSettings(VigilJobConfig c) {
        return c.kafkaClientConfig != null
                ? VigilJobConfig.Key.KAFKA_CLIENT_CONFIG.name + " '" + c.kafkaClientConfig + "'"
                : "the kafka.* settings (--kafka-property)";
    }

    private static void kafka(VigilJobConfig c, Duration timeout, List<String> problems) {
        Properties p = new Properties();
        p.putAll(c.clientProperties);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().nodes().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String protocol = c.clientProperties.getProperty("security.protocol", "PLAINTEXT");
            if (cause instanceof SaslAuthenticationException) {
                problems.add("bootstrap-servers " + c.bootstrapServers + " rejected the SASL credentials of "
                        + kafkaSettings(c) + " (sasl.jaas.config, sasl.mechanism): " + cause.getMessage());
            } else if (cause instanceof SslAuthenticationException) {
                problems.add("the TLS handshake with bootstrap-servers " + c.bootstrapServers + " failed; check "
                        + "ssl.truststore.location/ssl.truststore.type in " + kafkaSettings(c) + " (it must hold "
                        + "the CA that signed the brokers' certificates): " + rootMessage(cause));
            } else {
                LOG.warn(
                        "Kafka at {} did not answer the start-up check ({}, security.protocol {}); "
                                + "submitting anyway, the job retries",
                        c.bootstrapServers,
                        rootMessage(cause),
                        protocol);
            }
        } catch (TimeoutException e) {
            LOG.warn(
                    "Kafka at {} did not answer the start-up check in {}; submitting anyway",
                    c.bootstrapServers,
                    timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka", e);
        } catch (RuntimeException e) {
            // Admin.create refuses a client property it cannot use (an unknown SASL mechanism, a JAAS syntax error).
            problems.add(kafkaSettings(c) + ": the Kafka client cannot be configured: " + rootMessage(e));
        }
    }

    /**
     * Asks the server for its root (search, Alertmanager), its write endpoint (remote write) or its URL (webhook) with
     * the job's TLS, credentials and any other headers the output sends.
     */
    private static void http(
            String prefix,
            String url,
            TlsSettings tls,
            String authorization,
            Map<String, String> headers,
            Duration timeout,
            List<String> problems) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(timeout);
        SSLContext ssl = tls.sslContext();
        if (ssl != null) b.sslContext(ssl);
        HttpRequest.Builder req =
                HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET();
        if (authorization != null) req.header("Authorization", authorization);
        headers.forEach(req::header);
        String urlKey = prefix + "-url";
        try {
            HttpResponse<Void> r = b.build().send(req.build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == 401 || r.statusCode() == 403) {
                problems.add(urlKey + " " + url + " answered HTTP " + r.statusCode() + " to the credentials in "
                        + (authorization == null
                                ? "(none given: set " + prefix + "-user and " + prefix + "-password-file)"
                                : prefix + "-user / " + prefix + "-password-file")
                        + (headers.containsKey(WebhookPayload.SIGNATURE_HEADER)
                                ? "; the request was signed with " + prefix + "-secret-file"
                                : ""));
            }
        } catch (SSLException e) {
            problems.add(urlKey + " " + url + ": the TLS handshake failed; "
                    + (tls.caCert == null
                            ? "the JVM's trust store does not trust its certificate, give its CA in "
                                    + tls.key("ca-cert")
                            : tls.key("ca-cert") + " '" + tls.caCert + "' does not hold the CA that signed its "
                                    + "certificate")
                    + " (" + rootMessage(e) + ")");
        } catch (IOException e) {
            LOG.warn(
                    "{} {} did not answer the start-up check ({}); submitting anyway, the job retries",
                    urlKey,
                    url,
                    rootMessage(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking " + url, e);
        }
    }

    private static String authorization(SearchConfig s) {
        if (s.apiKey != null) return "ApiKey " + s.apiKey;
        return basic(s.username, s.password);
    }

    private static String authorization(RemoteWriteConfig p) {
        if (p.bearerToken != null) return "Bearer " + p.bearerToken;
        return basic(p.username, p.password);
    }

    private static String authorization(NotifyConfig n) {
        return basic(n.username, n.password);
    }

    private static String basic(String user, String password) {
        if (user == null) return null;
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
