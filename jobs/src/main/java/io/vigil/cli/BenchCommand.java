package io.vigil.cli;

import io.vigil.bench.AnomalyBench;
import io.vigil.bench.NabBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vigil bench}: benchmarks with their own commands, each measured against a baseline in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark.",
        subcommands = {NabBench.class, AnomalyBench.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
