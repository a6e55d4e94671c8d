package io.vigil.bench.nab;

import java.util.List;

/**
 * A NAB application profile: the weights of a true positive, a false positive and a false negative (NAB's
 * config/profiles.json; the true-negative weight is unused by the scorer).
 */
public record NabProfile(String name, double tpWeight, double fpWeight, double fnWeight) {
    public static final NabProfile STANDARD = new NabProfile("standard", 1.0, 0.11, 1.0);
    public static final NabProfile REWARD_LOW_FP_RATE = new NabProfile("reward_low_FP_rate", 1.0, 0.22, 1.0);
    public static final NabProfile REWARD_LOW_FN_RATE = new NabProfile("reward_low_FN_rate", 1.0, 0.11, 2.0);

    public static List<NabProfile> all() {
        return List.of(STANDARD, REWARD_LOW_FP_RATE, REWARD_LOW_FN_RATE);
    }
}
