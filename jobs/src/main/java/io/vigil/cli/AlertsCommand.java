package io.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code vigil alerts tail}: follows the alert topic as an alert consumer should (read_committed). */
@Command(name = "alerts", description = "Work with the alerts a Vigil job wrote to Kafka.",
        subcommands = {AlertsCommand.Tail.class})
public final class AlertsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Prints each committed alert on one line. */
    @Command(name = "tail", mixinStandardHelpOptions = true,
            description = "Follow the alert topic (isolation.level=read_committed: only alerts of completed "
                    + "checkpoints) and print one line per alert.")
    public static final class Tail implements Callable<Integer> {
        @Option(names = "--kafka", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9092",
                description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
        String kafka;

        @Option(names = "--topic", defaultValue = "vigil-alerts", description = "alert topic (default: ${DEFAULT-VALUE})")
        String topic;

        @Option(names = "--from-beginning", description = "print the alerts already in the topic first")
        boolean fromBeginning;

        @Option(names = "--max", paramLabel = "N", defaultValue = "0",
                description = "stop after N alerts (0 = follow until interrupted)")
        long max;

        @Option(names = "--timeout", paramLabel = "DURATION", description = "stop after this long, e.g. PT30S")
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
                List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
                c.assign(parts);
                if (fromBeginning) c.seekToBeginning(parts); else c.seekToEnd(parts);
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
     * One readable line: event time, severity, status, rule, key, observed vs expected, message. Reads the fields by
     * name wherever the alert JSON puts them, so a record that is not an alert still prints as its raw text.
     */
    static String line(byte[] value) {
        JsonNode n;
        try {
            n = MAPPER.readTree(value);
        } catch (IOException e) {
            return "(not JSON) " + new String(value, StandardCharsets.UTF_8);
        }
        if (n == null || !n.isObject()) return new String(value, StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder();
        JsonNode t = find(n, "eventTime", "event_time", "@timestamp", "timestamp");
        if (t != null) b.append(t.isNumber() ? Instant.ofEpochMilli(t.asLong()).toString() : t.asText()).append(' ');
        b.append(String.format("%-8s %-8s ", text(find(n, "severity")).toUpperCase(java.util.Locale.ROOT),
                text(find(n, "status"))));
        b.append(text(find(n, "ruleId", "rule_id"))).append(' ');
        b.append(text(find(n, "key"))).append(' ');
        JsonNode obs = find(n, "observed");
        JsonNode exp = find(n, "expected");
        if (obs != null) {
            b.append("observed=").append(obs.asText());
            JsonNode cmp = find(n, "comparison");
            if (exp != null) b.append(' ').append(cmp == null ? "vs" : cmp.asText()).append(' ').append(exp.asText());
            b.append(' ');
        }
        JsonNode msg = find(n, "message");
        if (msg != null) b.append("\"").append(msg.asText()).append("\" ");
        b.append("id=").append(text(find(n, "id", "alert_id")));
        return b.toString().replaceAll("\\s+", " ").trim();
    }

    private static String text(JsonNode n) {
        return n == null ? "-" : n.asText();
    }

    /** The first of the names found at the top level or one object level down (e.g. rule.id, event.severity). */
    private static JsonNode find(JsonNode n, String... names) {
        for (String name : names) {
            JsonNode v = n.get(name);
            if (v != null && !v.isNull() && !v.isContainerNode()) return v;
        }
        for (String name : names) {
            String[] parts = name.split("[._]|(?=[A-Z])", 2);
            if (parts.length == 2) {
                JsonNode parent = n.get(parts[0]);
                if (parent != null && parent.isObject()) {
                    JsonNode v = parent.get(parts[1].toLowerCase(java.util.Locale.ROOT));
                    if (v != null && !v.isNull() && !v.isContainerNode()) return v;
                }
            }
        }
        return null;
    }
}
