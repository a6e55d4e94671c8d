package io.vigil.sink.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP delivery that the Alertmanager and webhook outputs share: an asynchronous POST (the JDK's client, whose
 * {@code sendAsync} needs no thread of ours while a request waits) with credentials and TLS from {@link NotifyConfig},
 * retried on 429, 5xx and connection errors with exponential backoff and jitter. The returned future never fails: it
 * completes with what happened, so a receiver that is down neither blocks the task thread nor fails the job (the
 * Alertmanager output's re-send delivers the alert again once it is back).
 */
final class NotifyClient {
    private static final Logger LOG = LoggerFactory.getLogger(NotifyClient.class);

    /** What became of one notification. */
    enum Outcome {
        DELIVERED,
        /** The receiver answered 4xx (not 429): sending it again would not help. */
        REJECTED,
        /** Retries ran out (receiver down or failing). */
        GAVE_UP
    }

    /** One POST: where, the body, extra headers (signature). */
    record Notification(URI url, byte[] body, Map<String, String> headers) {}

    /** The outcome and how many retries it took. */
    record Delivery(Outcome outcome, int retries) {}

    private final NotifyConfig config;
    private final HttpClient http;
    private final String authorization;

    NotifyClient(NotifyConfig config) {
        this.config = config;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(config.requestTimeout);
        SSLContext ssl = config.tls.sslContext(); // null: the JVM's defaults
        if (ssl != null) {
            b.sslContext(ssl);
        }
        this.http = b.build();
        String bearer = config.bearerToken();
        if (bearer != null) {
            authorization = "Bearer " + bearer;
        } else if (config.username != null) {
            authorization = "Basic "
                    + Base64.getEncoder()
                            .encodeToString((config.username + ":" + config.password).getBytes(StandardCharsets.UTF_8));
        } else {
            authorization = null;
        }
    }

    /** POSTs the notification until it is delivered, rejected, or retries run out; never completes exceptionally. */
    CompletableFuture<Delivery> post(Notification n) {
        CompletableFuture<Delivery> result = new CompletableFuture<>();
        attempt(n, 0, result);
        return result;
    }

    private void attempt(Notification n, int retries, CompletableFuture<Delivery> result) {
        HttpRequest.Builder req = HttpRequest.newBuilder(n.url())
                .timeout(config.requestTimeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "vigil")
                .POST(HttpRequest.BodyPublishers.ofByteArray(n.body()));
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        n.headers().forEach(req::header);
        http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            String failure;
            if (error == null) {
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    result.complete(new Delivery(Outcome.DELIVERED, retries));
                    return;
                }
                if (status != 429 && status < 500) {
                    LOG.warn(
                            "{}: {} refused a notification with HTTP {}: {}",
                            config.prefix,
                            n.url(),
                            status,
                            abbreviate(response.body()));
                    result.complete(new Delivery(Outcome.REJECTED, retries));
                    return;
                }
                failure = "HTTP " + status;
            } else {
                failure = error.getCause() != null ? error.getCause().toString() : error.toString();
            }
            if (retries >= config.maxRetries) {
                LOG.warn(
                        "{}: gave up on {} after {} retries (last failure: {}); a firing alert is sent again at its "
                                + "next re-send",
                        config.prefix,
                        n.url(),
                        retries,
                        failure);
                result.complete(new Delivery(Outcome.GAVE_UP, retries));
                return;
            }
            CompletableFuture.delayedExecutor(backoff(retries + 1), TimeUnit.MILLISECONDS)
                    .execute(() -> attempt(n, retries + 1, result));
        });
    }

    private long backoff(int attempt) {
        long base = config.initialBackoff.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, config.maxBackoff.toMillis());
        return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }
}
