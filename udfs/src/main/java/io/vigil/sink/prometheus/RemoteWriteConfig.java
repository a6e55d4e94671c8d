package io.vigil.sink.prometheus;

import io.vigil.sink.auth.BasicAuthPassword;
import io.vigil.sink.tls.TlsSettings;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where and how rollups are pushed with Prometheus remote write: the receiver's URL (Prometheus with
 * {@code --web.enable-remote-write-receiver} takes {@code http://host:9090/api/v1/write}), its TLS settings (a private
 * CA, a client certificate; see {@link TlsSettings}), optional basic auth or bearer token, the metric name prefix, and the batching and retry limits. Validated by {@link #validate()}.
 */
public class RemoteWriteConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public String url;
    public String username;
    public String password;
    public String bearerToken;
    /** Prepended to every rollup's metric name: {@code vigil_} + {@code error_ratio}. */
    public String metricPrefix = "vigil_";
    /** A request is sent when it holds this many samples (the bound of the writer's buffer) ... */
    public int maxSamplesPerRequest = 2000;
    /** ... or this long after the last send (and always on checkpoint). */
    public Duration flushInterval = Duration.ofSeconds(5);
    /** Attempts after the first for a request that failed with 429, 5xx or a connection error. */
    public int maxRetries = 8;
    /** Requests that may wait or travel at once (sent in order by one thread); more backpressure the job. */
    public int maxPendingRequests = 4;

    public Duration initialBackoff = Duration.ofMillis(200);
    public Duration maxBackoff = Duration.ofSeconds(10);
    public Duration requestTimeout = Duration.ofSeconds(30);
    /** TLS beyond the JVM's trust store: CA bundle, client certificate, hostname check (keys {@code prometheus-...}). */
    public TlsSettings tls = new TlsSettings("prometheus");

    public RemoteWriteConfig() {}

    /**
     * The remote-write output of the job's settings ({@code prometheus-url}, {@code prometheus-user} with
     * {@code prometheus-password-file} or {@code $VIGIL_PROMETHEUS_PASSWORD}, and the {@code prometheus-} TLS settings), or null when {@code prometheus-url} is not set or a value is wrong; every problem is added to
     * {@code problems}.
     */
    public static RemoteWriteConfig parse(Map<String, String> s, List<String> problems) {
        String url = s.getOrDefault("prometheus-url", "");
        if (url.isEmpty()) {
            new TlsSettings("prometheus").checkUnused(s, "prometheus-url", problems);
            if (!s.getOrDefault("prometheus-user", "").isEmpty()) {
                problems.add("prometheus-user is set but prometheus-url is not; give prometheus-url or drop "
                        + "prometheus-user");
            }
            BasicAuthPassword.checkUnused("prometheus", s, problems);
            return null;
        }
        RemoteWriteConfig pc = of(url);
        String user = s.getOrDefault("prometheus-user", "");
        if (!user.isEmpty()) {
            pc.username = user;
            pc.password = BasicAuthPassword.read("prometheus", user, s, problems);
            if (pc.password == null) {
                return null;
            }
        } else {
            BasicAuthPassword.checkUnused("prometheus", s, problems);
        }
        if (!pc.tls.read(s, problems)) {
            return null;
        }
        try {
            return pc.validate();
        } catch (IllegalArgumentException e) {
            problems.add(
                    e.getMessage().startsWith("prometheus-") ? e.getMessage() : "prometheus-url: " + e.getMessage());
            return null;
        }
    }

    public static RemoteWriteConfig of(String url) {
        RemoteWriteConfig c = new RemoteWriteConfig();
        c.url = url;
        return c;
    }

    /** Throws IllegalArgumentException naming the wrong setting and what would be right. */
    public RemoteWriteConfig validate() {
        URI u;
        try {
            u = url == null ? null : URI.create(url);
        } catch (IllegalArgumentException e) {
            u = null;
        }
        if (u == null || u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
            throw new IllegalArgumentException("prometheus: remote-write URL '" + url
                    + "' must be an http(s) URL such as http://127.0.0.1:9090/api/v1/write");
        }
        if (metricPrefix == null || !metricPrefix.isEmpty() && !metricPrefix.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("prometheus: metric prefix '" + metricPrefix
                    + "' must match [a-zA-Z_:][a-zA-Z0-9_:]*, e.g. vigil_");
        }
        if (bearerToken != null && username != null) {
            throw new IllegalArgumentException("prometheus: give either a bearer token or a username/password");
        }
        if (maxSamplesPerRequest < 1
                || maxRetries < 0
                || maxPendingRequests < 1
                || flushInterval.isNegative()
                || flushInterval.isZero()) {
            throw new IllegalArgumentException("prometheus: samples per request must be >= 1, retries >= 0, pending "
                    + "requests >= 1 and the flush interval > 0");
        }
        if (tls.isSet() && !"https".equals(u.getScheme())) {
            throw new IllegalArgumentException("prometheus: TLS settings (" + tls.key("ca-cert") + ", ...) are given "
                    + "but the remote-write URL '" + url + "' is not https://");
        }
        tls.validate();
        return this;
    }
}
