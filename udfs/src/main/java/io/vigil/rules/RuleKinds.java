package io.vigil.rules;

import io.vigil.detect.frequency.FrequencyKind;
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
