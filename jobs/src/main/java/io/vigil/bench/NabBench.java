package io.vigil.bench;

import io.vigil.bench.nab.DirectNabRunner;
import io.vigil.bench.nab.NabCorpus;
import io.vigil.bench.nab.NabProfile;
import io.vigil.bench.nab.NabResults;
import io.vigil.bench.nab.NabScorer;
import io.vigil.bench.nab.NabSeries;
import io.vigil.detect.anomaly.AnomalyConfig;
import io.vigil.detect.anomaly.AnomalyScore;
import io.vigil.detect.anomaly.AnomalyScorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil bench nab}: runs every series of a NAB-layout folder through the detection job with one anomaly rule,
 * writes NAB result files and scores them with {@link NabScorer} on the three NAB profiles.
 */
@Command(
        name = "nab",
        mixinStandardHelpOptions = true,
        description = {
            "Score the anomaly detector on a Numenta Anomaly Benchmark folder.",
            "Writes <out>/<category>/<name>.csv (timestamp,value,anomaly_score,label,...) and <out>/nab_scores.csv,"
                    + " and prints the standard, reward_low_FP_rate and reward_low_FN_rate scores."
        })
public final class NabBench implements Callable<Integer> {
    @Option(
            names = "--data",
            description = "NAB data folder (<category>/<name>.csv). Default: ${DEFAULT-VALUE}",
            defaultValue = "${sys:vigil.home:-.}/notebooks/data/nab/data")
    Path data;

    @Option(
            names = "--windows",
            description = "NAB windows JSON. Default: ${DEFAULT-VALUE}",
            defaultValue = "${sys:vigil.home:-.}/notebooks/data/nab/windows.json")
    Path windows;

    @Option(
            names = "--out",
            description = "Result folder. Default: ${DEFAULT-VALUE}",
            defaultValue = "${sys:vigil.home:-.}/out/nab")
    Path out;

    @Option(
            names = "--direct",
            description = "Quick tuning path: feed each CSV straight through the scorer in plain Java, no Flink. "
                    + "Default: the detection job (DetectionJob, one anomaly rule keyed by series), bounded and in "
                    + "event time, in a local MiniCluster.")
    boolean direct;

    @Option(
            names = "--set",
            paramLabel = "OPTION=VALUE",
            description = "Override an anomaly option for this run (e.g. flag_z=3.5); repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            return run();
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            // A wrong flag, option or input file: say what is wrong and what would be right, without a stack trace.
            spec.commandLine().getErr().println("vigil bench nab: " + e.getMessage());
            return 2;
        }
    }

    private int run() throws Exception {
        if (!Files.isDirectory(data)) {
            throw new IllegalArgumentException("--data " + data + " is not a folder; expected a NAB data folder "
                    + "with <category>/<name>.csv files (e.g. ../shared/data/nab/data)");
        }
        if (!Files.isRegularFile(windows)) {
            throw new IllegalArgumentException("--windows " + windows + " is not a file; expected NAB's windows JSON");
        }
        AnomalyConfig config = new AnomalyConfig();
        overrides.forEach(config::set);
        AnomalyScorer scorer = new AnomalyScorer(config);
        List<NabSeries> corpus = NabCorpus.load(data, windows);
        String mode;
        long t0 = System.nanoTime();
        long points = 0;
        List<double[]> scores = new ArrayList<>();
        if (direct) {
            mode = "direct";
            for (NabSeries s : corpus) {
                List<AnomalyScore> scored = DirectNabRunner.run(scorer, s);
                NabResults.write(out, s, scored);
                scores.add(DirectNabRunner.scores(scored));
                points += s.size();
            }
        } else {
            mode = "detection job";
            points = NabJobRunner.run(overrides, corpus, out);
            for (NabSeries s : corpus) {
                scores.add(NabResults.readScores(out, s));
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        List<NabScorer.ProfileResult> results = new ArrayList<>();
        for (NabProfile p : NabProfile.all()) {
            results.add(NabScorer.evaluate(corpus, scores, p));
        }
        NabResults.writeSummary(out, mode, results);
        System.out.printf(
                Locale.ROOT,
                "NAB: %d series, %d points scored in %.1f s (%s path), results in %s%n",
                corpus.size(),
                points,
                secs,
                mode,
                out);
        System.out.printf(
                Locale.ROOT,
                "%-20s %7s %10s %9s %9s %8s%n",
                "profile",
                "score",
                "threshold",
                "windows",
                "FP rows",
                "raw");
        for (NabScorer.ProfileResult r : results) {
            System.out.printf(
                    Locale.ROOT,
                    "%-20s %7.2f %10.5f %5d/%-3d %9d %8.2f%n",
                    r.profile().name(),
                    r.normalized(),
                    r.threshold(),
                    r.detectedWindows(),
                    r.windows(),
                    r.falsePositives(),
                    r.raw());
        }
        System.out.println("config: " + config);
        return 0;
    }
}
