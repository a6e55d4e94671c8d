package io.vigil.job;

import io.vigil.alert.AlertEnricher;
import io.vigil.alert.BroadcastAlertEnricher;
import io.vigil.alert.CatalogUpdate;
import io.vigil.alert.Realert;
import io.vigil.alert.ServiceCatalog;
import io.vigil.detect.DetectorOperator;
import io.vigil.detect.FixedRuleRouter;
import io.vigil.detect.Routed;
import io.vigil.detect.RuleBook;
import io.vigil.detect.RuleError;
import io.vigil.detect.RuleRouter;
import io.vigil.incident.GroupedByIncident;
import io.vigil.incident.Incident;
import io.vigil.incident.IncidentCorrelator;
import io.vigil.incident.IncidentStream;
import io.vigil.ingest.DecodeFunction;
import io.vigil.ingest.SplitDeadLetters;
import io.vigil.ingest.geo.GeoIpEnrichment;
import io.vigil.kafka.CompactedTopic;
import io.vigil.model.Alert;
import io.vigil.model.DeadLetter;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import io.vigil.privacy.PrivacyFunction;
import io.vigil.privacy.PrivacyStages;
import io.vigil.privacy.Redactor;
import io.vigil.rollup.ServiceRollups;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.GraphRuleKind;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import io.vigil.suppress.Suppression;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * The Vigil detection job as one graph, whatever feeds it and wherever its results go: the demo, a replay, a test and
 * the cluster job differ only in the {@link TelemetrySource}, {@link RuleSource} and {@link Sinks} passed in.
 *
 * <pre>
 * source (decodes, event time) -> split dead letters [-> GeoIP enrichment] -> route to rules (rule index; broadcast rules only with a rules topic, else chained into the source's task) -> keyBy(key group)
 *   -> detectors (one keyed operator for every hot-reloadable rule)  \
 *   -> graph kinds (CEP sequences, compiled into the graph)           > union -> keyBy(alert key) -> realert
 *   -> enrich from the service catalog (file; or topic over file, broadcast)
 *   -> inhibit (keyed, event time) -> silence (file; or topic over file, broadcast) -> sinks
 *   -> keyBy(group key, default service.name) with the error records -> incidents -> incident sinks
 *        \-> the alerts as grouped, each naming its incident -> sinks that reach people (Alertmanager, webhooks)
 * detector rollups -> rollup sinks;  dead letters + rule evaluation errors -> dead-letter sinks
 * </pre>
 *
 * <p>With a privacy policy ({@link DetectionConfig#privacy}), its {@code before_detection} rules apply right after the
 * split, and every rule applies once more before each family of sinks (alerts, rollups, dead letters).
 *
 * <p>Operator uids are fixed so savepoints survive changes elsewhere in the graph.
 */
public final class DetectionJob {
    /**
     * A sink with the name of what it is ({@code kafka}, {@code search}, {@code prometheus}, {@code file}, ...). The
     * sink operator's uid is {@code <stream>-<id>} ({@code alerts-kafka}, {@code rollups-prometheus}), so a savepoint
     * restores each sink's state into the same sink when other sinks are added or removed.
     */
    public record NamedSink<T>(String id, Sink<T> sink) implements Serializable {
        public NamedSink {
            if (id == null || !id.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
                throw new IllegalArgumentException(
                        "sink id '" + id + "' must be lower-case words joined by '-', like 'kafka' or 'search'");
            }
            if (sink == null) {
                throw new IllegalArgumentException("sink '" + id + "' is null");
            }
        }

        public static <T> NamedSink<T> of(String id, Sink<T> sink) {
            return new NamedSink<>(id, sink);
        }
    }

    /** Where results go; each list may be empty, and the ids in one list are distinct. */
    public record Sinks(
            List<NamedSink<Alert>> alerts,
            List<NamedSink<Rollup>> rollups,
            List<NamedSink<DeadLetter>> deadLetters,
            List<NamedSink<Incident>> incidents)
            implements Serializable {
        public Sinks {
            alerts = distinct("alerts", alerts);
            rollups = distinct("rollups", rollups);
            deadLetters = distinct("dead-letters", deadLetters);
            incidents = distinct("incidents", incidents);
        }

        /** Sinks without incident outputs (incidents are still correlated and in {@link Streams#incidents}). */
        public Sinks(
                List<NamedSink<Alert>> alerts,
                List<NamedSink<Rollup>> rollups,
                List<NamedSink<DeadLetter>> deadLetters) {
            this(alerts, rollups, deadLetters, List.of());
        }

        public static Sinks none() {
            return new Sinks(List.of(), List.of(), List.of(), List.of());
        }

        private static <T> List<NamedSink<T>> distinct(String stream, List<NamedSink<T>> sinks) {
            Set<String> seen = new HashSet<>();
            for (NamedSink<T> s : sinks) {
                if (!seen.add(s.id())) {
                    throw new IllegalArgumentException("two " + stream + " sinks are named '" + s.id()
                            + "': each needs its own id, since the id is its operator uid (" + stream + "-" + s.id()
                            + ") that savepoints restore by");
                }
            }
            return List.copyOf(sinks);
        }
    }

    /** The job's main streams, for tests and for stages added around the job (rollups, enrichment). */
    public record Streams(
            DataStream<Telemetry> telemetry,
            DataStream<Alert> alerts,
            DataStream<Rollup> rollups,
            DataStream<DeadLetter> deadLetters,
            DataStream<Incident> incidents) {}

    /** The detectors' uid; their keyed state is per key group, with each rule version in a namespace of its own. */
    public static final String DETECTORS_UID = "detectors-by-key-group";

    /** Dead-letter reason of a record on which a rule's condition or detector failed. */
    public static final String RULE_ERROR = "rule_error";

    private final DetectionConfig config;
    private final TelemetrySource source;
    private final RuleSource rules;
    private final Sinks sinks;

    public DetectionJob(DetectionConfig config, TelemetrySource source, RuleSource rules, Sinks sinks) {
        this.config = config;
        this.source = source;
        this.rules = rules;
        this.sinks = sinks;
    }

    /** Adds the job to {@code env}. Throws {@link io.vigil.rules.RuleException} (every problem, file:line) first. */
    public Streams build(StreamExecutionEnvironment env) {
        List<RuleSpec> specs = rules.initial();
        List<CompiledRule> compiled = RuleCompiler.compileAll(specs);

        SingleOutputStreamOperator<Telemetry> decoded = source.create(env, Watermarks.forTelemetry(config))
                .process(new SplitDeadLetters())
                .name("Split dead letters")
                .uid("split-dead-letters");
        // GeoIP before the privacy policy: the lookup needs the address that the policy may hash or generalize.
        DataStream<Telemetry> enriched = config.geoIp == null
                ? decoded
                : decoded.map(new GeoIpEnrichment(config.geoIp))
                        .name("GeoIP enrichment")
                        .uid("geoip-enrichment");

        DataStream<RuleUpdate> pushed = rules.updates(env);
        DataStream<RuleUpdate> ruleUpdates = pushed != null ? pushed : noRuleUpdates(decoded);
        RuleBook book = new RuleBook(specs);
        // The router applies the privacy policy's before-detection rules itself (see RuleRouter): what it lets
        // through, on its TELEMETRY side output, is what every other stage reads. With rules fixed at start it takes
        // no broadcast input, so it runs chained in the source's task (see FixedRuleRouter).
        RuleRouter router = new RuleRouter(book, config.privacy);
        SingleOutputStreamOperator<Routed> routed = (pushed == null
                        ? enriched.process(new FixedRuleRouter(router), TypeInformation.of(Routed.class))
                        : enriched.connect(
                                        config.privacy == null
                                                ? ruleUpdates.broadcast(RuleBook.RULES)
                                                : ruleUpdates.broadcast(RuleBook.RULES, PrivacyFunction.POLICY))
                                .process(router))
                .name(config.privacy == null ? "Route to rules" : "Privacy before detection, route to rules")
                .uid("rule-router");
        DataStream<Telemetry> telemetry =
                config.privacy == null ? enriched : routed.getSideOutput(RuleRouter.TELEMETRY);
        // One record per key group it matched, keyed by the group's key; every instance sees every rule update. The
        // uid names the keyed layout: state saved by the earlier per-rule layout ("detectors") does not fit it.
        SingleOutputStreamOperator<Alert> detected = parallel(routed.keyBy(r -> r.key, Types.STRING)
                .connect(ruleUpdates.broadcast())
                .transform(
                        "Detectors",
                        TypeInformation.of(Alert.class),
                        new DetectorOperator(book, config.evalUntil, config.watermarkDelay.toMillis())
                                .withStateCacheCapacity(config.stateCacheEntries))
                .uid(DETECTORS_UID));

        DataStream<Alert> alerts = detected;
        for (Map.Entry<GraphRuleKind, List<CompiledRule>> g :
                graphKinds(compiled).entrySet()) {
            alerts = alerts.union(g.getKey().attach(telemetry, g.getValue()));
        }
        DataStream<Alert> deduplicated = parallel(alerts.keyBy(a -> a.key, Types.STRING)
                .process(new Realert())
                .name("Realert")
                .uid("realert"));
        if (config.catalogUpdates != null) {
            // The catalog changes while the job runs: the topic's entries in broadcast state, over the file's.
            ServiceCatalog file = config.catalog != null ? config.catalog : ServiceCatalog.empty();
            BroadcastStream<CatalogUpdate> catalog =
                    config.catalogUpdates.updates(env).broadcast(BroadcastAlertEnricher.CATALOG);
            deduplicated = deduplicated
                    .connect(catalog)
                    .process(new BroadcastAlertEnricher(file))
                    .name("Enrich alerts (catalog topic)")
                    .uid("enrich-alerts-broadcast");
        } else if (config.catalog != null) {
            deduplicated = deduplicated
                    .map(new AlertEnricher(config.catalog))
                    .name("Enrich alerts")
                    .uid("enrich-alerts");
        }

        DataStream<Rollup> rollups = detected.getSideOutput(DetectorOperator.ROLLUPS);
        if (config.serviceRollups) {
            // Alerts leave Realert just after the watermark passed their window: the watermark delay as lateness
            // keeps them in the minute they belong to.
            rollups = rollups.union(ServiceRollups.attach(telemetry, deduplicated, config.watermarkDelay));
        }
        // Inhibition and silences only mark alerts: after the rollups, which count every alert, before the sinks.
        DataStream<Alert> marked = Suppression.attach(
                env, deduplicated, config.inhibitRules, config.silences, config.silenceUpdates, config.parallelism);
        DataStream<DeadLetter> deadLetters = decoded.getSideOutput(DecodeFunction.DEAD_LETTERS)
                .union(routed.getSideOutput(RuleRouter.RULE_ERRORS)
                        .union(detected.getSideOutput(RuleRouter.RULE_ERRORS))
                        .map(DetectionJob::deadLetter)
                        .name("Rule errors to dead letters")
                        .uid("rule-errors"));

        // Every sink family gets what the privacy policy lets out; a new output stream goes through the same call.
        marked = PrivacyStages.outputs("alerts", marked, ruleUpdates, config.privacy, Redactor::alert);
        rollups = PrivacyStages.outputs("rollups", rollups, ruleUpdates, config.privacy, Redactor::rollup);
        deadLetters =
                PrivacyStages.outputs("dead-letters", deadLetters, ruleUpdates, config.privacy, Redactor::deadLetter);

        // Incidents are built from the alerts as sinks see them; the error records they sample are redacted here.
        SingleOutputStreamOperator<Incident> correlated =
                IncidentStream.attach(marked, telemetry, config.incidents, config.parallelism);
        // What reaches people is grouped per incident, so those sinks get the alerts as the incident stage took them.
        DataStream<Alert> grouped = correlated.getSideOutput(IncidentCorrelator.GROUPED_ALERTS);

        // Sinks keep state (Kafka transactions to commit, buffered bulk requests): uids from what each sink is, so a
        // savepoint restores each into the same sink when sinks are added or removed or anything else in the graph
        // changes.
        for (NamedSink<Alert> s : sinks.alerts()) {
            DataStream<Alert> in = s.sink() instanceof GroupedByIncident ? grouped : marked;
            in.sinkTo(s.sink()).name("Alerts: " + s.id()).uid("alerts-" + s.id());
        }
        for (NamedSink<Rollup> s : sinks.rollups()) {
            rollups.sinkTo(s.sink()).name("Rollups: " + s.id()).uid("rollups-" + s.id());
        }
        for (NamedSink<DeadLetter> s : sinks.deadLetters()) {
            deadLetters.sinkTo(s.sink()).name("Dead letters: " + s.id()).uid("dead-letters-" + s.id());
        }
        DataStream<Incident> incidents =
                PrivacyStages.outputs("incidents", correlated, ruleUpdates, config.privacy, Redactor::incident);
        for (NamedSink<Incident> s : sinks.incidents()) {
            incidents.sinkTo(s.sink()).name("Incidents: " + s.id()).uid("incidents-" + s.id());
        }
        return new Streams(telemetry, marked, rollups, deadLetters, incidents);
    }

    private static DataStream<RuleUpdate> noRuleUpdates(SingleOutputStreamOperator<Telemetry> decoded) {
        // The detectors' broadcast input (and the output privacy stages') must exist even when rules are fixed, though
        // the router needs none then. It emits nothing and is derived from the dead letters split off the telemetry,
        // a side output with hardly any records (every telemetry record would cost a call), so it starts with the
        // telemetry (a separate source that is scheduled late would pin the operators' watermark at its minimum until
        // the end of a bounded input) and never finishes while the job runs. It declares itself idle, as the pushed
        // rule updates do (CompactedTopic.alwaysIdle), and the operators follow the telemetry's watermark alone: the
        // side output's copies of that watermark, on a channel with no records, reached the detectors behind the
        // telemetry's own, by up to 90 minutes of event time under load in `bench rules` (which replays hours in
        // seconds), and the detectors held every pane and bucket of that span in state.
        return decoded.getSideOutput(DecodeFunction.DEAD_LETTERS)
                .flatMap(new NoRuleUpdates(), TypeInformation.of(RuleUpdate.class))
                .name("No rule updates")
                .uid("no-rule-updates")
                .assignTimestampsAndWatermarks(CompactedTopic.alwaysIdle())
                .name("No rule updates: idle")
                .uid("no-rule-updates-idle");
    }

    /** Drops every record: the rule-update stream of a job whose rules are fixed. */
    private static final class NoRuleUpdates implements FlatMapFunction<DeadLetter, RuleUpdate> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(DeadLetter value, Collector<RuleUpdate> out) {}
    }

    private <T> SingleOutputStreamOperator<T> parallel(SingleOutputStreamOperator<T> op) {
        return config.parallelism > 0 ? op.setParallelism(config.parallelism) : op;
    }

    private static Map<GraphRuleKind, List<CompiledRule>> graphKinds(List<CompiledRule> compiled) {
        Map<GraphRuleKind, List<CompiledRule>> byKind = new LinkedHashMap<>();
        for (CompiledRule r : compiled) {
            if (r.spec.enabled && r.kind instanceof GraphRuleKind g && !g.hotReloadable(r.spec)) {
                byKind.computeIfAbsent(g, k -> new ArrayList<>()).add(r);
            }
        }
        return byKind;
    }

    static DeadLetter deadLetter(RuleError e) {
        byte[] raw =
                e.record == null ? new byte[0] : TelemetryJson.write(e.record).getBytes(StandardCharsets.UTF_8);
        return new DeadLetter(raw, "rule:" + e.ruleId, "json", RULE_ERROR, e.error);
    }
}
