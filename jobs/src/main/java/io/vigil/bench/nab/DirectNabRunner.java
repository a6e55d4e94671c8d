package io.vigil.bench.nab;

import io.vigil.detect.anomaly.AnomalyScore;
import io.vigil.detect.anomaly.AnomalyScorer;
import io.vigil.detect.anomaly.AnomalyState;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs each NAB series straight through {@link AnomalyScorer} in plain Java: no Flink, one state per series, rows in
 * file order. It is the quick path for tuning; the benchmark's default path runs the same scorer inside the job.
 */
public final class DirectNabRunner {
    private DirectNabRunner() {}

    public static List<AnomalyScore> run(AnomalyScorer scorer, NabSeries s) {
        AnomalyState state = scorer.newState();
        List<AnomalyScore> out = new ArrayList<>(s.size());
        for (int i = 0; i < s.size(); i++) {
            out.add(scorer.score(state, s.epochMs()[i], s.values()[i]));
        }
        return out;
    }

    public static double[] scores(List<AnomalyScore> scored) {
        double[] d = new double[scored.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = scored.get(i) == null ? 0 : scored.get(i).score;
        }
        return d;
    }
}
