package io.vigil.cli;

import io.vigil.alert.ServiceCatalog;
import io.vigil.job.DetectionConfig;
import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.sink.prometheus.RemoteWriteConfig;
import io.vigil.sink.prometheus.RemoteWriteSink;
import io.vigil.sink.search.SearchConfig;
import io.vigil.sink.search.SearchSink;
import org.apache.flink.api.connector.sink2.Sink;

import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Options shared by the commands that run the job (a picocli mixin): where alerts and rollups go besides the
 * JSON-lines files (Elasticsearch/OpenSearch, Prometheus remote write) and which service catalog enriches alerts.
 * Wrong values fail with a message saying what would be right, before anything runs.
 */
public final class ResultSinkOptions {
    @Option(names = "--search-url", paramLabel = "URL", split = ",",
            description = "Elasticsearch 8/9 or OpenSearch 2/3 base URL(s), e.g. http://127.0.0.1:9200: index alerts "
                    + "and rollups there")
    List<String> searchUrls;

    @Option(names = "--search-user", paramLabel = "USER", description = "basic-auth user for --search-url")
    String searchUser;

    @Option(names = "--search-password-env", paramLabel = "VAR", defaultValue = "VIGIL_SEARCH_PASSWORD",
            description = "environment variable holding the basic-auth password (default: ${DEFAULT-VALUE})")
    String searchPasswordEnv;

    @Option(names = "--search-api-key-env", paramLabel = "VAR",
            description = "environment variable holding an Elasticsearch API key (id:key, base64)")
    String searchApiKeyEnv;

    @Option(names = "--search-index-prefix", paramLabel = "PREFIX", defaultValue = "vigil",
            description = "index prefix: PREFIX-alerts-yyyy.MM.dd, PREFIX-rollups-yyyy.MM.dd, PREFIX-deadletters "
                    + "(default: ${DEFAULT-VALUE})")
    String searchIndexPrefix;

    @Option(names = "--search-replicas", paramLabel = "N",
            description = "replicas per index in the installed templates (default: the cluster's default)")
    Integer searchReplicas;

    @Option(names = "--prometheus-url", paramLabel = "URL",
            description = "Prometheus remote-write URL, e.g. http://127.0.0.1:9090/api/v1/write: push rollups there "
                    + "as vigil_<metric>{service,...}")
    String prometheusUrl;

    @Option(names = "--catalog", paramLabel = "FILE",
            description = "service catalog YAML that enriches alerts with owner, team, runbook, ... "
                    + "(default: _services.yaml in the first rules folder, if there)")
    Path catalog;

    /** Adds the configured sinks and catalog; throws IllegalArgumentException for a wrong value. */
    void apply(DetectionConfig config, Path rulesDir, List<Sink<Alert>> alerts, List<Sink<Rollup>> rollups) {
        if (searchUrls != null && !searchUrls.isEmpty()) {
            SearchConfig sc = new SearchConfig();
            sc.hosts.addAll(searchUrls);
            sc.indexPrefix = searchIndexPrefix;
            sc.replicas = searchReplicas;
            if (searchUser != null) {
                sc.username = searchUser;
                sc.password = System.getenv(searchPasswordEnv);
                if (sc.password == null) {
                    throw new IllegalArgumentException("--search-user " + searchUser + " needs a password in $"
                            + searchPasswordEnv);
                }
            }
            if (searchApiKeyEnv != null) {
                sc.apiKey = System.getenv(searchApiKeyEnv);
                if (sc.apiKey == null) {
                    throw new IllegalArgumentException("--search-api-key-env: $" + searchApiKeyEnv + " is not set");
                }
            }
            sc.validate();
            alerts.add(SearchSink.alerts(sc));
            rollups.add(SearchSink.rollups(sc));
        }
        if (prometheusUrl != null) {
            rollups.add(new RemoteWriteSink(RemoteWriteConfig.of(prometheusUrl).validate()));
        }
        Path file = catalog;
        if (file == null && rulesDir != null && Files.isRegularFile(rulesDir.resolve("_services.yaml"))) {
            file = rulesDir.resolve("_services.yaml");
        }
        if (file != null) {
            config.catalog = ServiceCatalog.load(file);
        }
    }
}
