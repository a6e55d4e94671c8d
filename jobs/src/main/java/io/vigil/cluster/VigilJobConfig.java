package io.vigil.cluster;

import io.vigil.detect.DetectorOperator;
import io.vigil.incident.IncidentConfig;
import io.vigil.ingest.kafka.StartOffsets;
import io.vigil.ingest.kafka.TopicFormats;
import io.vigil.sink.kafka.KafkaSinks;
import io.vigil.sink.prometheus.RemoteWriteConfig;
import io.vigil.sink.search.SearchConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.flink.util.TimeUtils;

/**
 * Everything the Kafka-to-Kafka Vigil job needs, typed and validated. Built from settings named like the command-line
 * flags without their dashes ({@code bootstrap-servers}, {@code topics}, ...), read from a properties file and/or
 * flags (flags win). {@link #parse} reports every wrong value at once, each with what would be right.
 *
 * <p>Settings: see {@link Key}. Client properties for the consumer and producers (SASL, TLS) are the settings that
 * start with {@code kafka.}, with the prefix removed ({@code kafka.security.protocol=SASL_SSL}).
 */
public final class VigilJobConfig implements Serializable {
    /** The setting names, as used in properties files; flags are the same names with {@code --}. */
    public enum Key {
        BOOTSTRAP_SERVERS("bootstrap-servers", "host:port[,host:port...] of the Kafka brokers (required)"),
        KAFKA_CLIENT_CONFIG(
                "kafka-client-config",
                "properties file of Kafka client properties for the consumer and producers (security.protocol, "
                        + "sasl.jaas.config, ssl.truststore.*), read at submission; keeps credentials out of flags "
                        + "and job parameters; kafka.* settings and --kafka-property override it (default: none)"),
        TOPICS(
                "topics",
                "telemetry topics and formats: topic=format[,topic=format...], e.g. "
                        + "otel-metrics=otlp-proto:metrics,events=json"),
        TOPIC_PATTERN("topic-pattern", "a regex of telemetry topics, instead of topics"),
        PATTERN_FORMAT("pattern-format", "the format of every topic matching topic-pattern (default json)"),
        GROUP_ID("group-id", "consumer group id (default: the job name)"),
        START_OFFSETS("start-offsets", "where a fresh job starts: " + StartOffsets.ACCEPTED + " (default committed)"),
        ALERTS_TOPIC("alerts-topic", "topic for alerts (default vigil-alerts)"),
        DEAD_LETTERS_TOPIC(
                "dead-letters-topic", "topic for records that could not be used (default vigil-dead-letters)"),
        ROLLUPS_TOPIC("rollups-topic", "topic for rollups (default: none, rollups not written to Kafka)"),
        INCIDENTS_TOPIC(
                "incidents-topic", "topic for incident revisions, keyed by incident id (default vigil-incidents)"),
        INCIDENT_GROUP_BY("incident-group-by", "the field alerts are grouped into incidents by (default service.name)"),
        INCIDENT_GAP("incident-gap", "alerts of one group less than this apart form one incident (default 15min)"),
        INCIDENT_LOOKBACK(
                "incident-lookback",
                "how long before an incident's first alert a change is its suspected cause (default 15min)"),
        JOB_NAME("job-name", "the Flink job name (default vigil)"),
        TRANSACTIONAL_ID_PREFIX(
                "transactional-id-prefix",
                "Kafka transactional-id prefix, unique per job on the cluster (default: the job name)"),
        TRANSACTION_TIMEOUT(
                "transaction-timeout", "Kafka transaction timeout, under the broker's 15 min (default 10min)"),
        PARALLELISM("parallelism", "job parallelism (default: the cluster's parallelism.default)"),
        STATE_CACHE_ENTRIES(
                "state-cache-entries",
                "detector state values, map entries and list items each detector instance keeps on the heap between "
                        + "checkpoints when the state backend is RocksDB, about 250 bytes each; 1000 to 10000000 "
                        + "(default 50000)"),
        CHECKPOINT_INTERVAL(
                "checkpoint-interval",
                "checkpoint interval; alerts become visible to read_committed "
                        + "consumers at each checkpoint (default 10s)"),
        WATERMARK_DELAY("watermark-delay", "how late records may arrive (bounded out-of-orderness, default 5s)"),
        WATERMARK_IDLENESS(
                "watermark-idleness",
                "after how long a silent partition stops holding back event time " + "(default 30s; 0 = never)"),
        RULES_DIR("rules-dir", "folder of rule YAML files (required)"),
        RULES_TOPIC(
                "rules-topic",
                "compacted topic of rule updates applied while the job runs, written by "
                        + "`vigil rules push` (default: none, rules fixed at start)"),
        SEARCH_URL(
                "search-url",
                "OpenSearch/Elasticsearch URLs for alerts and rollups, comma-separated "
                        + "(default: none); credentials from $VIGIL_SEARCH_PASSWORD with search-user, or $VIGIL_SEARCH_API_KEY"),
        SEARCH_USER(
                "search-user",
                "basic-auth user for search-url (password in search-password-file or $VIGIL_SEARCH_PASSWORD)"),
        SEARCH_PASSWORD_FILE(
                "search-password-file", "file holding the password of search-user, read at submission (default: none)"),
        SEARCH_INDEX_PREFIX("search-index-prefix", "prefix of the alert and rollup indices (default vigil)"),
        SEARCH_MAX_IN_FLIGHT(
                "search-max-in-flight",
                "bulk requests each search writer keeps in flight at once; " + "1 to 64 (default 4)"),
        SEARCH_CA_CERT(
                "search-ca-cert",
                "PEM file of the CA certificate(s) that signed the search cluster's "
                        + "certificate, trusted instead of the JVM's trust store (default: the JVM's trust store)"),
        SEARCH_CLIENT_CERT(
                "search-client-cert",
                "PEM client certificate (chain) for a search cluster that wants one, "
                        + "with search-client-key (default: none)"),
        SEARCH_CLIENT_KEY("search-client-key", "PEM unencrypted PKCS#8 private key of search-client-cert"),
        SEARCH_KEYSTORE(
                "search-keystore",
                "PKCS#12 keystore with the search client key and certificate, instead of "
                        + "search-client-cert/-key; its password in $VIGIL_SEARCH_KEYSTORE_PASSWORD (default: none)"),
        SEARCH_TLS_SKIP_HOSTNAME_VERIFY(
                "search-tls-skip-hostname-verify",
                "true: accept a search certificate that "
                        + "does not name the host (its chain is still checked); for tests, logs a WARN (default false)"),
        PROMETHEUS_URL(
                "prometheus-url",
                "Prometheus remote-write URL for rollups, e.g. "
                        + "http://prometheus:9090/api/v1/write (default: none)"),
        PROMETHEUS_USER(
                "prometheus-user",
                "basic-auth user for prometheus-url (password in prometheus-password-file or "
                        + "$VIGIL_PROMETHEUS_PASSWORD)"),
        PROMETHEUS_PASSWORD_FILE(
                "prometheus-password-file",
                "file holding the password of prometheus-user, read at submission (default: none)"),
        PROMETHEUS_CA_CERT(
                "prometheus-ca-cert",
                "PEM file of the CA certificate(s) of an https prometheus-url, "
                        + "trusted instead of the JVM's trust store (default: the JVM's trust store)"),
        PROMETHEUS_CLIENT_CERT(
                "prometheus-client-cert",
                "PEM client certificate (chain) for prometheus-url, with " + "prometheus-client-key (default: none)"),
        PROMETHEUS_CLIENT_KEY("prometheus-client-key", "PEM unencrypted PKCS#8 private key of prometheus-client-cert"),
        PROMETHEUS_KEYSTORE(
                "prometheus-keystore",
                "PKCS#12 keystore with the remote-write client key and certificate; "
                        + "its password in $VIGIL_PROMETHEUS_KEYSTORE_PASSWORD (default: none)"),
        PROMETHEUS_TLS_SKIP_HOSTNAME_VERIFY(
                "prometheus-tls-skip-hostname-verify",
                "true: accept a remote-write "
                        + "certificate that does not name the host (chain still checked); for tests, logs a WARN "
                        + "(default false)"),
        CATALOG(
                "catalog",
                "service catalog YAML that enriches alerts (default: _services.yaml in rules-dir, if there)"),
        GEOIP_DB(
                "geoip-db",
                "MaxMind-format city or country database (.mmdb: GeoLite2, DB-IP Lite) that adds source.geo.* at "
                        + "ingest, at this path on every TaskManager; reloaded when the file is replaced (default: none)"),
        ASN_DB(
                "asn-db",
                "MaxMind-format ASN database (.mmdb) that adds source.as.number and source.as.organization.name "
                        + "at ingest, at this path on every TaskManager (default: none)"),
        CATALOG_TOPIC(
                "catalog-topic",
                "compacted topic of service-catalog entries applied while the job runs, over "
                        + "the catalog file's, written by `vigil catalog push` (default: none, catalog fixed at start)"),
        INHIBIT(
                "inhibit",
                "inhibition rules YAML (inhibit_rules: source/target matchers, equal) "
                        + "(default: _inhibit.yaml in rules-dir, if there)"),
        SILENCES("silences", "silences YAML fixed for the run (silences: matchers, starts_at/ends_at or recurring)"),
        SILENCE_TOPIC(
                "silence-topic",
                "compacted topic of silences and maintenance windows applied while the job runs, written by "
                        + "`vigil silence add|expire` (default: none)"),
        PRIVACY(
                "privacy",
                "privacy policy YAML (docs/privacy.md; default: _privacy.yaml in rules-dir, if there; 'none' runs "
                        + "without one)"),
        PRIVACY_KEY_FILE(
                "privacy-key-file",
                "file holding the privacy policy's hash key, readable on every TaskManager; $VIGIL_PRIVACY_KEY wins "
                        + "when set (default: .vigil/privacy.key beside rules-dir, generated 0600 if absent: for a "
                        + "cluster on this machine)"),
        ALERTMANAGER_URL(
                "alertmanager-url",
                "Alertmanager base URLs for alerts (v2 API), comma-separated, e.g. http://127.0.0.1:9093 (default: "
                        + "none); password of alertmanager-user in alertmanager-password-file or "
                        + "$VIGIL_ALERTMANAGER_PASSWORD"),
        ALERTMANAGER_USER("alertmanager-user", "basic-auth user for alertmanager-url"),
        ALERTMANAGER_PASSWORD_FILE(
                "alertmanager-password-file",
                "file holding the password of alertmanager-user, read at submission (default: none)"),
        ALERTMANAGER_BEARER_TOKEN_FILE(
                "alertmanager-bearer-token-file", "file holding a bearer token for alertmanager-url"),
        ALERTMANAGER_RESEND_INTERVAL(
                "alertmanager-resend-interval",
                "how often firing alerts are sent again, as Prometheus does (default 1min)"),
        ALERTMANAGER_GENERATOR_URL(
                "alertmanager-generator-url",
                "generatorURL of each alert; {rule} is replaced by the rule id (default: none)"),
        ALERTMANAGER_CA_CERT("alertmanager-ca-cert", "PEM CA certificate(s) of an https alertmanager-url"),
        ALERTMANAGER_CLIENT_CERT("alertmanager-client-cert", "PEM client certificate, with alertmanager-client-key"),
        ALERTMANAGER_CLIENT_KEY("alertmanager-client-key", "PEM unencrypted PKCS#8 key of alertmanager-client-cert"),
        ALERTMANAGER_KEYSTORE(
                "alertmanager-keystore",
                "PKCS#12 client key and certificate; password in $VIGIL_ALERTMANAGER_KEYSTORE_PASSWORD"),
        ALERTMANAGER_TLS_SKIP_HOSTNAME_VERIFY(
                "alertmanager-tls-skip-hostname-verify",
                "true: accept a certificate that does not name the host (tests)"),
        WEBHOOK_URL(
                "webhook-url",
                "webhook URLs that get each alert state change in Alertmanager's webhook payload, comma-separated "
                        + "(default: none); password of webhook-user in webhook-password-file or "
                        + "$VIGIL_WEBHOOK_PASSWORD"),
        WEBHOOK_USER("webhook-user", "basic-auth user for webhook-url"),
        WEBHOOK_PASSWORD_FILE(
                "webhook-password-file",
                "file holding the password of webhook-user, read at submission (default: none)"),
        WEBHOOK_BEARER_TOKEN_FILE("webhook-bearer-token-file", "file holding a bearer token for webhook-url"),
        WEBHOOK_SECRET_FILE(
                "webhook-secret-file",
                "file holding the HMAC-SHA256 key of the X-Vigil-Signature header (default: unsigned)"),
        WEBHOOK_CA_CERT("webhook-ca-cert", "PEM CA certificate(s) of an https webhook-url"),
        WEBHOOK_CLIENT_CERT("webhook-client-cert", "PEM client certificate, with webhook-client-key"),
        WEBHOOK_CLIENT_KEY("webhook-client-key", "PEM unencrypted PKCS#8 key of webhook-client-cert"),
        WEBHOOK_KEYSTORE(
                "webhook-keystore", "PKCS#12 client key and certificate; password in $VIGIL_WEBHOOK_KEYSTORE_PASSWORD"),
        WEBHOOK_TLS_SKIP_HOSTNAME_VERIFY(
                "webhook-tls-skip-hostname-verify", "true: accept a certificate that does not name the host (tests)");

        public final String name;
        public final String help;

        Key(String name, String help) {
            this.name = name;
            this.help = help;
        }
    }

    /** Formats the decoders accept; a hint (:logs, :metrics, :traces) may follow the OTLP ones. */
    public static final Set<String> FORMATS = Set.of("json", "otlp-json", "otlp-proto");

    public static final Set<String> HINTS = Set.of("logs", "metrics", "traces");
    static final String FORMATS_TEXT =
            "json, otlp-json or otlp-proto (OTLP ones optionally with :logs, :metrics or " + ":traces)";

    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9._\\-\\[\\]:]+:\\d{1,5}");
    private static final Pattern KAFKA_NAME = Pattern.compile("[A-Za-z0-9._\\-]{1,249}");

    public final String bootstrapServers;
    public final TopicFormats topics;
    public final String groupId;
    public final StartOffsets startOffsets;
    public final String alertsTopic;
    public final String deadLettersTopic;
    /** Null when rollups are not written to Kafka. */
    public final String rollupsTopic;

    public final String incidentsTopic;
    /** Grouping of alerts into incidents (group-by field, gap, lookback). */
    public final IncidentConfig incidents;

    public final String jobName;
    public final String transactionalIdPrefix;
    public final Duration transactionTimeout;
    /** 0 = the cluster's default. */
    public final int parallelism;
    /** Detector state cached on the heap per detector instance on RocksDB ({@code DetectionConfig}'s). */
    public final int stateCacheEntries;

    public final Duration checkpointInterval;
    public final Duration watermarkDelay;
    /** Zero = no idleness. */
    public final Duration watermarkIdleness;

    public final Path rulesDir;
    /** Null when rules are fixed at start (no hot reload). */
    public final String rulesTopic;
    /** Search cluster for alerts and rollups, or null. */
    public final SearchConfig search;
    /** Prometheus remote-write URL for rollups, or null. */
    public final String prometheusUrl;
    /** The remote-write settings (URL, TLS), or null when {@link #prometheusUrl} is. */
    public final RemoteWriteConfig prometheus;
    /** Service catalog file, or null. */
    public final Path catalog;
    /** Null when the catalog is fixed at start (no catalog topic). */
    public final String catalogTopic;
    /** Inhibition rules file, silences file, silence topic; each null when not set. */
    public final Path inhibit, silences;

    public final String silenceTopic;
    /** Privacy policy file, or null to run without one. */
    public final Path privacy;
    /** The privacy hash key file (the key is read by the operators, never by the config). */
    public final Path privacyKeyFile;
    /** GeoIP and ASN databases for enrichment at ingest, or null. */
    public final io.vigil.ingest.geo.GeoIpSettings geoIp;
    /** Alertmanagers for alerts, or null; webhook receivers for alerts, or null. */
    public final io.vigil.sink.notify.NotifyConfig alertmanager, webhook;

    public final Properties clientProperties;
    /** The kafka-client-config file the client properties came from, or null; named in start-up errors. */
    public final Path kafkaClientConfig;
    /**
     * The settings as given, sorted, with every credential replaced by {@code [hidden]}: what the job logs at start
     * ({@link #describe()}). Secrets live only in files and environment variables, so only Kafka client properties
     * (a JAAS config, a keystore password given with --kafka-property or kafka-client-config) need hiding.
     */
    private final Map<String, String> shown;

    private VigilJobConfig(Builder b) {
        bootstrapServers = b.bootstrapServers;
        topics = b.topics;
        groupId = b.groupId;
        startOffsets = b.startOffsets;
        alertsTopic = b.alertsTopic;
        deadLettersTopic = b.deadLettersTopic;
        rollupsTopic = b.rollupsTopic;
        incidentsTopic = b.incidentsTopic;
        incidents = b.incidents;
        jobName = b.jobName;
        transactionalIdPrefix = b.transactionalIdPrefix;
        transactionTimeout = b.transactionTimeout;
        parallelism = b.parallelism;
        stateCacheEntries = b.stateCacheEntries;
        checkpointInterval = b.checkpointInterval;
        watermarkDelay = b.watermarkDelay;
        watermarkIdleness = b.watermarkIdleness;
        rulesDir = b.rulesDir;
        rulesTopic = b.rulesTopic;
        search = b.search;
        prometheusUrl = b.prometheusUrl;
        prometheus = b.prometheus;
        catalog = b.catalog;
        catalogTopic = b.catalogTopic;
        inhibit = b.inhibit;
        silences = b.silences;
        silenceTopic = b.silenceTopic;
        privacy = b.privacy;
        privacyKeyFile = b.privacyKeyFile;
        geoIp = b.geoIp;
        alertmanager = b.alertmanager;
        webhook = b.webhook;
        clientProperties = b.clientProperties;
        kafkaClientConfig = b.kafkaClientConfig;
        shown = b.shown;
    }

    /** The settings, one {@code key=value} a line, credentials hidden: safe for logs and consoles. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        shown.forEach((k, v) -> out.append("  ").append(k).append('=').append(v).append('\n'));
        return out.toString();
    }

    /**
     * Whether a Kafka client property holds a credential: the ones Kafka itself types as passwords (it logs them as
     * {@code [hidden]} too), plus any name that looks like one (listener- or mechanism-prefixed variants).
     */
    static boolean isSecretKafkaProperty(String name) {
        for (org.apache.kafka.common.config.ConfigDef def : List.of(
                org.apache.kafka.clients.consumer.ConsumerConfig.configDef(),
                org.apache.kafka.clients.producer.ProducerConfig.configDef())) {
            org.apache.kafka.common.config.ConfigDef.ConfigKey key =
                    def.configKeys().get(name);
            if (key != null && key.type == org.apache.kafka.common.config.ConfigDef.Type.PASSWORD) return true;
        }
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("password")
                || n.contains("jaas")
                || n.contains("secret")
                || n.contains("token")
                || n.endsWith(".key");
    }

    /** Every wrong setting, one message each. */
    public static final class InvalidConfigException extends IllegalArgumentException {
        public final List<String> problems;

        InvalidConfigException(List<String> problems) {
            super("invalid job configuration:\n  - " + String.join("\n  - ", problems));
            this.problems = List.copyOf(problems);
        }
    }

    /** Reads a properties file into settings (keys as in {@link Key}, plus {@code kafka.*}). */
    public static Map<String, String> readProperties(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : new TreeSet<>(p.stringPropertyNames()))
            m.put(k, p.getProperty(k).trim());
        return m;
    }

    /**
     * Validates and types the settings.
     *
     * @throws InvalidConfigException listing every problem
     */
    public static VigilJobConfig parse(Map<String, String> settings) {
        List<String> problems = new ArrayList<>();
        Builder b = new Builder();
        Map<String, Key> known = new LinkedHashMap<>();
        for (Key k : Key.values()) known.put(k.name, k);
        Map<String, String> s = new LinkedHashMap<>();
        b.clientProperties = new Properties();
        b.shown = new java.util.TreeMap<>();
        String clientConfig = settings.getOrDefault(Key.KAFKA_CLIENT_CONFIG.name, "");
        if (clientConfig != null && !clientConfig.isBlank()) {
            b.kafkaClientConfig = Path.of(clientConfig.trim());
            kafkaClientConfig(b.kafkaClientConfig, b, problems);
        }
        settings.forEach((k, v) -> {
            String value = v == null ? "" : v.trim();
            if (k.startsWith("kafka.")) {
                String prop = k.substring("kafka.".length());
                if (prop.equals("bootstrap.servers")
                        || prop.equals("group.id")
                        || prop.equals("transactional.id")
                        || prop.equals("isolation.level")) {
                    problems.add("kafka." + prop + " cannot be set as a client property: it is set by the job"
                            + (prop.equals("bootstrap.servers")
                                    ? " (use bootstrap-servers)"
                                    : prop.equals("group.id") ? " (use group-id)" : ""));
                } else if (prop.isEmpty()) {
                    problems.add("'kafka.' needs a Kafka client property name after it, e.g. kafka.security.protocol");
                } else {
                    b.clientProperties.setProperty(prop, value);
                    b.shown.put(k, isSecretKafkaProperty(prop) ? "[hidden]" : value);
                }
            } else if (!known.containsKey(k)) {
                problems.add("unknown setting '" + k + "'; known settings: " + String.join(", ", known.keySet())
                        + " and kafka.<client property>");
            } else {
                s.put(k, value);
                b.shown.put(k, value);
            }
        });

        // Servers
        String servers = s.getOrDefault(Key.BOOTSTRAP_SERVERS.name, "");
        if (servers.isEmpty()) {
            problems.add("bootstrap-servers is required: host:port of the Kafka brokers, e.g. 127.0.0.1:9092");
        } else {
            for (String hp : servers.split(",")) {
                String t = hp.trim();
                if (!HOST_PORT.matcher(t).matches() || !validPort(t.substring(t.lastIndexOf(':') + 1))) {
                    problems.add("bootstrap-servers: '" + t + "' is not host:port (port 1-65535), e.g. 127.0.0.1:9092");
                }
            }
        }
        b.bootstrapServers = servers;

        // Topics and formats
        String topics = s.getOrDefault(Key.TOPICS.name, "");
        String pattern = s.getOrDefault(Key.TOPIC_PATTERN.name, "");
        String patternFormat = s.getOrDefault(Key.PATTERN_FORMAT.name, "");
        if (!topics.isEmpty() && !pattern.isEmpty()) {
            problems.add("set either topics or topic-pattern, not both");
        } else if (!pattern.isEmpty()) {
            String fmt = patternFormat.isEmpty() ? "json" : patternFormat;
            checkFormat("pattern-format", fmt, problems);
            try {
                Pattern.compile(pattern);
                b.topics = TopicFormats.pattern(pattern, fmt);
            } catch (PatternSyntaxException e) {
                problems.add("topic-pattern '" + pattern + "' is not a valid regular expression: " + e.getDescription()
                        + " near index " + e.getIndex());
            }
        } else {
            if (!patternFormat.isEmpty()) problems.add("pattern-format is only used with topic-pattern");
            Map<String, String> byTopic = new LinkedHashMap<>();
            if (topics.isEmpty()) {
                problems.add("topics is required (or topic-pattern): topic=format[,topic=format...], e.g. "
                        + "telemetry=json");
            } else {
                for (String entry : topics.split(",")) {
                    String e = entry.trim();
                    int eq = e.indexOf('=');
                    if (eq <= 0 || eq == e.length() - 1) {
                        problems.add("topics: '" + e + "' is not topic=format, e.g. telemetry=json or "
                                + "otel-metrics=otlp-proto:metrics");
                        continue;
                    }
                    String topic = e.substring(0, eq).trim();
                    String fmt = e.substring(eq + 1).trim();
                    checkTopic("topics", topic, problems);
                    checkFormat("topics: format of " + topic, fmt, problems);
                    if (byTopic.put(topic, fmt) != null) problems.add("topics: '" + topic + "' is listed twice");
                }
                if (!byTopic.isEmpty()) b.topics = TopicFormats.topics(byTopic);
            }
        }

        b.jobName = s.getOrDefault(Key.JOB_NAME.name, "vigil");
        if (b.jobName.isEmpty()) problems.add("job-name must not be empty");
        String derived = b.jobName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-");
        b.groupId = s.getOrDefault(Key.GROUP_ID.name, derived);
        if (b.groupId.isEmpty()) problems.add("group-id must not be empty");
        b.transactionalIdPrefix = s.getOrDefault(Key.TRANSACTIONAL_ID_PREFIX.name, derived);
        if (b.transactionalIdPrefix.isEmpty()) {
            problems.add("transactional-id-prefix must not be empty; make it unique per job, e.g. the job name");
        }

        try {
            b.startOffsets = StartOffsets.parse(s.getOrDefault(Key.START_OFFSETS.name, "committed"));
        } catch (IllegalArgumentException e) {
            problems.add("start-offsets: " + e.getMessage()
                    + (e.getMessage().contains(StartOffsets.ACCEPTED) ? "" : "; use " + StartOffsets.ACCEPTED));
        }

        b.alertsTopic = s.getOrDefault(Key.ALERTS_TOPIC.name, "vigil-alerts");
        checkTopic("alerts-topic", b.alertsTopic, problems);
        b.deadLettersTopic = s.getOrDefault(Key.DEAD_LETTERS_TOPIC.name, "vigil-dead-letters");
        checkTopic("dead-letters-topic", b.deadLettersTopic, problems);
        String rollups = s.getOrDefault(Key.ROLLUPS_TOPIC.name, "");
        b.rollupsTopic = rollups.isEmpty() ? null : rollups;
        if (b.rollupsTopic != null) checkTopic("rollups-topic", b.rollupsTopic, problems);
        b.incidentsTopic = s.getOrDefault(Key.INCIDENTS_TOPIC.name, "vigil-incidents");
        checkTopic("incidents-topic", b.incidentsTopic, problems);
        b.incidents = new IncidentConfig();
        b.incidents.groupBy = s.getOrDefault(Key.INCIDENT_GROUP_BY.name, b.incidents.groupBy);
        Duration gap = duration(s, Key.INCIDENT_GAP, "15min", problems);
        Duration lookback = duration(s, Key.INCIDENT_LOOKBACK, "15min", problems);
        if (gap != null) b.incidents.gap = gap;
        if (lookback != null) b.incidents.lookback = lookback;
        if (gap != null && lookback != null) {
            try {
                b.incidents.validate();
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (b.topics != null && !b.topics.isPattern()) {
            for (String out : new String[] {b.alertsTopic, b.deadLettersTopic, b.rollupsTopic, b.incidentsTopic}) {
                if (out != null && b.topics.formatByTopic().containsKey(out)) {
                    problems.add("topic '" + out + "' is both read as telemetry and written by the job; "
                            + "give the outputs their own topics");
                }
            }
        }

        b.transactionTimeout = duration(s, Key.TRANSACTION_TIMEOUT, "10min", problems);
        if (b.transactionTimeout != null
                && (b.transactionTimeout.compareTo(KafkaSinks.BROKER_MAX_TRANSACTION_TIMEOUT) >= 0
                        || b.transactionTimeout.toMillis() < 1000)) {
            problems.add("transaction-timeout " + s.getOrDefault(Key.TRANSACTION_TIMEOUT.name, "10min")
                    + " must be at least 1s and under the broker's maximum of 15min, e.g. 10min");
        }
        b.checkpointInterval = duration(s, Key.CHECKPOINT_INTERVAL, "10s", problems);
        if (b.checkpointInterval != null && b.checkpointInterval.toMillis() < 100) {
            problems.add("checkpoint-interval must be at least 100ms (alerts are committed at each checkpoint), "
                    + "e.g. 10s");
        }
        if (b.checkpointInterval != null
                && b.transactionTimeout != null
                && b.transactionTimeout.compareTo(b.checkpointInterval.multipliedBy(2)) < 0) {
            problems.add("transaction-timeout must be at least twice checkpoint-interval: a transaction stays open "
                    + "from one checkpoint to the next");
        }
        b.watermarkDelay = duration(s, Key.WATERMARK_DELAY, "5s", problems);
        b.watermarkIdleness = duration(s, Key.WATERMARK_IDLENESS, "30s", problems);

        b.parallelism = wholeNumber(s, Key.PARALLELISM, 0, 1, 32768, "", problems);
        b.stateCacheEntries = wholeNumber(
                s,
                Key.STATE_CACHE_ENTRIES,
                DetectorOperator.STATE_CACHE_CAPACITY,
                1000,
                10_000_000,
                " (each entry takes about 250 bytes of the TaskManager's heap), e.g. 200000",
                problems);

        String rules = s.getOrDefault(Key.RULES_DIR.name, "");
        if (rules.isEmpty()) {
            problems.add("rules-dir is required: the folder of rule YAML files, e.g. rules/");
        } else {
            b.rulesDir = Path.of(rules);
            if (!Files.isDirectory(b.rulesDir)) {
                problems.add("rules-dir '" + rules + "' is not a folder ("
                        + (Files.exists(b.rulesDir) ? "it is a file" : "it does not exist")
                        + "); give the folder of rule YAML files");
            }
        }

        String rulesTopic = s.getOrDefault(Key.RULES_TOPIC.name, "");
        if (!rulesTopic.isEmpty()) {
            checkTopic(Key.RULES_TOPIC.name, rulesTopic, problems);
            b.rulesTopic = rulesTopic;
        }
        results(s, b, problems);
        b.geoIp = geoIp(s, problems);
        b.alertmanager = io.vigil.sink.notify.NotifyConfig.parse("alertmanager", s, problems);
        b.webhook = io.vigil.sink.notify.NotifyConfig.parse("webhook", s, problems);

        if (!problems.isEmpty()) throw new InvalidConfigException(problems);
        return new VigilJobConfig(b);
    }

    /** The GeoIP/ASN databases, each opened once here so a missing or unreadable one is a problem named by key. */
    private static io.vigil.ingest.geo.GeoIpSettings geoIp(Map<String, String> s, List<String> problems) {
        String geo = s.getOrDefault(Key.GEOIP_DB.name, "");
        String asn = s.getOrDefault(Key.ASN_DB.name, "");
        if (geo.isEmpty() && asn.isEmpty()) {
            return null;
        }
        io.vigil.ingest.geo.GeoIpSettings settings = io.vigil.ingest.geo.GeoIpSettings.of(
                geo.isEmpty() ? null : Path.of(geo),
                asn.isEmpty() ? null : Path.of(asn),
                Key.GEOIP_DB.name,
                Key.ASN_DB.name);
        try {
            settings.check();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
        return settings;
    }

    /** Search, Prometheus and catalog settings: the same sinks `vigil demo` and `replay` offer. */
    private static void results(Map<String, String> s, Builder b, List<String> problems) {
        // Each output parses its own settings, as the demo's and replay's flags do.
        b.search = SearchConfig.parse(s, problems);
        b.prometheus = RemoteWriteConfig.parse(s, problems);
        b.prometheusUrl = b.prometheus == null ? null : b.prometheus.url;
        String catalog = s.getOrDefault(Key.CATALOG.name, "");
        if (!catalog.isEmpty()) {
            b.catalog = Path.of(catalog);
            if (!Files.isRegularFile(b.catalog)) {
                problems.add("catalog '" + catalog + "' is not a file; give the service catalog YAML");
            }
        } else if (b.rulesDir != null && Files.isRegularFile(b.rulesDir.resolve("_services.yaml"))) {
            b.catalog = b.rulesDir.resolve("_services.yaml");
        }
        suppression(s, b, problems);
        String privacy = s.getOrDefault(Key.PRIVACY.name, "");
        if (privacy.equals("none")) {
            b.privacy = null;
        } else if (!privacy.isEmpty()) {
            b.privacy = Path.of(privacy);
            if (!Files.isRegularFile(b.privacy)) {
                problems.add("privacy '" + privacy + "' is not a file; give the privacy policy YAML, or 'none'");
            }
        } else if (b.rulesDir != null && Files.isRegularFile(b.rulesDir.resolve("_privacy.yaml"))) {
            b.privacy = b.rulesDir.resolve("_privacy.yaml");
        }
        String keyFile = s.getOrDefault(Key.PRIVACY_KEY_FILE.name, "");
        if (!keyFile.isEmpty()) {
            b.privacyKeyFile = Path.of(keyFile);
            if (!Files.isRegularFile(b.privacyKeyFile)) {
                problems.add("privacy-key-file '" + keyFile + "' is not a file; give the file holding the hash key");
            }
        } else if (b.rulesDir != null) {
            b.privacyKeyFile = b.rulesDir
                    .toAbsolutePath()
                    .normalize()
                    .resolveSibling(".vigil")
                    .resolve("privacy.key");
        }
        String catalogTopic = s.getOrDefault(Key.CATALOG_TOPIC.name, "");
        if (!catalogTopic.isEmpty()) {
            checkTopic(Key.CATALOG_TOPIC.name, catalogTopic, problems);
            b.catalogTopic = catalogTopic;
            // Each record of one topic would be a bad record of the other; outputs are no catalog either.
            if (catalogTopic.equals(b.rulesTopic)) {
                problems.add("catalog-topic and rules-topic are both '" + catalogTopic + "'; give the service "
                        + "catalog its own topic, e.g. vigil-services");
            }
            boolean telemetry = b.topics != null
                    && !b.topics.isPattern()
                    && b.topics.formatByTopic().containsKey(catalogTopic);
            if (telemetry
                    || catalogTopic.equals(b.alertsTopic)
                    || catalogTopic.equals(b.deadLettersTopic)
                    || catalogTopic.equals(b.rollupsTopic)) {
                problems.add("catalog-topic '" + catalogTopic + "' is also "
                        + (telemetry ? "read as telemetry" : "written by the job")
                        + "; give the service catalog its own topic, e.g. vigil-services");
            }
        }
    }

    /**
     * Reads the client properties of a kafka-client-config file; keys the job sets itself are refused as they are
     * for kafka.* settings. Errors name the file and the key, never a value (the file holds credentials).
     */
    private static void kafkaClientConfig(Path file, Builder b, List<String> problems) {
        String what = Key.KAFKA_CLIENT_CONFIG.name + " '" + file + "'";
        if (!Files.isRegularFile(file)) {
            problems.add(what + ": " + (Files.exists(file) ? "is not a file" : "no such file")
                    + "; give a properties file of Kafka client properties, e.g. security.protocol=SASL_SSL");
            return;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            problems.add(what + " cannot be read as a properties file: "
                    + e.getClass().getSimpleName());
            return;
        }
        for (String k : new TreeSet<>(p.stringPropertyNames())) {
            if (JOB_OWNED_KAFKA_PROPERTIES.contains(k)) {
                problems.add(what + ": " + k + " cannot be set there: the job sets it");
                continue;
            }
            b.clientProperties.setProperty(k, p.getProperty(k).trim());
            b.shown.put(
                    "kafka." + k,
                    isSecretKafkaProperty(k) ? "[hidden]" : p.getProperty(k).trim());
        }
    }

    private static final Set<String> JOB_OWNED_KAFKA_PROPERTIES =
            Set.of("bootstrap.servers", "group.id", "transactional.id", "isolation.level");

    /** Inhibition rules, silences file and silence topic. */
    private static void suppression(Map<String, String> s, Builder b, List<String> problems) {
        String inhibit = s.getOrDefault(Key.INHIBIT.name, "");
        if (!inhibit.isEmpty()) {
            b.inhibit = Path.of(inhibit);
            if (!Files.isRegularFile(b.inhibit)) {
                problems.add("inhibit '" + inhibit + "' is not a file; give the inhibition rules YAML");
            }
        } else if (b.rulesDir != null && Files.isRegularFile(b.rulesDir.resolve("_inhibit.yaml"))) {
            b.inhibit = b.rulesDir.resolve("_inhibit.yaml");
        }
        String silences = s.getOrDefault(Key.SILENCES.name, "");
        if (!silences.isEmpty()) {
            b.silences = Path.of(silences);
            if (!Files.isRegularFile(b.silences)) {
                problems.add("silences '" + silences + "' is not a file; give the silences YAML");
            }
        }
        String topic = s.getOrDefault(Key.SILENCE_TOPIC.name, "");
        if (!topic.isEmpty()) {
            checkTopic(Key.SILENCE_TOPIC.name, topic, problems);
            b.silenceTopic = topic;
            boolean telemetry = b.topics != null
                    && !b.topics.isPattern()
                    && b.topics.formatByTopic().containsKey(topic);
            if (telemetry
                    || topic.equals(b.rulesTopic)
                    || topic.equals(s.get(Key.CATALOG_TOPIC.name))
                    || topic.equals(b.alertsTopic)
                    || topic.equals(b.deadLettersTopic)
                    || topic.equals(b.rollupsTopic)) {
                problems.add("silence-topic '" + topic + "' is also used for something else (telemetry, rules, "
                        + "catalog or an output); give silences their own topic, e.g. vigil-silences");
            }
        }
    }

    /**
     * The whole number set for {@code key}, {@code otherwise} when it is not set; a value outside {@code min..max} or
     * not a number is a problem that names the range, followed by {@code hint}.
     */
    private static int wholeNumber(
            Map<String, String> s, Key key, int otherwise, int min, int max, String hint, List<String> problems) {
        String v = s.getOrDefault(key.name, "");
        if (v.isEmpty()) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(key.name + " '" + v + "' must be a whole number from " + min + " to " + max + hint);
        return otherwise;
    }

    private static boolean validPort(String p) {
        try {
            int n = Integer.parseInt(p);
            return n >= 1 && n <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void checkTopic(String what, String topic, List<String> problems) {
        if (!KAFKA_NAME.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            problems.add(what + ": '" + topic + "' is not a Kafka topic name (letters, digits, '.', '_', '-'; "
                    + "at most 249)");
        }
    }

    static void checkFormat(String what, String format, List<String> problems) {
        String[] parts = format.split(":", -1);
        boolean ok = FORMATS.contains(parts[0])
                && (parts.length == 1 || (parts.length == 2 && !parts[0].equals("json") && HINTS.contains(parts[1])));
        if (!ok) problems.add(what + ": '" + format + "' is not a format; use " + FORMATS_TEXT);
    }

    private static Duration duration(Map<String, String> s, Key key, String dflt, List<String> problems) {
        String v = s.getOrDefault(key.name, dflt);
        try {
            Duration d = TimeUtils.parseDuration(v);
            if (d.isNegative()) throw new IllegalArgumentException("negative");
            return d;
        } catch (IllegalArgumentException e) {
            problems.add(key.name + " '" + v + "' is not a duration; write e.g. 500ms, 10s, 5min or 1h");
            return null;
        }
    }

    private static final class Builder {
        io.vigil.sink.notify.NotifyConfig alertmanager, webhook;
        String bootstrapServers;
        TopicFormats topics;
        String groupId;
        StartOffsets startOffsets;
        String alertsTopic;
        String deadLettersTopic;
        String rollupsTopic;
        String incidentsTopic;
        IncidentConfig incidents;
        String jobName;
        String transactionalIdPrefix;
        Duration transactionTimeout;
        int parallelism;
        int stateCacheEntries;
        Duration checkpointInterval;
        Duration watermarkDelay;
        Duration watermarkIdleness;
        Path rulesDir;
        String rulesTopic;
        SearchConfig search;
        String prometheusUrl;
        RemoteWriteConfig prometheus;
        Path catalog;
        String catalogTopic;
        Path inhibit;
        Path silences;
        String silenceTopic;
        Path privacy;
        Path privacyKeyFile;
        io.vigil.ingest.geo.GeoIpSettings geoIp;
        Properties clientProperties;
        Path kafkaClientConfig;
        Map<String, String> shown;
    }
}
