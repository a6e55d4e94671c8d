package io.vigil.cli;

import io.vigil.alert.ServiceCatalog;
import io.vigil.incident.Incident;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.sink.notify.AlertmanagerSink;
import io.vigil.sink.notify.NotifyConfig;
import io.vigil.sink.notify.WebhookSink;
import io.vigil.sink.prometheus.RemoteWriteConfig;
import io.vigil.sink.prometheus.RemoteWriteSink;
import io.vigil.sink.search.SearchConfig;
import io.vigil.sink.search.SearchSink;
import io.vigil.sink.tls.TlsSettings;
import io.vigil.suppress.InhibitRules;
import io.vigil.suppress.Silences;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options shared by the commands that run the job (a picocli mixin): where alerts and rollups go besides the
 * JSON-lines files (Elasticsearch/OpenSearch, Prometheus remote write) and which service catalog enriches alerts.
 * Wrong values fail with a message saying what would be right, before anything runs.
 */
public final class ResultSinkOptions {
    @Option(
            names = "--search-url",
            paramLabel = "URL",
            split = ",",
            description = "Elasticsearch 8/9 or OpenSearch 2/3 base URL(s), e.g. http://127.0.0.1:9200: index alerts "
                    + "and rollups there")
    List<String> searchUrls;

    @Option(names = "--search-user", paramLabel = "USER", description = "basic-auth user for --search-url")
    String searchUser;

    @Option(
            names = "--search-password-env",
            paramLabel = "VAR",
            defaultValue = "VIGIL_SEARCH_PASSWORD",
            description = "environment variable holding the basic-auth password (default: ${DEFAULT-VALUE})")
    String searchPasswordEnv;

    @Option(
            names = "--search-api-key-env",
            paramLabel = "VAR",
            description = "environment variable holding an Elasticsearch API key (id:key, base64)")
    String searchApiKeyEnv;

    @Option(
            names = "--search-index-prefix",
            paramLabel = "PREFIX",
            defaultValue = "vigil",
            description = "index prefix: PREFIX-alerts-yyyy.MM.dd, PREFIX-rollups-yyyy.MM.dd, PREFIX-deadletters "
                    + "(default: ${DEFAULT-VALUE})")
    String searchIndexPrefix;

    @Option(
            names = "--search-replicas",
            paramLabel = "N",
            description = "replicas per index in the installed templates (default: the cluster's default)")
    Integer searchReplicas;

    @Option(
            names = "--search-max-in-flight",
            paramLabel = "N",
            defaultValue = "4",
            description = "bulk requests kept in flight at once, 1 to 64 (default: ${DEFAULT-VALUE})")
    int searchMaxInFlight;

    @Option(
            names = "--search-ca-cert",
            paramLabel = "PEM",
            description = "CA certificate(s) of an https search cluster, trusted instead of the JVM's trust store")
    String searchCaCert;

    @Option(
            names = "--search-client-cert",
            paramLabel = "PEM",
            description = "client certificate for a search cluster that wants one, with --search-client-key")
    String searchClientCert;

    @Option(
            names = "--search-client-key",
            paramLabel = "PEM",
            description = "unencrypted PKCS#8 key of --search-client-cert")
    String searchClientKey;

    @Option(
            names = "--search-keystore",
            paramLabel = "P12",
            description = "PKCS#12 client key and certificate, instead of --search-client-cert/--search-client-key; "
                    + "password in $VIGIL_SEARCH_KEYSTORE_PASSWORD")
    String searchKeystore;

    @Option(
            names = "--search-tls-skip-hostname-verify",
            description = "accept a search certificate that does not name the host (chain still checked; tests only)")
    boolean searchSkipHostnameVerify;

    @Option(
            names = "--prometheus-url",
            paramLabel = "URL",
            description = "Prometheus remote-write URL, e.g. http://127.0.0.1:9090/api/v1/write: push rollups there "
                    + "as vigil_<metric>{service,...}")
    String prometheusUrl;

    @Option(
            names = "--prometheus-ca-cert",
            paramLabel = "PEM",
            description =
                    "CA certificate(s) of an https remote-write receiver, trusted instead of the JVM's trust store")
    String prometheusCaCert;

    @Option(
            names = "--prometheus-client-cert",
            paramLabel = "PEM",
            description = "client certificate for the remote-write receiver, with --prometheus-client-key")
    String prometheusClientCert;

    @Option(
            names = "--prometheus-client-key",
            paramLabel = "PEM",
            description = "unencrypted PKCS#8 key of --prometheus-client-cert")
    String prometheusClientKey;

    @Option(
            names = "--prometheus-keystore",
            paramLabel = "P12",
            description = "PKCS#12 client key and certificate for remote write; password in "
                    + "$VIGIL_PROMETHEUS_KEYSTORE_PASSWORD")
    String prometheusKeystore;

    @Option(
            names = "--prometheus-tls-skip-hostname-verify",
            description = "accept a remote-write certificate that does not name the host (chain still checked; tests "
                    + "only)")
    boolean prometheusSkipHostnameVerify;

    @Option(
            names = "--alertmanager-url",
            paramLabel = "URL",
            split = ",",
            description = "Alertmanager base URL(s), e.g. http://127.0.0.1:9093: post alerts with the v2 API, firing "
                    + "ones again every --alertmanager-resend-interval")
    List<String> alertmanagerUrls;

    @Option(
            names = "--alertmanager-resend-interval",
            paramLabel = "DURATION",
            description = "how often firing alerts are sent again (default 1min)")
    String alertmanagerResendInterval;

    @Option(
            names = "--alertmanager-user",
            paramLabel = "USER",
            description = "basic-auth user for --alertmanager-url (password in --alertmanager-password-file or "
                    + "$VIGIL_ALERTMANAGER_PASSWORD)")
    String alertmanagerUser;

    @Option(
            names = "--alertmanager-password-file",
            paramLabel = "FILE",
            description = "file holding the password of --alertmanager-user (a trailing newline is dropped)")
    String alertmanagerPasswordFile;

    @Option(
            names = "--alertmanager-bearer-token-file",
            paramLabel = "FILE",
            description = "file holding a bearer token for --alertmanager-url")
    String alertmanagerBearerTokenFile;

    @Option(
            names = "--alertmanager-generator-url",
            paramLabel = "URL",
            description = "generatorURL of each alert; {rule} is replaced by the rule id")
    String alertmanagerGeneratorUrl;

    @Option(
            names = "--webhook-url",
            paramLabel = "URL",
            split = ",",
            description = "webhook URL(s) that get each alert state change in Alertmanager's webhook payload")
    List<String> webhookUrls;

    @Option(
            names = "--webhook-secret-file",
            paramLabel = "FILE",
            description = "file holding the HMAC-SHA256 key of the X-Vigil-Signature header")
    String webhookSecretFile;

    @Option(
            names = "--catalog",
            paramLabel = "FILE",
            description = "service catalog YAML that enriches alerts with owner, team, runbook, ... "
                    + "(default: _services.yaml in the first rules folder, if there)")
    Path catalog;

    @Option(
            names = "--inhibit",
            paramLabel = "FILE",
            description = "inhibition rules YAML (inhibit_rules: source_matchers, target_matchers, equal) "
                    + "(default: _inhibit.yaml in the first rules folder, if there)")
    Path inhibit;

    @Option(
            names = "--silences",
            paramLabel = "FILE",
            description = "silences and maintenance windows YAML (silences: id, matchers, starts_at/ends_at or "
                    + "recurring) that mark the alerts they cover; judged at each alert's event time")
    Path silences;

    /** Adds the configured sinks and catalog; throws IllegalArgumentException for a wrong value. */
    void apply(
            DetectionConfig config,
            Path rulesDir,
            List<DetectionJob.NamedSink<Alert>> alerts,
            List<DetectionJob.NamedSink<Rollup>> rollups,
            List<DetectionJob.NamedSink<Incident>> incidents) {
        if (searchUrls != null && !searchUrls.isEmpty()) {
            SearchConfig sc = new SearchConfig();
            sc.hosts.addAll(searchUrls);
            sc.indexPrefix = searchIndexPrefix;
            sc.replicas = searchReplicas;
            if (searchUser != null) {
                sc.username = searchUser;
                sc.password = System.getenv(searchPasswordEnv);
                if (sc.password == null) {
                    throw new IllegalArgumentException(
                            "--search-user " + searchUser + " needs a password in $" + searchPasswordEnv);
                }
            }
            if (searchApiKeyEnv != null) {
                sc.apiKey = System.getenv(searchApiKeyEnv);
                if (sc.apiKey == null) {
                    throw new IllegalArgumentException("--search-api-key-env: $" + searchApiKeyEnv + " is not set");
                }
            }
            sc.maxInFlight = searchMaxInFlight;
            tls(
                    sc.tls,
                    searchCaCert,
                    searchClientCert,
                    searchClientKey,
                    searchKeystore,
                    "VIGIL_SEARCH_KEYSTORE_PASSWORD",
                    searchSkipHostnameVerify);
            sc.validate();
            alerts.add(DetectionJob.NamedSink.of("search", SearchSink.alerts(sc)));
            rollups.add(DetectionJob.NamedSink.of("search", SearchSink.rollups(sc)));
            incidents.add(DetectionJob.NamedSink.of("search", SearchSink.incidents(sc)));
        }
        if (prometheusUrl != null) {
            RemoteWriteConfig pc = RemoteWriteConfig.of(prometheusUrl);
            tls(
                    pc.tls,
                    prometheusCaCert,
                    prometheusClientCert,
                    prometheusClientKey,
                    prometheusKeystore,
                    "VIGIL_PROMETHEUS_KEYSTORE_PASSWORD",
                    prometheusSkipHostnameVerify);
            rollups.add(DetectionJob.NamedSink.of("prometheus", new RemoteWriteSink(pc.validate())));
        }
        notify(alerts);
        Path file = catalog;
        if (file == null && rulesDir != null && Files.isRegularFile(rulesDir.resolve("_services.yaml"))) {
            file = rulesDir.resolve("_services.yaml");
        }
        if (file != null) {
            config.catalog = ServiceCatalog.load(file);
        }
        Path inhibitFile = inhibit;
        if (inhibitFile == null && rulesDir != null && Files.isRegularFile(rulesDir.resolve(InhibitRules.FILE_NAME))) {
            inhibitFile = rulesDir.resolve(InhibitRules.FILE_NAME);
        }
        if (inhibitFile != null) {
            config.inhibitRules = InhibitRules.load(inhibitFile);
        }
        if (silences != null) {
            config.silences = Silences.load(silences);
        }
    }

    private void notify(List<DetectionJob.NamedSink<Alert>> alerts) {
        NotifyOutputs outputs = notifyOutputs();
        if (outputs.alertmanager() != null) {
            alerts.add(DetectionJob.NamedSink.of("alertmanager", new AlertmanagerSink(outputs.alertmanager())));
        }
        if (outputs.webhook() != null) {
            alerts.add(DetectionJob.NamedSink.of("webhook", new WebhookSink(outputs.webhook())));
        }
    }

    /** The Alertmanager and webhook outputs' settings; each null when not configured. */
    record NotifyOutputs(NotifyConfig alertmanager, NotifyConfig webhook) {}

    /**
     * The Alertmanager and webhook outputs, parsed as the cluster job parses its settings; throws
     * IllegalArgumentException naming the flags of every wrong value.
     */
    NotifyOutputs notifyOutputs() {
        Map<String, String> settings = new LinkedHashMap<>();
        if (alertmanagerUrls != null) settings.put("alertmanager-url", String.join(",", alertmanagerUrls));
        if (alertmanagerResendInterval != null) {
            settings.put("alertmanager-resend-interval", alertmanagerResendInterval);
        }
        if (alertmanagerUser != null) settings.put("alertmanager-user", alertmanagerUser);
        if (alertmanagerPasswordFile != null) settings.put("alertmanager-password-file", alertmanagerPasswordFile);
        if (alertmanagerBearerTokenFile != null) {
            settings.put("alertmanager-bearer-token-file", alertmanagerBearerTokenFile);
        }
        if (alertmanagerGeneratorUrl != null) settings.put("alertmanager-generator-url", alertmanagerGeneratorUrl);
        if (webhookUrls != null) settings.put("webhook-url", String.join(",", webhookUrls));
        if (webhookSecretFile != null) settings.put("webhook-secret-file", webhookSecretFile);
        List<String> problems = new ArrayList<>();
        NotifyConfig am = NotifyConfig.parse("alertmanager", settings, problems);
        NotifyConfig hook = NotifyConfig.parse("webhook", settings, problems);
        if (!problems.isEmpty()) {
            // Setting names become flag names; a file path that contains one (after '/' or '.') stays as given.
            throw new IllegalArgumentException(
                    String.join("; ", problems).replaceAll("(?<![\\w/.-])(alertmanager|webhook)-", "--$1-"));
        }
        return new NotifyOutputs(am, hook);
    }

    /** The TLS flags of one sink; the files are checked by the sink's validate(), naming the flag. */
    private static void tls(
            TlsSettings tls, String ca, String cert, String key, String keystore, String passwordEnv, boolean skip) {
        tls.caCert = ca;
        tls.clientCert = cert;
        tls.clientKey = key;
        tls.keystore = keystore;
        if (keystore != null) {
            tls.keystorePassword = System.getenv(passwordEnv);
            if (tls.keystorePassword == null) {
                throw new IllegalArgumentException(
                        "--" + tls.key("keystore") + " " + keystore + " needs its password in $" + passwordEnv);
            }
        }
        tls.skipHostnameVerify = skip;
    }
}
