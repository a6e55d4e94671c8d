package io.vigil.bench.nab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Numenta Anomaly Benchmark's scoring rules, re-implemented from NAB's published scorer (nab/sweeper.py, the
 * optimizer and the runner's normalisation) so the project can score itself without Python:
 *
 * <ul>
 *   <li>A row is a detection when its anomaly score is at least the threshold. The first
 *       {@code min(floor(0.15 * rows), 750)} rows of each file are probationary and never count.</li>
 *   <li>Inside a window, a detection at row {@code i} is worth
 *       {@code tpWeight * sigma(-(right - i + 1) / width) / sigma(-1)} with {@code sigma(x) = 2 / (1 + e^(5x)) - 1}
 *       (the scaled sigmoid, -1 from a relative position of 3 on): the earliest row of a window gives exactly
 *       {@code tpWeight}. Only the best detection of a window counts; a window without one costs {@code fnWeight}.</li>
 *   <li>Outside windows each detection costs {@code fpWeight * sigma(|i - prevRight| / (prevWidth - 1))} relative to the
 *       preceding window (a detection just after a window costs little, one far after costs {@code fpWeight}), and
 *       {@code fpWeight} when no window precedes it.</li>
 *   <li>The threshold is swept over every distinct score of the whole corpus and the best total kept, per profile.</li>
 *   <li>Normalised score: {@code 100 * (raw - null) / (perfect - null)}, where null is the swept score of NAB's null
 *       detector (a constant 0.5 everywhere) and perfect is {@code tpWeight} times the number of windows.</li>
 * </ul>
 */
public final class NabScorer {
    public static final double PROBATION_PERCENT = 0.15;
    /** Row marker: probationary (not scored). */
    static final int PROBATION = -2;
    /** Row marker: outside every window. */
    static final int OUTSIDE = -1;

    private NabScorer() {}

    /** NAB's scaled sigmoid of a relative position: about 0.98661 at -1, 0 at 0, -0.98661 at 1, -1 from 3 on. */
    public static double scaledSigmoid(double relativePosition) {
        if (relativePosition >= 3.0) {
            return -1.0;
        }
        return 2.0 / (1.0 + Math.exp(5.0 * relativePosition)) - 1.0;
    }

    /** Rows of a file that are probationary: 15% of them, at most 750 (15% of 5000). */
    public static int probationaryLength(int rows) {
        return (int) Math.min(Math.floor(PROBATION_PERCENT * rows), PROBATION_PERCENT * 5000);
    }

    /** Score and counts of the corpus when rows scoring at least {@code threshold} are detections. */
    public record ThresholdScore(double threshold, double score, int tp, int fp, int fn, int tn, int detectedWindows) {}

    /** One file's contribution at the chosen threshold. */
    public record FileScore(String name, double score, int detectedWindows, int windows, int falsePositives) {}

    /** A profile's verdict on a corpus. */
    public record ProfileResult(
            NabProfile profile,
            double threshold,
            double raw,
            double nullScore,
            double perfect,
            double normalized,
            int detectedWindows,
            int windows,
            int falsePositives,
            List<FileScore> files) {}

    /** Per row: the index of the window it lies in, {@link #OUTSIDE} or {@link #PROBATION}. */
    static int[] windowOfRow(NabSeries s) {
        int n = s.size();
        int[] w = new int[n];
        Arrays.fill(w, OUTSIDE);
        for (int k = 0; k < s.windows().size(); k++) {
            int[] win = s.windows().get(k);
            for (int i = win[0]; i <= win[1]; i++) {
                w[i] = k;
            }
        }
        int probation = probationaryLength(n);
        for (int i = 0; i < Math.min(probation, n); i++) {
            w[i] = PROBATION;
        }
        return w;
    }

    /** NAB's per-row weighted score S(t): what a detection at that row would add (in window) or cost (outside). */
    public static double[] sweepScores(NabSeries s, NabProfile p) {
        int n = s.size();
        double[] out = new double[n];
        double maxTp = scaledSigmoid(-1.0);
        int next = 0;
        int curRight = -1;
        double curWidth = 0;
        int prevRight = -1;
        double prevWidth = 0;
        for (int i = 0; i < n; i++) {
            if (curRight < 0 && next < s.windows().size() && s.windows().get(next)[0] == i) {
                int[] win = s.windows().get(next++);
                curRight = win[1];
                curWidth = win[1] - win[0] + 1;
            }
            if (curRight >= 0) {
                double position = -(curRight - i + 1) / curWidth;
                out[i] = scaledSigmoid(position) * p.tpWeight() / maxTp;
            } else {
                double position;
                if (prevRight < 0) {
                    position = 3.0;
                } else if (prevWidth > 1) {
                    position = Math.abs(prevRight - i) / (prevWidth - 1);
                } else {
                    // NAB divides by zero after a one-row window; treat the row as far from it.
                    position = 3.0;
                }
                out[i] = scaledSigmoid(position) * p.fpWeight();
            }
            if (curRight == i) {
                prevRight = curRight;
                prevWidth = curWidth;
                curRight = -1;
            }
        }
        return out;
    }

    /**
     * The corpus score at every distinct threshold, from above the highest score (nothing detected) down to the
     * lowest score (every row detected), as NAB's sweeper computes it.
     */
    public static List<ThresholdScore> scoreByThreshold(List<NabSeries> series, List<double[]> scores, NabProfile p) {
        if (series.size() != scores.size()) {
            throw new IllegalArgumentException(series.size() + " series but " + scores.size() + " score arrays");
        }
        int total = 0;
        for (int f = 0; f < series.size(); f++) {
            if (scores.get(f).length != series.get(f).size()) {
                throw new IllegalArgumentException(series.get(f).name() + ": "
                        + series.get(f).size() + " rows but " + scores.get(f).length + " scores");
            }
            total += series.get(f).size();
        }
        double[] anomaly = new double[total];
        double[] sweep = new double[total];
        int[] window = new int[total];
        int count = 0;
        int windowBase = 0;
        List<Boolean> scorableWindow = new ArrayList<>();
        for (int f = 0; f < series.size(); f++) {
            NabSeries s = series.get(f);
            int[] w = windowOfRow(s);
            double[] sw = sweepScores(s, p);
            double[] sc = scores.get(f);
            for (int k = 0; k < s.windows().size(); k++) {
                scorableWindow.add(false);
            }
            for (int i = 0; i < s.size(); i++) {
                if (w[i] == PROBATION) {
                    continue;
                }
                anomaly[count] = sc[i];
                sweep[count] = sw[i];
                window[count] = w[i] == OUTSIDE ? OUTSIDE : windowBase + w[i];
                if (w[i] != OUTSIDE) {
                    scorableWindow.set(windowBase + w[i], true);
                }
                count++;
            }
            windowBase += s.windows().size();
        }
        double[] best = new double[windowBase];
        double score = 0;
        int tn = 0;
        int fn = 0;
        for (int k = 0; k < windowBase; k++) {
            if (scorableWindow.get(k)) {
                best[k] = -p.fnWeight();
                score -= p.fnWeight();
            }
        }
        for (int i = 0; i < count; i++) {
            if (window[i] == OUTSIDE) {
                tn++;
            } else {
                fn++;
            }
        }
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(anomaly[b], anomaly[a]));
        List<ThresholdScore> out = new ArrayList<>();
        double threshold = 1.1;
        int tp = 0;
        int fp = 0;
        int detected = 0;
        boolean[] hit = new boolean[windowBase];
        for (int idx : order) {
            if (anomaly[idx] != threshold) {
                out.add(new ThresholdScore(threshold, score, tp, fp, fn, tn, detected));
                threshold = anomaly[idx];
            }
            int w = window[idx];
            if (w == OUTSIDE) {
                fp++;
                tn--;
                score += sweep[idx];
            } else {
                tp++;
                fn--;
                if (!hit[w]) {
                    hit[w] = true;
                    detected++;
                }
                if (sweep[idx] > best[w]) {
                    score += sweep[idx] - best[w];
                    best[w] = sweep[idx];
                }
            }
        }
        out.add(new ThresholdScore(threshold, score, tp, fp, fn, tn, detected));
        return out;
    }

    /** The best row of a sweep: highest score, the highest threshold among equals (as NAB's max() keeps the first). */
    public static ThresholdScore best(List<ThresholdScore> sweep) {
        ThresholdScore best = sweep.get(0);
        for (ThresholdScore t : sweep) {
            if (t.score() > best.score()) {
                best = t;
            }
        }
        return best;
    }

    /** One file's raw score when rows scoring at least {@code threshold} are detections. */
    public static FileScore scoreFile(NabSeries s, double[] scores, NabProfile p, double threshold) {
        int[] w = windowOfRow(s);
        double[] sw = sweepScores(s, p);
        double[] best = new double[s.windows().size()];
        boolean[] scorable = new boolean[best.length];
        boolean[] hit = new boolean[best.length];
        Arrays.fill(best, -p.fnWeight());
        double fpSum = 0;
        int fps = 0;
        for (int i = 0; i < s.size(); i++) {
            if (w[i] == PROBATION) {
                continue;
            }
            if (w[i] != OUTSIDE) {
                scorable[w[i]] = true;
            }
            if (scores[i] < threshold) {
                continue;
            }
            if (w[i] == OUTSIDE) {
                fpSum += sw[i];
                fps++;
            } else {
                hit[w[i]] = true;
                best[w[i]] = Math.max(best[w[i]], sw[i]);
            }
        }
        double score = fpSum;
        int detected = 0;
        for (int k = 0; k < best.length; k++) {
            if (scorable[k]) {
                score += best[k];
            }
            if (hit[k]) {
                detected++;
            }
        }
        return new FileScore(s.name(), score, detected, s.windows().size(), fps);
    }

    /** Sweeps the threshold over the corpus for one profile, normalises, and breaks the result down per file. */
    public static ProfileResult evaluate(List<NabSeries> series, List<double[]> scores, NabProfile p) {
        ThresholdScore chosen = best(scoreByThreshold(series, scores, p));
        List<double[]> nullScores = new ArrayList<>();
        int windows = 0;
        for (NabSeries s : series) {
            double[] half = new double[s.size()];
            Arrays.fill(half, 0.5);
            nullScores.add(half);
            windows += s.windows().size();
        }
        double nullScore = best(scoreByThreshold(series, nullScores, p)).score();
        double perfect = windows * p.tpWeight();
        List<FileScore> files = new ArrayList<>();
        for (int f = 0; f < series.size(); f++) {
            files.add(scoreFile(series.get(f), scores.get(f), p, chosen.threshold()));
        }
        double normalized = perfect == nullScore ? 0 : 100 * (chosen.score() - nullScore) / (perfect - nullScore);
        return new ProfileResult(
                p,
                chosen.threshold(),
                chosen.score(),
                nullScore,
                perfect,
                normalized,
                chosen.detectedWindows(),
                windows,
                chosen.fp(),
                files);
    }
}
