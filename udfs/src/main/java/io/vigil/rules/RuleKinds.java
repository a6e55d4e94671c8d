package io.vigil.rules;

import io.vigil.detect.cardinality.CardinalityKind;
import io.vigil.detect.frequency.FrequencyKind;
import io.vigil.detect.list.ListKind;
import io.vigil.detect.newterm.NewTermKind;
import io.vigil.detect.sequence.SequenceKind;
import io.vigil.detect.threshold.ThresholdKind;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The one place rule kinds are registered. A new kind is a package under io.vigil.detect plus one line here. */
public final class RuleKinds {
    private static final Map<String, RuleKind> KINDS = new LinkedHashMap<>();

    static {
        register(new ThresholdKind());
        register(new FrequencyKind());
        register(new io.vigil.detect.anomaly.AnomalyKind());
        register(new io.vigil.detect.slo.SloKind());
        register(new io.vigil.detect.spike.SpikeKind());
        register(new io.vigil.detect.flatline.FlatlineKind());
        register(new io.vigil.detect.change.ChangeKind());
        register(new io.vigil.detect.percentage.PercentageMatchKind());
        register(new SequenceKind());
        register(new NewTermKind());
        register(new CardinalityKind());
        register(new ListKind());
    }

    private RuleKinds() {}

    private static void register(RuleKind kind) {
        KINDS.put(kind.name(), kind);
    }

    /** The kind with this name, or null. */
    public static RuleKind get(String name) {
        return name == null ? null : KINDS.get(name);
    }

    public static Set<String> names() {
        return KINDS.keySet();
    }
}
