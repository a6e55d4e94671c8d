package io.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vigil alerts tail}: follows the alert topic as an alert consumer should (read_committed). */
@Command(
        name = "alerts",
        description = "Work with the alerts a Vigil job wrote to Kafka.",
        subcommands = {AlertsCommand.Tail.class})
public final class AlertsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Prints each committed alert on one line. */
    @Command(
            name = "tail",
            mixinStandardHelpOptions = true,
            description = "Follow the alert topic (isolation.level=read_committed: only alerts of completed "
                    + "checkpoints) and print one line per alert.")
    public static final class Tail implements Callable<Integer> {
        @Option(
                names = "--kafka",
                paramLabel = "HOST:PORT",
                defaultValue = "127.0.0.1:9092",
                description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
        String kafka;

        @Option(
                names = "--topic",
                defaultValue = "vigil-alerts",
                description = "alert topic (default: ${DEFAULT-VALUE})")
        String topic;

        @Option(names = "--from-beginning", description = "print the alerts already in the topic first")
        boolean fromBeginning;

        @Option(
                names = "--max",
                paramLabel = "N",
                defaultValue = "0",
                description = "stop after N alerts (0 = follow until interrupted)")
        long max;

        @Option(
                names = "--timeout",
                paramLabel = "DURATION",
                converter = Flags.DurationConverter.class,
                description = "stop after this long, e.g. 30s or 5m")
        Duration timeout;

        @Option(names = "--json", description = "print each alert's JSON instead of the readable line")
        boolean json;

        @Override
        public Integer call() {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            long deadline = timeout == null ? Long.MAX_VALUE : System.currentTimeMillis() + timeout.toMillis();
            long printed = 0;
            try (KafkaConsumer<byte[], byte[]> c =
                    new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                var infos = c.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos == null || infos.isEmpty()) {
                    System.err.println("topic " + topic + " does not exist on " + kafka
                            + " (yet): is a Vigil job writing alerts there?");
                    return 1;
                }
                List<TopicPartition> parts = infos.stream()
                        .map(i -> new TopicPartition(topic, i.partition()))
                        .toList();
                c.assign(parts);
                if (fromBeginning) c.seekToBeginning(parts);
                else c.seekToEnd(parts);
                System.err.println("following " + topic + " on " + kafka + " (read_committed)...");
                while (System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                        System.out.println(json ? new String(r.value(), StandardCharsets.UTF_8) : line(r.value()));
                        if (max > 0 && ++printed >= max) return 0;
                    }
                    System.out.flush();
                }
            }
            return 0;
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * One readable line from the alert JSON (schema {@code vigil.schema_version} 1, see io.vigil.alert.AlertJson):
     * event time, severity, status, rule, key, observed against expected, message, alert id. A record that is not
     * JSON prints as its text, so nothing in the topic is hidden.
     */
    static String line(byte[] value) {
        JsonNode n;
        try {
            n = MAPPER.readTree(value);
        } catch (IOException e) {
            return "(not JSON) " + new String(value, StandardCharsets.UTF_8);
        }
        if (n == null || !n.isObject()) return new String(value, StandardCharsets.UTF_8);
        JsonNode v = n.path("vigil");
        StringBuilder b = new StringBuilder();
        b.append(n.path("@timestamp").asText("-")).append(' ');
        b.append(String.format(
                java.util.Locale.ROOT, "%-8s ", v.path("severity").asText("-").toUpperCase(java.util.Locale.ROOT)));
        b.append(String.format(java.util.Locale.ROOT, "%-8s ", v.path("status").asText("-")));
        b.append(n.path("rule").path("id").asText("-")).append(' ');
        b.append(keyText(v)).append(' ');
        if (v.hasNonNull("observed")) {
            b.append("observed=").append(v.get("observed").asText());
            if (v.hasNonNull("expected")) {
                b.append(' ')
                        .append(v.path("comparison").asText("vs"))
                        .append(' ')
                        .append(v.get("expected").asText());
            }
            b.append(' ');
        }
        if (v.path("suppressed").asLong() > 0)
            b.append("(+").append(v.get("suppressed").asLong()).append(" suppressed) ");
        if (n.hasNonNull("message"))
            b.append('"').append(n.get("message").asText()).append("\" ");
        b.append("id=").append(n.path("event").path("id").asText("-"));
        return b.toString();
    }

    /** The key as {@code field=value} pairs; the routing key's invisible separator never reaches the terminal. */
    static String keyText(JsonNode v) {
        JsonNode fields = v.path("key_fields");
        if (fields.isObject() && fields.size() > 0) {
            StringBuilder b = new StringBuilder();
            fields.properties()
                    .forEach(e -> b.append(b.length() == 0 ? "" : ",")
                            .append(e.getKey())
                            .append('=')
                            .append(e.getValue().asText()));
            return b.toString();
        }
        return v.path("key").asText("-").replace('\u001f', '|');
    }
}
