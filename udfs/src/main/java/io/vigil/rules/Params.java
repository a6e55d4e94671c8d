package io.vigil.rules;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed, checked access to a rule's kind parameters. Every wrong value becomes a {@link RuleProblem} at the parameter's
 * line (when the rule came from a file) instead of an exception, so a validator reports all problems at once.
 */
public final class Params {
    private final RuleSpec spec;
    private final Map<String, Object> values;
    private final List<RuleProblem> problems = new ArrayList<>();

    public Params(RuleSpec spec) {
        this.spec = spec;
        this.values = spec.params == null ? Map.of() : spec.params;
    }

    public RuleSpec spec() {
        return spec;
    }

    public List<RuleProblem> problems() {
        return problems;
    }

    public boolean has(String name) {
        return values.containsKey(name) && values.get(name) != null;
    }

    /** Reports a problem at a rule field path such as {@code params.window} or {@code key_by}. */
    public void problem(String path, String message, String hint) {
        problems.add(RuleLocations.problem(spec, path, message, hint));
    }

    public String string(String name, String dflt) {
        Object v = values.get(name);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Map || v instanceof List) {
            problem("params." + name, name + " must be a text value", null);
            return dflt;
        }
        return v.toString();
    }

    public String requireString(String name) {
        Object raw = values.get(name);
        String s = string(name, null);
        if (!values.containsKey(name)) {
            problem("params", "missing parameter '" + name + "'", null);
        } else if (raw == null || raw.toString().isBlank()) {
            // "field:" with no value: YAML reads null, which must not pass as a given parameter.
            problem("params." + name, "parameter '" + name + "' is empty", null);
            return null;
        }
        return s;
    }

    public double number(String name, double dflt) {
        Object v = values.get(name);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        try {
            return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            problem("params." + name, name + " must be a number, not '" + v + "'", null);
            return dflt;
        }
    }

    public double requireNumber(String name) {
        if (!has(name)) {
            problem("params", "missing parameter '" + name + "'", null);
            return Double.NaN;
        }
        return number(name, Double.NaN);
    }

    public long integer(String name, long dflt, long min) {
        Object v = values.get(name);
        if (v == null) {
            return dflt;
        }
        long n;
        if (v instanceof Integer || v instanceof Long) {
            n = ((Number) v).longValue();
        } else {
            try {
                n = Long.parseLong(v.toString());
            } catch (NumberFormatException e) {
                problem("params." + name, name + " must be a whole number, not '" + v + "'", null);
                return dflt;
            }
        }
        if (n < min) {
            problem("params." + name, name + " must be at least " + min + ", not " + n, null);
            return dflt;
        }
        return n;
    }

    public Duration duration(String name, Duration dflt) {
        Object v = values.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            Duration d = Durations.parse(v.toString());
            if (d.isZero()) {
                problem("params." + name, name + " must be longer than 0", null);
                return dflt;
            }
            return d;
        } catch (IllegalArgumentException e) {
            problem("params." + name, e.getMessage(), null);
            return dflt;
        }
    }

    public Duration requireDuration(String name) {
        if (!has(name)) {
            problem("params", "missing parameter '" + name + "'", "a duration such as 5m");
            return Duration.ofMinutes(1);
        }
        return duration(name, Duration.ofMinutes(1));
    }

    public String oneOf(String name, String dflt, String... allowed) {
        String s = string(name, dflt);
        if (s != null && !Arrays.asList(allowed).contains(s)) {
            problem(
                    "params." + name,
                    name + " must be one of " + String.join(", ", allowed) + ", not '" + s + "'",
                    RuleLocations.didYouMean(s, Arrays.asList(allowed)));
            return dflt;
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    public List<String> strings(String name) {
        Object v = values.get(name);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List) {
            List<String> out = new ArrayList<>();
            for (Object o : (List<Object>) v) {
                out.add(String.valueOf(o));
            }
            return out;
        }
        return List.of(v.toString());
    }

    /** Reports parameters the kind does not know, with a "did you mean" hint. */
    public void rejectUnknown(Set<String> known) {
        for (String k : values.keySet()) {
            if (!known.contains(k)) {
                problem(
                        "params." + k,
                        "unknown parameter '" + k + "' for kind " + spec.kind,
                        RuleLocations.didYouMean(k, known));
            }
        }
    }
}
