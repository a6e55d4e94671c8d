package io.vigil.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vigil} command line: run the demo, replay recorded telemetry, work with rules, benchmark. {@code bin/vigil}
 * runs this class; the stack commands live in {@code bin/vigil} itself because they manage processes.
 */
@Command(
        name = "vigil",
        mixinStandardHelpOptions = true,
        version = "vigil 0.1.0",
        description = "Streaming anomaly detection for software telemetry on Apache Flink.",
        // bin/vigil runs these itself (they start and stop processes); listed here so --help names every command.
        footer = {
            "",
            "Local stack commands (bin/vigil runs them itself, as shell: they start and stop processes):",
            "  stack    Run the local stack: up [--without opensearch,prometheus] | down | status | start | stop"
                    + " | kill | env",
            "  submit   Submit the detection job to the stack's Flink cluster (default arguments: every output the"
                    + " stack runs)",
            "  deploy   Stop the running job with a savepoint and resubmit it from that savepoint",
        },
        subcommands = {
            CommandLine.HelpCommand.class,
            DemoCommand.class,
            ReplayCommand.class,
            BenchCommand.class,
            AlertsCommand.class,
            GenerateCommand.class,
            RulesCommand.class,
            CatalogCommand.class,
            SilenceCommand.class,
            PrivacyCommand.class,
            SoakCommand.class,
        })
public final class VigilCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with Vigil's conventions: a wrong flag prints what is wrong and what would be right. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new VigilCli());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
