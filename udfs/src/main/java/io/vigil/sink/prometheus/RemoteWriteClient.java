package io.vigil.sink.prometheus;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs remote-write bodies (JDK HTTP client: one small dependency fewer). 2xx is success; 429, 5xx and connection
 * errors are retried with exponential backoff and jitter, and when retries run out {@link #send} throws, so the job
 * fails and replays from its checkpoint; any other 4xx means the receiver will never take these samples (out of order,
 * too old, duplicate with another value): they are dropped, counted and logged with the receiver's answer, since
 * retrying would only block every later sample. A 5xx whose body names such a sample error is a rejection too
 * (see {@link #permanent}).
 */
final class RemoteWriteClient {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteWriteClient.class);

    /** What a send did. */
    enum Result {
        SENT,
        REJECTED
    }

    private final RemoteWriteConfig config;
    private final HttpClient http;
    private final String authorization;
    int retries;
    String lastRejection;

    RemoteWriteClient(RemoteWriteConfig config) {
        this.config = config;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(config.requestTimeout);
        javax.net.ssl.SSLContext ssl = config.tls.sslContext(); // null: the JVM's defaults
        if (ssl != null) {
            http.sslContext(ssl);
        }
        this.http = http.build();
        if (config.bearerToken != null) {
            authorization = "Bearer " + config.bearerToken;
        } else if (config.username != null) {
            authorization = "Basic "
                    + Base64.getEncoder()
                            .encodeToString((config.username + ":" + config.password).getBytes(StandardCharsets.UTF_8));
        } else {
            authorization = null;
        }
    }

    Result send(byte[] body, int samples) throws IOException, InterruptedException {
        String lastFailure = null;
        for (int attempt = 0; ; attempt++) {
            if (lastFailure != null) {
                if (attempt > config.maxRetries) {
                    throw new IOException("prometheus: gave up after " + config.maxRetries + " retries sending "
                            + samples + " samples to " + config.url + "; last failure: " + lastFailure);
                }
                retries++;
                Thread.sleep(backoff(attempt));
            }
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(config.url))
                    .timeout(config.requestTimeout)
                    .header("Content-Encoding", "snappy")
                    .header("Content-Type", "application/x-protobuf")
                    .header("User-Agent", "vigil")
                    .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (authorization != null) {
                req.header("Authorization", authorization);
            }
            HttpResponse<String> resp;
            try {
                resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            } catch (javax.net.ssl.SSLException e) {
                // A certificate the client does not trust (or a name it does not match) will not change on retry.
                throw new IOException(
                        "prometheus: TLS with " + config.url + " failed: " + e.getMessage() + "; check "
                                + config.tls.key("ca-cert") + " (the CA that signed the receiver's certificate), "
                                + config.tls.key("client-cert") + "/" + config.tls.key("client-key")
                                + " if it wants a client certificate, and that the URL's host is named in its certificate",
                        e);
            } catch (IOException e) {
                lastFailure = e.toString();
                continue;
            }
            int status = resp.statusCode();
            if (status >= 200 && status < 300) {
                return Result.SENT;
            }
            if ((status == 429 || status >= 500) && !permanent(resp.body())) {
                lastFailure = "HTTP " + status + " " + resp.body().strip();
                continue;
            }
            lastRejection = "HTTP " + status + " " + resp.body().strip();
            LOG.warn("prometheus: receiver rejected {} samples, dropped: {}", samples, lastRejection);
            return Result.REJECTED;
        }
    }

    /**
     * Whether the receiver's answer says these samples can never be stored, whatever its status: Prometheus 2.42
     * answers samples older than its out-of-order window with HTTP 500 "too old sample" (seen against the real server
     * in SinksIT), and retrying that would block every later sample.
     */
    static boolean permanent(String body) {
        String b = body == null ? "" : body.toLowerCase(java.util.Locale.ROOT);
        return b.contains("too old sample")
                || b.contains("out of order sample")
                || b.contains("out of bounds")
                || b.contains("duplicate sample for timestamp");
    }

    private long backoff(int attempt) {
        long base = config.initialBackoff.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, config.maxBackoff.toMillis());
        return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    }
}
