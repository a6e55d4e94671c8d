package io.vigil.bench;

import io.vigil.cluster.KafkaDetectionJob;
import io.vigil.cluster.VigilJobConfig;
import io.vigil.ingest.kafka.KafkaTelemetrySource;
import io.vigil.model.Ingested;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil bench e2e}: how much of the Kafka source's throughput the whole Vigil job keeps. On one broker and one
 * pre-loaded topic it runs, on one local cluster in this JVM (a MiniCluster that stays up for every round, so the runs
 * share the same machine state):
 * (a) a job with the same Kafka source and deserializer (decoding included) that discards what it reads, and
 * (b) the Vigil job with the given rules and its exactly-once Kafka sinks. Both read the topic from the beginning to
 * the end offsets found at start and then finish; records/s is records / the job's net runtime. Target: b/a ≥ 0.5 at
 * parallelism 2.
 */
@Command(
        name = "e2e",
        mixinStandardHelpOptions = true,
        description = "Records/s of the Vigil job vs the bare Kafka source on the same pre-loaded topic.")
public final class E2eBench implements Callable<Integer> {
    @Option(
            names = "--kafka",
            paramLabel = "HOST:PORT",
            defaultValue = "127.0.0.1:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}; `bin/vigil stack up` starts one)")
    String kafka;

    @Option(
            names = "--records",
            defaultValue = "1000000",
            description = "records in the topic (default: ${DEFAULT-VALUE})")
    long records;

    @Option(
            names = "--state-backend",
            defaultValue = "rocksdb",
            description = "heap or rocksdb, as the cluster runs (default: ${DEFAULT-VALUE})")
    BenchStateBackend stateBackend;

    @Option(names = "--parallelism", defaultValue = "2", description = "job parallelism (default: ${DEFAULT-VALUE})")
    int parallelism;

    // The default name carries the mix's version (BenchTelemetry): a topic filled by an older mix is reused as long as
    // it holds enough records, so a change to the mix takes a new name (v2: span ids padded, no dead letters; v3:
    // services spread evenly over the partitions).
    @Option(
            names = "--topic",
            defaultValue = "vigil-bench-telemetry-v3",
            description = "the pre-loaded topic; filled with generated telemetry when it holds fewer records "
                    + "(default: ${DEFAULT-VALUE})")
    String topic;

    @Option(names = "--rules-dir", defaultValue = "rules", description = "rules of run (b) (default: ${DEFAULT-VALUE})")
    Path rulesDir;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "10s",
            description = "checkpoint interval of run (b) (default: ${DEFAULT-VALUE})")
    String checkpointInterval;

    @Option(
            names = "--rounds",
            defaultValue = "2",
            description = "rounds of (a) then (b); the best of each counts, so the first round warms the JVM up "
                    + "(default: ${DEFAULT-VALUE})")
    int rounds;

    @Override
    public Integer call() throws Exception {
        long loaded = ensureLoaded();
        System.out.printf(
                "topic %s: %,d records in %d partitions, parallelism %d, %s, %s state%s%n",
                topic,
                loaded,
                parallelism,
                parallelism,
                BenchJobs.networkBuffers(),
                stateBackend,
                stateBackend == BenchStateBackend.rocksdb ? ", " + BenchJobs.rocksDbTimers() : "");
        double bestA = 0;
        double bestB = 0;
        double bestCpuA = 0;
        double bestCpuB = 0;
        for (int round = 1; round <= rounds; round++) {
            VigilJobConfig config = config(Long.toString(System.currentTimeMillis(), 36));

            StreamExecutionEnvironment a = environment();
            a.setParallelism(parallelism);
            KafkaTelemetrySource source = KafkaDetectionJob.source(config).bounded();
            a.fromSource(source.kafkaSource(), WatermarkStrategy.<Ingested>noWatermarks(), "kafka-telemetry")
                    .sinkTo(new DiscardingSink<>());
            BenchJobs.Run ra = BenchJobs.execute(a, "bench-e2e-source-only");
            bestA = Math.max(bestA, ra.perSecond(loaded));
            bestCpuA = Math.max(bestCpuA, ra.perCpuSecond(loaded));
            System.out.printf(
                    "round %d (a) Kafka source + decoding, discarded: %,.0f records/s (%,d ms), %,.0f per CPU-second%n",
                    round, ra.perSecond(loaded), ra.millis(), ra.perCpuSecond(loaded));
            System.out.printf("    CPU per record, microseconds: %s%n", ra.cpuPerRecord(loaded));

            StreamExecutionEnvironment b = environment();
            KafkaDetectionJob.build(b, config, true);
            BenchJobs.Run rb = BenchJobs.execute(b, "bench-e2e-vigil");
            bestB = Math.max(bestB, rb.perSecond(loaded));
            bestCpuB = Math.max(bestCpuB, rb.perCpuSecond(loaded));
            System.out.printf(
                    "round %d (b) Vigil job, rules in %s, exactly-once Kafka sinks: %,.0f records/s (%,d ms), %,.0f per "
                            + "CPU-second%n",
                    round, rulesDir, rb.perSecond(loaded), rb.millis(), rb.perCpuSecond(loaded));
            System.out.printf("    CPU per record, microseconds: %s%n", rb.cpuPerRecord(loaded));
        }
        System.out.printf(
                "best: (a) %,.0f records/s, (b) %,.0f records/s, ratio b/a = %.2f "
                        + "(target >= 0.5 at parallelism 2)%n",
                bestA, bestB, bestB / bestA);
        System.out.printf(
                "per CPU-second (steadier on a shared machine): (a) %,.0f, (b) %,.0f, ratio b/a = %.2f%n",
                bestCpuA, bestCpuB, bestCpuB / bestCpuA);
        return 0;
    }

    private VigilJobConfig config(String run) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap-servers", kafka);
        s.put("topics", topic + "=json");
        s.put("rules-dir", rulesDir.toString());
        s.put("job-name", "vigil-bench-" + run);
        s.put("alerts-topic", "vigil-bench-alerts");
        s.put("dead-letters-topic", "vigil-bench-dead-letters");
        s.put("start-offsets", "earliest");
        s.put("parallelism", Integer.toString(parallelism));
        s.put("checkpoint-interval", checkpointInterval);
        return VigilJobConfig.parse(s);
    }

    private StreamExecutionEnvironment environment() {
        // The job's settings; BenchJobs.execute's cluster has the slots.
        Configuration c = BenchJobs.stateBackendSettings(stateBackend);
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, c);
    }

    /** Records in the topic; fills it with generated telemetry first if it holds fewer than --records. */
    private long ensureLoaded() throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            Long have = count(admin);
            if (have != null && have >= records) return have;
            if (have != null) admin.deleteTopics(List.of(topic)).all().get();
            createTopic(admin);
            System.out.printf("loading %,d records of generated telemetry into %s...%n", records, topic);
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
            p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                BenchTelemetry.write(
                        records,
                        parallelism,
                        (partition, value) -> producer.send(new ProducerRecord<>(topic, partition, null, value)));
            }
            Long loaded = count(admin);
            return loaded == null ? 0 : loaded;
        }
    }

    private void createTopic(Admin admin) throws InterruptedException, ExecutionException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, parallelism, (short) 1)))
                        .all()
                        .get();
                return;
            } catch (ExecutionException e) {
                // A just-deleted topic is still being removed for a moment.
                if (System.currentTimeMillis() > deadline) throw e;
                Thread.sleep(500);
            }
        }
    }

    /** Records in the topic; null if it does not exist, 0 if its partitions do not match the parallelism. */
    private Long count(Admin admin) throws InterruptedException, ExecutionException {
        try {
            var parts = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var p : parts) {
                earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
                latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            }
            var lo = admin.listOffsets(earliest).all().get();
            var hi = admin.listOffsets(latest).all().get();
            long n = 0;
            for (var tp : hi.keySet()) n += hi.get(tp).offset() - lo.get(tp).offset();
            return parts.size() == parallelism ? n : 0;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) return null;
            throw e;
        }
    }
}
