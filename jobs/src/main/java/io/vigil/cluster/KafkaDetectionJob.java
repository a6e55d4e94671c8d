package io.vigil.cluster;

import io.vigil.alert.AlertJson;
import io.vigil.alert.ServiceCatalog;
import io.vigil.alert.kafka.CatalogTopic;
import io.vigil.incident.Incident;
import io.vigil.ingest.Decoders;
import io.vigil.ingest.kafka.DecoderFactory;
import io.vigil.ingest.kafka.KafkaTelemetrySource;
import io.vigil.job.CatalogUpdates;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.DetectionJob.NamedSink;
import io.vigil.job.RuleSource;
import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.rules.kafka.RuleTopic;
import io.vigil.sink.kafka.KafkaSinks;
import io.vigil.sink.notify.AlertmanagerSink;
import io.vigil.sink.notify.WebhookSink;
import io.vigil.sink.prometheus.RemoteWriteSink;
import io.vigil.sink.search.SearchSink;
import io.vigil.suppress.InhibitRules;
import io.vigil.suppress.SilenceUpdates;
import io.vigil.suppress.Silences;
import io.vigil.suppress.kafka.SilenceTopic;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Vigil detection job wired to Kafka: telemetry topics in, alerts, dead letters and (optionally) rollups out, all
 * exactly once. Shared by {@link VigilJobMain} (the job jar's entry point) and the end-to-end benchmark.
 */
public final class KafkaDetectionJob {
    private KafkaDetectionJob() {}

    /** Decoders by format name, made on the task from {@link Decoders}. */
    public static final DecoderFactory DECODERS = format -> Decoders.forFormat(format)::decode;

    public static KafkaTelemetrySource source(VigilJobConfig c) {
        return VigilKafkaJob.source(c, DECODERS);
    }

    /** Adds the whole job to {@code env}; {@code bounded} reads the topics up to their current end, then finishes. */
    public static void build(StreamExecutionEnvironment env, VigilJobConfig c, boolean bounded) {
        VigilKafkaJob.configure(env, c);
        KafkaTelemetrySource kafka = bounded ? source(c).bounded() : source(c);
        KafkaSinks out = VigilKafkaJob.sinks(c);
        // Each sink is named for what it is: its operator uid (alerts-kafka, rollups-prometheus, ...) stays the same
        // whichever other outputs are switched on or off, so savepoints restore across such changes.
        List<NamedSink<Alert>> alerts =
                new ArrayList<>(List.of(NamedSink.of("kafka", out.alerts(c.alertsTopic, AlertJson::toBytes))));
        List<NamedSink<Rollup>> rollups = new ArrayList<>();
        if (c.rollupsTopic != null) {
            rollups.add(NamedSink.of("kafka", out.rollups(c.rollupsTopic)));
        }
        if (c.search != null) {
            alerts.add(NamedSink.of("search", SearchSink.alerts(c.search)));
            rollups.add(NamedSink.of("search", SearchSink.rollups(c.search)));
        }
        if (c.prometheusUrl != null) {
            rollups.add(NamedSink.of("prometheus", new RemoteWriteSink(c.prometheus)));
        }
        if (c.alertmanager != null) {
            alerts.add(NamedSink.of("alertmanager", new AlertmanagerSink(c.alertmanager)));
        }
        if (c.webhook != null) {
            alerts.add(NamedSink.of("webhook", new WebhookSink(c.webhook)));
        }
        List<NamedSink<Incident>> incidents =
                new ArrayList<>(List.of(NamedSink.of("kafka", out.incidents(c.incidentsTopic))));
        if (c.search != null) {
            incidents.add(NamedSink.of("search", SearchSink.incidents(c.search)));
        }
        DetectionJob.Sinks sinks = new DetectionJob.Sinks(
                alerts, rollups, List.of(NamedSink.of("kafka", out.deadLetters(c.deadLettersTopic))), incidents);
        RuleSource rules = RuleSource.directory(c.rulesDir);
        if (c.rulesTopic != null) {
            rules = rules.withUpdates(
                    new RuleTopic(c.bootstrapServers, c.rulesTopic, c.jobName + "-rules", c.clientProperties));
        }
        new DetectionJob(detectionConfig(c), kafka::create, rules, sinks).build(env);
    }

    /**
     * The privacy policy and its key's place, checked on the client: a policy with problems or a key that cannot be
     * read stops the submission. Without a key file setting or {@code $VIGIL_PRIVACY_KEY}, the default key file is
     * generated (owner-only) when absent, as the demo's is.
     */
    static io.vigil.privacy.PrivacySettings privacy(VigilJobConfig c) {
        try {
            io.vigil.privacy.PrivacyPolicy policy = io.vigil.privacy.PolicyLoader.load(c.privacy);
            String env = System.getenv(io.vigil.privacy.PrivacySettings.DEFAULT_KEY_ENV);
            if (policy.usesHash() && (env == null || env.isEmpty()) && c.privacyKeyFile != null) {
                io.vigil.privacy.PrivacySettings.generateKeyIfAbsent(c.privacyKeyFile);
            }
            return new io.vigil.privacy.PrivacySettings(
                            policy,
                            c.privacyKeyFile == null ? null : c.privacyKeyFile.toString(),
                            io.vigil.privacy.PrivacySettings.DEFAULT_KEY_ENV)
                    .validate();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the privacy policy " + c.privacy, e);
        }
    }

    /**
     * Watermark delay and idleness, the state cache's size, the catalog file and topic, inhibition rules, silences file
     * and topic, the privacy policy and the GeoIP databases come from the job config.
     */
    static DetectionConfig detectionConfig(VigilJobConfig c) {
        DetectionConfig d =
                new DetectionConfig().watermarkDelay(c.watermarkDelay).watermarkIdleness(c.watermarkIdleness);
        d.incidents = c.incidents;
        d.stateCacheEntries = c.stateCacheEntries;
        if (c.privacy != null) {
            d.privacy = privacy(c);
        }
        if (c.catalog != null) {
            d.catalog = ServiceCatalog.load(c.catalog);
        }
        d.geoIp = c.geoIp;
        if (c.catalogTopic != null) {
            d.catalogUpdates = CatalogUpdates.of(
                    new CatalogTopic(c.bootstrapServers, c.catalogTopic, c.jobName + "-catalog", c.clientProperties));
        }
        if (c.inhibit != null) {
            d.inhibitRules = InhibitRules.load(c.inhibit);
        }
        if (c.silences != null) {
            d.silences = Silences.load(c.silences);
        }
        if (c.silenceTopic != null) {
            d.silenceUpdates = SilenceUpdates.of(
                    new SilenceTopic(c.bootstrapServers, c.silenceTopic, c.jobName + "-silences", c.clientProperties));
        }
        return d;
    }
}
