package io.vigil.bench;

import io.vigil.detect.anomaly.AnomalyConfig;
import io.vigil.detect.anomaly.nab.NabSeries;

import java.nio.file.Path;
import java.util.List;

/** Runs NAB series through the real detection job in a MiniCluster (bounded, event time). */
final class NabJobRunner {
    private NabJobRunner() {}

    static long run(AnomalyConfig config, List<NabSeries> corpus, Path out) {
        throw new UnsupportedOperationException("the job path needs the Detector interface and io.vigil.job.DetectionJob,"
                + " which are not on this branch yet; run with --direct (plain-Java scorer, no Flink)");
    }
}
