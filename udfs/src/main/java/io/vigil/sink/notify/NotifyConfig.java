package io.vigil.sink.notify;

import io.vigil.sink.auth.BasicAuthPassword;
import io.vigil.sink.tls.TlsSettings;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.TimeUtils;

/**
 * Where and how alerts are delivered over HTTP, to Alertmanagers ({@code alertmanager-...} settings) or to webhook
 * receivers ({@code webhook-...}): the URLs, credentials (basic auth with the password in a file or an environment
 * variable, or a bearer token read from a file), TLS as the search sink has it ({@link TlsSettings}), the Alertmanager
 * re-send interval, and the concurrency and retry limits. {@link #parse} reads the settings of one output from the
 * job's settings map, adding one message per wrong value to {@code problems}.
 */
public class NotifyConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** {@code alertmanager} or {@code webhook}: the prefix of this output's settings. */
    public final String prefix;
    /** Base URLs of the Alertmanagers (e.g. {@code http://127.0.0.1:9093}), or the full webhook URLs. */
    public List<String> urls = new ArrayList<>();

    public String username;
    public String password;
    /** A file whose content (trimmed) is sent as {@code Authorization: Bearer ...}; read when a writer opens. */
    public String bearerTokenFile;
    /** Webhooks: a file holding the HMAC-SHA256 key of the {@code X-Vigil-Signature} header; null = unsigned. */
    public String secretFile;
    /**
     * Alertmanager: how often a firing alert is sent again (Prometheus' {@code resend-delay} is 1 min), each time with
     * {@code endsAt} = now + 4 x this, so the Alertmanager neither forgets nor times out a live alert.
     */
    public Duration resendInterval = Duration.ofMinutes(1);
    /** Alertmanager: how long a resolved alert is still re-sent (Prometheus keeps sending resolved alerts 15 min). */
    public Duration resolvedRetention = Duration.ofMinutes(15);
    /** Alertmanager: a firing alert that never resolves stops being re-sent after this (bounds the state). */
    public Duration maxFiring = Duration.ofHours(24);
    /** {@code generatorURL} of each alert: {@code {rule}} is replaced by the rule id; null = no generatorURL. */
    public String generatorUrl;
    /** Webhooks: the {@code receiver} and {@code externalURL} written into each payload. */
    public String receiver = "vigil";

    public String externalUrl = "";
    /** Requests a writer keeps in flight at once; when all are busy the writer waits (backpressure). */
    public int maxInFlight = 8;
    /** Attempts after the first for a request that failed with 429, 5xx or a connection error. */
    public int maxRetries = 6;

    public Duration initialBackoff = Duration.ofMillis(250);
    public Duration maxBackoff = Duration.ofSeconds(8);
    public Duration requestTimeout = Duration.ofSeconds(10);
    public TlsSettings tls;

    public NotifyConfig(String prefix) {
        this.prefix = prefix;
        this.tls = new TlsSettings(prefix);
    }

    public static NotifyConfig alertmanager(String... urls) {
        NotifyConfig c = new NotifyConfig("alertmanager");
        c.urls.addAll(List.of(urls));
        return c;
    }

    public static NotifyConfig webhook(String... urls) {
        NotifyConfig c = new NotifyConfig("webhook");
        c.urls.addAll(List.of(urls));
        return c;
    }

    /** The setting names of the output with this prefix, for help texts and unknown-setting checks. */
    public static List<String> keys(String prefix) {
        List<String> keys = new ArrayList<>(List.of(
                prefix + "-url",
                prefix + "-user",
                prefix + "-password-file",
                prefix + "-bearer-token-file",
                prefix + "-ca-cert",
                prefix + "-client-cert",
                prefix + "-client-key",
                prefix + "-keystore",
                prefix + "-tls-skip-hostname-verify"));
        if (prefix.equals("alertmanager")) {
            keys.add("alertmanager-resend-interval");
            keys.add("alertmanager-generator-url");
        } else {
            keys.add(prefix + "-secret-file");
        }
        return keys;
    }

    /**
     * Reads the {@code <prefix>-...} settings (see {@link #keys}); null when {@code <prefix>-url} is not set. The
     * basic-auth password is read from {@code <prefix>-password-file} or {@code $VIGIL_<PREFIX>_PASSWORD} (as the
     * search and remote-write outputs read theirs, {@link BasicAuthPassword}), a keystore's from
     * {@code $VIGIL_<PREFIX>_KEYSTORE_PASSWORD}.
     */
    public static NotifyConfig parse(String prefix, Map<String, String> s, List<String> problems) {
        String urls = s.getOrDefault(prefix + "-url", "").trim();
        if (urls.isEmpty()) {
            for (String k : keys(prefix)) {
                if (!k.equals(prefix + "-url") && !s.getOrDefault(k, "").isBlank()) {
                    problems.add(k + " is set but " + prefix + "-url is not; give " + prefix + "-url or drop " + k);
                }
            }
            return null;
        }
        NotifyConfig c = new NotifyConfig(prefix);
        for (String u : urls.split(",")) {
            if (!u.isBlank()) c.urls.add(u.trim());
        }
        String user = s.getOrDefault(prefix + "-user", "");
        if (!user.isEmpty()) {
            c.username = user;
            c.password = BasicAuthPassword.read(prefix, user, s, problems);
        } else {
            BasicAuthPassword.checkUnused(prefix, s, problems);
        }
        c.bearerTokenFile = blankToNull(s.get(prefix + "-bearer-token-file"));
        c.secretFile = blankToNull(s.get(prefix + "-secret-file"));
        c.generatorUrl = blankToNull(s.get(prefix + "-generator-url"));
        String interval = s.getOrDefault(prefix + "-resend-interval", "");
        if (!interval.isEmpty()) {
            try {
                c.resendInterval = TimeUtils.parseDuration(interval);
            } catch (IllegalArgumentException e) {
                problems.add(prefix + "-resend-interval '" + interval + "' is not a duration such as 1min or 30s");
            }
        }
        c.tls.read(s, problems);
        try {
            return c.validate();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    /** Throws IllegalArgumentException naming the wrong setting and what would be right. */
    public NotifyConfig validate() {
        String example = prefix.equals("alertmanager") ? "http://127.0.0.1:9093" : "https://hooks.example.com/vigil";
        if (urls.isEmpty()) {
            throw new IllegalArgumentException(prefix + "-url: give at least one URL such as " + example);
        }
        for (String u : urls) {
            URI uri;
            try {
                uri = URI.create(u);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null
                    || uri.getHost() == null
                    || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException(prefix + "-url: '" + u
                        + "' must be an http:// or https:// URL with a host, such as " + example);
            }
        }
        if (username != null && bearerTokenFile != null) {
            throw new IllegalArgumentException(
                    prefix + "-user and " + prefix + "-bearer-token-file: give one of them, not both");
        }
        checkReadable(prefix + "-bearer-token-file", bearerTokenFile);
        checkReadable(prefix + "-secret-file", secretFile);
        if (resendInterval.toMillis() < 1000) {
            throw new IllegalArgumentException(prefix + "-resend-interval must be at least 1s, e.g. 1min");
        }
        if (maxInFlight < 1 || maxRetries < 0) {
            throw new IllegalArgumentException(prefix + ": max in flight must be >= 1 and retries >= 0");
        }
        if (tls.isSet() && urls.stream().noneMatch(u -> u.startsWith("https:"))) {
            throw new IllegalArgumentException(prefix + ": TLS settings (" + tls.key("ca-cert")
                    + ", ...) are given but no " + prefix + "-url is https://; write https://host:port or drop them");
        }
        tls.validate();
        return this;
    }

    /** The bearer token, or null. */
    String bearerToken() {
        return bearerTokenFile == null ? null : new String(read(bearerTokenFile), StandardCharsets.UTF_8).trim();
    }

    /** The HMAC key, or null: the file's bytes without a trailing newline (as {@code echo secret > file} writes). */
    public byte[] secret() {
        if (secretFile == null) return null;
        String key = new String(read(secretFile), StandardCharsets.UTF_8);
        return key.strip().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] read(String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e, e);
        }
    }

    private static void checkReadable(String key, String file) {
        if (file != null && !Files.isReadable(Path.of(file))) {
            throw new IllegalArgumentException(key + ": '" + file + "' is not a readable file");
        }
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }
}
