package io.vigil.cli;

import io.vigil.bench.E2eBench;

import picocli.CommandLine.Command;

/** {@code vigil bench …}: benchmarks, each reporting a ratio against a baseline measured in the same run. */
@Command(name = "bench", description = "Benchmarks (each measures its own baseline in the same run).",
        subcommands = {E2eBench.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
