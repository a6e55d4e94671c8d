package io.vigil.detect.anomaly;

import java.io.Serializable;

/**
 * The per-series baseline of the {@code anomaly} rule kind: it takes one series' (timestamp, value) points in event
 * time order and scores each against what the series did before it. It is stateless itself; everything it learns lives
 * in an {@link AnomalyState} the caller keeps (in Flink, keyed state), so one scorer serves every series of a rule.
 *
 * <p>Models, each turned into a tail probability {@code p} (surprise {@code S = -log10 p}):
 * <ul>
 *   <li>spatial novelty: a value outside the range seen so far plus a margin is at least as surprising as the alerting
 *       level, more the further out it lies (as in Numenta's detector, where such a value scores 1);</li>
 *   <li>likelihood of the baseline outlier flag: |z| against the exponentially weighted mean and variance above
 *       {@code flagZ} raises a flag; {@link AnomalyLikelihood} turns a burst of flags into a tail probability;</li>
 *   <li>the same over a time-of-day profile (a daily rhythm is expected, a break in it is not), over median/MAD
 *       (optional) and a level-shift test (optional).</li>
 * </ul>
 * The score is that of the strongest model. Post-processing reports first crossings only: a red point (surprise at
 * least {@code redSurprise}) that follows another red point within {@code firstCrossingPoints} points is demoted below
 * red, because one incident should raise one alert, not one per point.
 *
 * <p>Assumes points of one series arrive in event-time order (the operator sorts by watermark); non-finite values are
 * skipped without touching the state.
 */
public final class AnomalyScorer implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Cap on surprise so that p = 0 (a z of 40) stays finite and scores stay below 1. */
    private static final double MAX_SURPRISE = 300;

    private final AnomalyConfig config;
    private final double baselineAlpha;
    private final double likelihoodAlpha;
    private final double levelShiftAlpha;

    public AnomalyScorer(AnomalyConfig config) {
        this.config = config.validate();
        this.baselineAlpha = AnomalyConfig.alpha(config.baselineSpan);
        this.likelihoodAlpha = AnomalyConfig.alpha(config.likelihoodSpan);
        this.levelShiftAlpha = config.levelShiftSpan > 0 ? AnomalyConfig.alpha(config.levelShiftSpan) : 0;
    }

    public AnomalyConfig config() {
        return config;
    }

    /** A fresh state with the models this configuration enables. */
    public AnomalyState newState() {
        AnomalyState s = new AnomalyState();
        if (config.seasonalSlots > 0) {
            s.seasonal = new SeasonalProfile(config.seasonalSlots);
            s.seasonalLikelihood = new AnomalyLikelihood();
        }
        if (config.robustWindow > 0) {
            s.robust = new RobustScale(config.robustWindow);
            s.robustLikelihood = new AnomalyLikelihood();
        }
        if (config.levelShiftSpan > 0) {
            s.levelShift = new LevelShift();
        }
        return s;
    }

    /** Maps a surprise {@code -log10 p} to the score in [0, 1): 0.5 at the alerting level. */
    public double scoreOf(double surprise) {
        double s = Math.min(Math.max(surprise, 0), MAX_SURPRISE);
        return s / (s + config.redSurprise);
    }

    private static double surprise(double p) {
        return p >= 1 ? 0 : Math.min(-Math.log10(Math.max(p, Double.MIN_NORMAL)), MAX_SURPRISE);
    }

    /** Scores one point and folds it into {@code s}. Returns null for a non-finite value (state untouched). */
    public AnomalyScore score(AnomalyState s, long timestamp, double value) {
        if (!Double.isFinite(value)) {
            return null;
        }
        s.count++;
        s.lastTimestamp = timestamp;
        double range = s.spatial.range();
        double sdFloor = Math.max(config.sdFloorFraction * range, 1e-12);

        // Expected value and band: the time-of-day profile once its slot is trusted, else the baseline.
        boolean seasonalReady = s.seasonal != null && s.seasonal.seen(timestamp) >= config.seasonalMinSeen;
        double expected;
        double sd;
        if (seasonalReady) {
            expected = s.seasonal.expected(timestamp);
            sd = Math.max(s.seasonal.sd(timestamp), sdFloor);
        } else {
            expected = s.baseline.n > 0 ? s.baseline.mean : value;
            sd = Math.max(s.baseline.sd(), sdFloor);
        }

        // Evidence of each model, computed against the state before this point.
        double best = 0;
        String model = AnomalyScore.NONE;
        if (config.spatial && s.spatial.isNovel(value, config.spatialMargin)) {
            double sp = config.redSurprise * (1 + s.spatial.excess(value, config.spatialMargin));
            if (sp > best) {
                best = sp;
                model = AnomalyScore.SPATIAL;
            }
        }
        boolean flag = s.baseline.n > 1 && Math.abs(s.baseline.z(value, sdFloor)) > config.flagZ;
        boolean sflag = seasonalReady && Math.abs(s.seasonal.z(timestamp, value, sdFloor)) > config.flagZ;
        if (s.seasonal != null) {
            s.seasonal.update(timestamp, value, config.seasonalAlpha);
        }
        if (config.flagCombination == 1 && seasonalReady) {
            flag = flag && sflag;
        } else if (config.flagCombination == 2) {
            flag = flag || sflag;
        }
        double pl = s.likelihood.update(flag, config.shortWindow, likelihoodAlpha);
        if (config.baselineLikelihood && surprise(pl) > best) {
            best = surprise(pl);
            model = AnomalyScore.LIKELIHOOD;
        }
        if (s.seasonal != null && config.flagCombination == 0) {
            double ps = s.seasonalLikelihood.update(sflag, config.shortWindow, likelihoodAlpha);
            if (surprise(ps) > best) {
                best = surprise(ps);
                model = AnomalyScore.SEASONAL;
            }
        }
        if (s.robust != null) {
            double[] ls = s.robust.locationScale();
            boolean rflag = s.robust.size > 1 && Math.abs(value - ls[0]) / Math.max(ls[1], sdFloor) > config.flagZ;
            double pr = s.robustLikelihood.update(rflag, config.shortWindow, likelihoodAlpha);
            if (surprise(pr) > best) {
                best = surprise(pr);
                model = AnomalyScore.ROBUST;
            }
            s.robust.update(value);
        }
        if (s.levelShift != null) {
            s.levelShift.update(value, levelShiftAlpha);
            double pls = s.levelShift.tailProbability(s.baseline, levelShiftAlpha, sdFloor);
            if (surprise(pls) > best) {
                best = surprise(pls);
                model = AnomalyScore.LEVEL_SHIFT;
            }
        }
        s.baseline.update(value, baselineAlpha);
        s.spatial.update(value);

        double lower = expected - config.bandSigmas * sd;
        double upper = expected + config.bandSigmas * sd;
        if (s.count <= config.warmup) {
            return new AnomalyScore(timestamp, value, 0, 1, expected, lower, upper, AnomalyScore.WARMUP, false);
        }
        double p = Math.pow(10, -best);
        boolean red = best >= config.redSurprise;
        boolean alert = false;
        double reported = best;
        if (red) {
            boolean recent = s.lastRed >= 0 && s.count - s.lastRed <= config.firstCrossingPoints;
            s.lastRed = s.count;
            if (recent) {
                // Below red but still ordered by evidence, so scores stay continuous (no ties at one value).
                reported = config.redSurprise * 0.6 * best / (best + config.redSurprise);
            } else {
                alert = true;
            }
        }
        return new AnomalyScore(timestamp, value, scoreOf(reported), p, expected, lower, upper, model, alert);
    }
}
