package io.vigil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.alert.ServiceCatalog;
import io.vigil.generator.GeneratorSource;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.incident.Incident;
import io.vigil.incident.IncidentJson;
import io.vigil.job.DetectionConfig;
import io.vigil.job.DetectionJob;
import io.vigil.job.RuleSource;
import io.vigil.model.Ingested;
import io.vigil.sink.file.JsonLinesSink;
import io.vigil.sink.notify.AlertmanagerSink;
import io.vigil.sink.notify.NotifyConfig;
import io.vigil.suppress.InhibitRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's promise to on-call people: the demo's incidents reach the local stack's webhook receiver through the
 * stack's Alertmanager, one notification group per incident, with resolves. The Alertmanager and the receiver are the
 * stack's own ({@code bin/vigil stack start receiver|alertmanager}, port offset 26000, data under
 * {@code jobs/target/it-stack/incident-notify}); the job is the demo's graph (generator, starter rules, catalog,
 * inhibition) in a MiniCluster with the Alertmanager output.
 *
 * <p>Alertmanager sends a resolved notification only for a group it notified as firing, and the demo runs hours of
 * event time in seconds. So the test holds the input at 02:30 of the demo (after the checkout incident's alerts fired,
 * before they resolve) until the receiver has the incident's firing notification, then lets the rest through.
 */
class IncidentNotificationIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-11-02T00:00:00Z");
    /** Records from here on wait for {@link #released}: after the checkout incident fired, before it resolves. */
    static final long HOLD_FROM = START.plus(Duration.ofMinutes(150)).toEpochMilli();

    static volatile boolean released;
    static LocalStack stack;

    @BeforeAll
    static void up() throws Exception {
        stack = new LocalStack("incident-notify", 26000).start("receiver", "alertmanager");
    }

    @AfterAll
    static void down() throws Exception {
        released = true;
        if (stack != null) stack.close();
    }

    @Test
    void theDemosIncidentsReachTheStacksReceiverGroupedPerIncidentWithResolves() throws Exception {
        Path out = Files.createDirectories(stack.home.resolve("out"));
        Path incidentsFile = out.resolve("incidents.jsonl");
        Path rules = LocalStack.ROOT.resolve("rules");
        NotifyConfig am = NotifyConfig.alertmanager("http://127.0.0.1:" + (9095 + stack.portOffset));
        am.resendInterval = Duration.ofSeconds(5);

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestOptions.BIND_PORT, "0");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        DetectionConfig config = new DetectionConfig();
        config.watermarkEveryRecord = true;
        config.catalog = ServiceCatalog.load(rules.resolve("_services.yaml"));
        config.inhibitRules = InhibitRules.load(rules.resolve(InhibitRules.FILE_NAME));
        GeneratorSource demo = new GeneratorSource(new TelemetryGenerator(42, START, Duration.ofMinutes(210)));
        new DetectionJob(
                        config,
                        (e, watermarks) -> demo.create(e, watermarks)
                                .process(new HoldUntilReleased(), TypeInformation.of(Ingested.class))
                                .name("Hold")
                                .setParallelism(1),
                        RuleSource.directory(rules),
                        new DetectionJob.Sinks(
                                List.of(DetectionJob.NamedSink.of("alertmanager", new AlertmanagerSink(am))),
                                List.of(),
                                List.of(),
                                List.of(DetectionJob.NamedSink.of(
                                        "file", new JsonLinesSink<Incident>(incidentsFile, IncidentJson::toBytes)))))
                .build(env);
        JobClient job = env.executeAsync("incident-notification-it");
        Path received = stack.home.resolve("receiver/notifications.jsonl");

        // 1. While the input is held, the checkout incident's alerts arrive as one firing group: incident and service.
        JsonNode firing = await(
                "a firing notification for checkout, grouped by incident", () -> find(received, "firing", "checkout"));
        String incident = firing.path("groupLabels").path("incident").asText();
        assertTrue(incident.startsWith("incident-"), "grouped by the incident label: " + firing);
        assertEquals(
                Set.of("incident", "service"),
                fieldNames(firing.path("groupLabels")),
                "the stack's route groups by incident and service");
        for (JsonNode a : firing.path("alerts")) {
            assertEquals(incident, a.path("labels").path("incident").asText(), a.toString());
            assertTrue(
                    a.path("annotations").path("suspected_cause").asText().startsWith("New version of checkout"),
                    "the incident's suspected cause, the release: " + a);
        }
        released = true;
        job.getJobExecutionResult().get(150, TimeUnit.SECONDS);

        // 2. The group's alerts all resolve (Alertmanager drops each from the group once it sent it resolved), and
        //    then the group itself: a resolved notification. Every alert that fired in the group ended in it.
        JsonNode resolved = await(
                "a resolved notification for the checkout incident", () -> find(received, "resolved", "checkout"));
        assertEquals(incident, resolved.path("groupLabels").path("incident").asText());
        Set<String> fired = new TreeSet<>();
        Set<String> ended = new TreeSet<>();
        for (JsonNode n : notifications(received)) {
            if (!incident.equals(n.path("groupLabels").path("incident").asText())) continue;
            for (JsonNode a : n.path("alerts")) {
                String fingerprint = a.path("fingerprint").asText();
                (a.path("status").asText().equals("resolved") ? ended : fired).add(fingerprint);
            }
            for (JsonNode a : n.path("alerts")) {
                assertTrue(
                        Set.of("service-latency-p95", "slo-checkout-latency")
                                .contains(a.path("labels").path("alertname").asText()),
                        "the checkout incident's members only: " + a);
            }
        }
        // An alert that fired and resolved between two of the group's notifications (the demo runs hours of event time
        // in seconds; group_interval is 10 s) is only ever reported resolved, so count the group's members either way.
        Set<String> members = new TreeSet<>(fired);
        members.addAll(ended);
        assertEquals(2, members.size(), "the p95 alert and the SLO page are in the group: " + members);
        assertEquals(members, ended, "each alert of the group ended in it (a resolve has its firing alert's labels)");

        // 3. The label is the incident the job wrote: the same id, the same suspected cause.
        JsonNode checkout = null;
        for (String line : Files.readAllLines(incidentsFile)) {
            JsonNode i = JSON.readTree(line).path("incident");
            if (i.path("id").asText().equals(incident)) checkout = i;
        }
        assertNotNull(checkout, "incident " + incident + " is in the job's incidents");
        assertEquals("checkout", checkout.path("group").path("value").asText(), checkout.toString());

        // 4. Every group the receiver got is one incident: an alert in it names no other incident.
        for (JsonNode n : notifications(received)) {
            String group = n.path("groupLabels").path("incident").asText("");
            for (JsonNode a : n.path("alerts")) {
                assertEquals(group, a.path("labels").path("incident").asText(""), n.toString());
            }
        }
    }

    /** Passes records on, but holds those from {@link #HOLD_FROM} until the test releases them. */
    static final class HoldUntilReleased extends ProcessFunction<Ingested, Ingested> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(Ingested record, Context ctx, Collector<Ingested> out) throws Exception {
            Long ts = ctx.timestamp();
            while (ts != null && ts >= HOLD_FROM && !released) {
                Thread.sleep(50); // waits on the test's condition; the bounded awaits of the test end it
            }
            out.collect(record);
        }
    }

    private static JsonNode find(Path received, String status, String service) {
        for (JsonNode n : notifications(received)) {
            if (status.equals(n.path("status").asText())
                    && service.equals(n.path("groupLabels").path("service").asText())
                    && n.path("groupLabels").has("incident")) {
                return n;
            }
        }
        return null;
    }

    private static List<JsonNode> notifications(Path received) {
        List<JsonNode> all = new ArrayList<>();
        try {
            if (!Files.exists(received)) return all;
            for (String line : Files.readAllLines(received)) {
                if (!line.isBlank()) all.add(JSON.readTree(line));
            }
        } catch (IOException e) {
            // a line being appended right now: read again on the next poll
        }
        return all;
    }

    private static Set<String> fieldNames(JsonNode o) {
        Set<String> names = new TreeSet<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Polls the condition for up to 90 s; fails with what was awaited. */
    private static <T> T await(String what, Supplier<T> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            T value = condition.get();
            if (value != null) return value;
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
