package io.vigil.cluster;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Entry point of the job jar ({@code flink run vigil-jobs-…-job.jar --bootstrap-servers … --topic …}): parses and
 * validates the configuration (every wrong value reported at once, before anything starts), checks that the servers
 * accept its credentials and certificates ({@link StartupChecks}), builds the Kafka-to-Kafka
 * job and runs it on whatever environment it was started in (a cluster under {@code flink run}, a local one from an
 * IDE).
 */
public final class VigilJobMain {
    private static final Logger LOG = LoggerFactory.getLogger(VigilJobMain.class);

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
        LOG.info("Vigil job configuration (credentials hidden):\n{}", config.describe());
        StartupChecks.run(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        KafkaDetectionJob.build(env, config, false);
        env.execute(config.jobName);
    }
}
