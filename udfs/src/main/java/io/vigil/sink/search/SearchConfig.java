package io.vigil.sink.search;

import io.vigil.sink.auth.BasicAuthPassword;
import io.vigil.sink.tls.TlsSettings;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where and how the search sink writes: the cluster's URLs (http or https), its TLS settings (a private CA, a client
 * certificate; see {@link TlsSettings}), its credentials (basic auth or an API key), the index prefix, and the
 * batching, concurrency and retry limits. One configuration
 * serves Elasticsearch 8/9 and OpenSearch 2/3: the sink only uses {@code _bulk} and {@code _index_template}.
 *
 * <p>Validated by {@link #validate()} before a job is built, with a message per wrong value.
 */
public class SearchConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Base URLs, e.g. {@code http://127.0.0.1:9200}. */
    public List<String> hosts = new ArrayList<>();

    public String username;
    public String password;
    /** Elasticsearch API key (the base64 {@code id:key}); sent as {@code Authorization: ApiKey ...}. */
    public String apiKey;
    /** Indices are {@code <prefix>-alerts-yyyy.MM.dd}, {@code <prefix>-rollups-yyyy.MM.dd}, {@code <prefix>-deadletters}. */
    public String indexPrefix = "vigil";
    /** Replicas per index in the templates; null leaves the cluster's default. 0 for a single-node cluster. */
    public Integer replicas;
    /** Install the index templates when a writer starts (idempotent PUTs). */
    public boolean installTemplates = true;
    /** A bulk request is sent when it holds this many documents ... */
    public int maxActions = 1000;
    /** ... or this many bytes of NDJSON ... */
    public long maxBytes = 5L * 1024 * 1024;
    /** ... or this long after the last send (and always on checkpoint). */
    public Duration flushInterval = Duration.ofSeconds(1);
    /**
     * Bulk requests a writer keeps in flight at once; when all are busy and the buffer is full, the writer blocks
     * (backpressure). 1 sends one request at a time.
     */
    public int maxInFlight = 4;
    /** TLS beyond the JVM's trust store: CA bundle, client certificate, hostname check (keys {@code search-...}). */
    public TlsSettings tls = new TlsSettings("search");
    /** Attempts after the first for a request or document that failed with 429, 5xx or a connection error. */
    public int maxRetries = 8;

    public Duration initialBackoff = Duration.ofMillis(200);
    public Duration maxBackoff = Duration.ofSeconds(10);
    /** Add {@code ?refresh=true} to bulk requests, so the next search sees the data (tests and demos only). */
    public boolean refresh;

    public SearchConfig() {}

    /**
     * The search output of the job's settings ({@code search-url}, {@code search-user} with
     * {@code search-password-file} or {@code $VIGIL_SEARCH_PASSWORD}, {@code $VIGIL_SEARCH_API_KEY}, {@code search-index-prefix},
     * {@code search-max-in-flight} and the {@code search-} TLS settings), or null when {@code search-url} is not set or
     * a value is wrong; every problem is added to {@code problems}.
     */
    public static SearchConfig parse(Map<String, String> s, List<String> problems) {
        SearchConfig sc = new SearchConfig();
        String urls = s.getOrDefault("search-url", "");
        if (urls.isEmpty()) {
            if (!s.getOrDefault("search-max-in-flight", "").isEmpty()) {
                problems.add("search-max-in-flight is set but search-url is not; give search-url or drop "
                        + "search-max-in-flight");
            }
            sc.tls.checkUnused(s, "search-url", problems);
            return null;
        }
        for (String u : urls.split(",")) {
            sc.hosts.add(u.trim());
        }
        sc.indexPrefix = s.getOrDefault("search-index-prefix", "vigil");
        String user = s.getOrDefault("search-user", "");
        if (!user.isEmpty()) {
            sc.username = user;
            sc.password = BasicAuthPassword.read("search", user, s, problems);
        } else {
            BasicAuthPassword.checkUnused("search", s, problems);
        }
        sc.apiKey = System.getenv("VIGIL_SEARCH_API_KEY");
        String inFlight = s.getOrDefault("search-max-in-flight", "4");
        try {
            int n = Integer.parseInt(inFlight.trim());
            if (n < 1 || n > 64) {
                throw new NumberFormatException();
            }
            sc.maxInFlight = n;
        } catch (NumberFormatException e) {
            problems.add("search-max-in-flight '" + inFlight + "' must be a whole number from 1 to 64");
        }
        if (!sc.tls.read(s, problems)) {
            return null;
        }
        try {
            return sc.validate();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage().startsWith("search-") ? e.getMessage() : "search-url: " + e.getMessage());
            return null;
        }
    }

    public static SearchConfig of(String... hosts) {
        SearchConfig c = new SearchConfig();
        c.hosts.addAll(List.of(hosts));
        return c;
    }

    /** Throws IllegalArgumentException naming the wrong setting and what would be right. */
    public SearchConfig validate() {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("search: no hosts; give at least one URL such as http://127.0.0.1:9200");
        }
        for (String h : hosts) {
            URI u;
            try {
                u = URI.create(h);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "search: host '" + h + "' is not a URL such as http://127.0.0.1:9200");
            }
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException(
                        "search: host '" + h + "' must be an http:// or https:// URL with a host");
            }
        }
        if (indexPrefix == null || !indexPrefix.matches("[a-z0-9][a-z0-9_.-]*")) {
            throw new IllegalArgumentException("search: index prefix '" + indexPrefix
                    + "' must be lower case letters, digits, '_', '-' or '.', not starting with '_', '-' or '.'");
        }
        if (apiKey != null && username != null) {
            throw new IllegalArgumentException("search: give either an API key or a username/password, not both");
        }
        if (username != null && password == null) {
            throw new IllegalArgumentException("search: username '" + username + "' needs a password");
        }
        if (maxActions < 1 || maxBytes < 1024) {
            throw new IllegalArgumentException(
                    "search: max actions must be >= 1 and max bytes >= 1024, got " + maxActions + " and " + maxBytes);
        }
        if (maxRetries < 0 || flushInterval.isNegative() || flushInterval.isZero()) {
            throw new IllegalArgumentException("search: retries must be >= 0 and the flush interval > 0");
        }
        if (maxInFlight < 1 || maxInFlight > 64) {
            throw new IllegalArgumentException("search: max in flight must be from 1 to 64, got " + maxInFlight);
        }
        if (tls.isSet() && hosts.stream().noneMatch(h -> h.startsWith("https:"))) {
            throw new IllegalArgumentException("search: TLS settings (" + tls.key("ca-cert") + ", ...) are given but "
                    + "no URL is https://; write https://host:port or drop them");
        }
        tls.validate();
        if (replicas != null && replicas < 0) {
            throw new IllegalArgumentException("search: replicas must be >= 0, got " + replicas);
        }
        return this;
    }

    public String alertsIndexPattern() {
        return indexPrefix + "-alerts-*";
    }

    public String incidentsIndexPattern() {
        return indexPrefix + "-incidents-*";
    }

    public String rollupsIndexPattern() {
        return indexPrefix + "-rollups-*";
    }

    public String deadLetterIndex() {
        return indexPrefix + "-deadletters";
    }
}
