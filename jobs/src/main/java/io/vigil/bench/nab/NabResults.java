package io.vigil.bench.nab;

import io.vigil.detect.anomaly.AnomalyScore;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NAB result files: {@code <out>/<category>/<name>.csv} with NAB's columns {@code timestamp,value,anomaly_score,label}
 * followed by the detector's explanation ({@code expected,lower,upper,model,alert}), and the corpus summary
 * {@code <out>/nab_scores.csv} (one row per profile) with its per-file breakdown {@code <out>/nab_files.csv}, that the evaluation notebook reads.
 */
public final class NabResults {
    private NabResults() {}

    public static Path resultFile(Path out, NabSeries s) {
        return out.resolve(s.name());
    }

    /** Writes one series' result file; {@code scores} has one entry per row (null for a skipped row). */
    public static void write(Path out, NabSeries s, List<AnomalyScore> scores) {
        Path file = resultFile(out, s);
        int[] labels = s.labels();
        try {
            Files.createDirectories(file.getParent());
            try (BufferedWriter w = Files.newBufferedWriter(file)) {
                w.write("timestamp,value,anomaly_score,label,expected,lower,upper,model,alert\n");
                for (int i = 0; i < s.size(); i++) {
                    AnomalyScore a = scores.get(i);
                    w.write(s.timestamps().get(i));
                    w.write(',');
                    w.write(num(s.values()[i]));
                    w.write(',');
                    if (a == null) {
                        w.write("0," + labels[i] + ",,,,invalid,0\n");
                        continue;
                    }
                    w.write(num(a.score) + "," + labels[i] + "," + num(a.expected) + "," + num(a.lower) + ","
                            + num(a.upper) + "," + a.model + "," + (a.alert ? 1 : 0) + "\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write NAB result file " + file, e);
        }
    }

    /** Reads the anomaly_score column of a result file written for {@code s}; fails if rows do not match. */
    public static double[] readScores(Path out, NabSeries s) {
        Path file = resultFile(out, s);
        double[] scores = new double[s.size()];
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String header = r.readLine();
            if (header == null || !header.startsWith("timestamp,value,anomaly_score")) {
                throw new IllegalArgumentException(file + ":1: not a NAB result file (header " + header + ")");
            }
            String line;
            int i = 0;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                if (i >= scores.length) {
                    throw new IllegalArgumentException(file + ": more rows than the data file's " + s.size());
                }
                String[] f = line.split(",", 4);
                scores[i++] = Double.parseDouble(f[2]);
            }
            if (i != scores.length) {
                throw new IllegalArgumentException(file + ": " + i + " rows but the data file has " + s.size());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read NAB result file " + file, e);
        }
        return scores;
    }

    /** Writes {@code nab_scores.csv}: profile, normalised score, threshold, raw, null, perfect, windows, FPs. */
    public static void writeSummary(Path out, String mode, List<NabScorer.ProfileResult> results) {
        List<String> lines = new ArrayList<>();
        lines.add("profile,score,threshold,raw,null,perfect,detected_windows,windows,false_positive_rows,mode");
        for (NabScorer.ProfileResult r : results) {
            lines.add(String.join(
                    ",",
                    r.profile().name(),
                    String.format(Locale.ROOT, "%.2f", r.normalized()),
                    num(r.threshold()),
                    num(r.raw()),
                    num(r.nullScore()),
                    num(r.perfect()),
                    Integer.toString(r.detectedWindows()),
                    Integer.toString(r.windows()),
                    Integer.toString(r.falsePositives()),
                    mode));
        }
        List<String> files = new ArrayList<>();
        files.add("profile,file,score,detected_windows,windows,false_positive_rows");
        for (NabScorer.ProfileResult r : results) {
            for (NabScorer.FileScore f : r.files()) {
                files.add(String.join(
                        ",",
                        r.profile().name(),
                        f.name(),
                        String.format(Locale.ROOT, "%.4f", f.score()),
                        Integer.toString(f.detectedWindows()),
                        Integer.toString(f.windows()),
                        Integer.toString(f.falsePositives())));
            }
        }
        try {
            Files.createDirectories(out);
            Files.write(out.resolve("nab_scores.csv"), lines);
            Files.write(out.resolve("nab_files.csv"), files);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out.resolve("nab_scores.csv"), e);
        }
    }

    private static String num(double d) {
        return Double.toString(d);
    }
}
