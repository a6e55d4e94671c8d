package io.vigil.cli;

import io.vigil.bench.AnomalyBench;
import io.vigil.bench.CelBench;
import io.vigil.bench.E2eBench;
import io.vigil.bench.IngestBench;
import io.vigil.bench.NabBench;
import io.vigil.bench.PrivacyBench;
import io.vigil.bench.RulesBench;
import io.vigil.bench.SequenceBench;
import io.vigil.bench.SinkBench;
import io.vigil.bench.StateBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vigil bench ...}: benchmarks that report a ratio against a baseline measured in the same run. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Run a benchmark (figures vs a baseline measured in the same run).",
        subcommands = {
            IngestBench.class,
            NabBench.class,
            AnomalyBench.class,
            E2eBench.class,
            RulesBench.class,
            CelBench.class,
            SinkBench.class,
            SequenceBench.class,
            StateBench.class,
            PrivacyBench.class
        })
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
