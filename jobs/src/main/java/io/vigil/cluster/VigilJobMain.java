package io.vigil.cluster;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;

/**
 * Entry point of the job jar ({@code flink run vigil-jobs-…-job.jar --bootstrap-servers … --topic …}): parses and
 * validates the configuration (every wrong value reported at once, before anything starts), builds the Kafka-to-Kafka
 * job and runs it on whatever environment it was started in (a cluster under {@code flink run}, a local one from an
 * IDE).
 */
public final class VigilJobMain {
    private VigilJobMain() {}

    public static void main(String[] args) throws Exception {
        VigilJobConfig config;
        try {
            config = JobArguments.parse(args);
        } catch (CommandLine.ParameterException e) {
            System.err.println(e.getMessage());
            e.getCommandLine().usage(System.err);
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (VigilJobConfig.InvalidConfigException e) {
            System.err.println(e.getMessage());
            throw e;
        }
        if (config == null) return; // --help
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        KafkaDetectionJob.build(env, config, false);
        env.execute(config.jobName);
    }
}
