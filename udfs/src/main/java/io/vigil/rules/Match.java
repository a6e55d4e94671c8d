package io.vigil.rules;

import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryField;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles a rule's {@code match} block: a mapping from field name to condition, all of which must hold.
 *
 * <pre>
 * match:
 *   signal: span                      # equality
 *   service.name: [checkout, cart]    # any of
 *   status: {ne: ok}                  # operators: eq ne gt gte lt lte in not_in regex exists
 *   duration_ms: {gt: 250}
 * </pre>
 *
 * Equality and set membership are plain Java (a few ns per record); only {@code where:} goes through CEL.
 */
public final class Match {
    private static final Set<String> OPERATORS =
            Set.of("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "regex", "exists");

    private Match() {}

    /** The signal the match block requires, or null if it matches any signal; used to index rules by signal. */
    public static Signal signal(RuleSpec spec) {
        Object s = spec.match == null ? null : spec.match.get("signal");
        return s instanceof String ? Signal.fromWire((String) s) : null;
    }

    /** Compiles the block; problems go to {@code problems} with the field's location. */
    @SuppressWarnings("unchecked")
    public static RecordFilter compile(RuleSpec spec, List<RuleProblem> problems) {
        RecordFilter filter = RecordFilter.ALL;
        if (spec.match == null) {
            return filter;
        }
        for (Map.Entry<String, Object> e : spec.match.entrySet()) {
            String field = e.getKey();
            String path = "match." + field;
            Object cond = e.getValue();
            if (field.equals("signal") && (!(cond instanceof String) || Signal.fromWire((String) cond) == null)) {
                problems.add(RuleLocations.problem(
                        spec,
                        path,
                        "signal must be one of metric, log, span, event",
                        cond == null
                                ? null
                                : RuleLocations.didYouMean(
                                        cond.toString(), List.of("metric", "log", "span", "event"))));
                continue;
            }
            if (cond instanceof Map) {
                for (Map.Entry<String, Object> op : ((Map<String, Object>) cond).entrySet()) {
                    RecordFilter f =
                            operator(spec, path + "." + op.getKey(), field, op.getKey(), op.getValue(), problems);
                    if (f != null) {
                        filter = filter.and(f);
                    }
                }
            } else if (cond instanceof List) {
                filter = filter.and(anyOf(field, (List<Object>) cond));
            } else if (cond == null) {
                problems.add(RuleLocations.problem(
                        spec,
                        path,
                        "condition for '" + field + "' is empty",
                        "write a value, a list of values, or {exists: true}"));
            } else {
                filter = filter.and(equal(field, cond));
            }
        }
        return filter;
    }

    private static RecordFilter operator(
            RuleSpec spec, String path, String field, String op, Object arg, List<RuleProblem> problems) {
        if (!OPERATORS.contains(op)) {
            problems.add(RuleLocations.problem(
                    spec, path, "unknown operator '" + op + "'", RuleLocations.didYouMean(op, OPERATORS)));
            return null;
        }
        switch (op) {
            case "eq":
                return equal(field, arg);
            case "ne": {
                RecordFilter eq = equal(field, arg);
                return t -> !eq.test(t);
            }
            case "in":
                return anyOf(field, asList(arg));
            case "not_in": {
                RecordFilter in = anyOf(field, asList(arg));
                return t -> !in.test(t);
            }
            case "exists": {
                String flag = String.valueOf(arg);
                if (!flag.equals("true") && !flag.equals("false")) {
                    // parseBoolean would read any other word as false and silently invert the condition
                    problems.add(
                            RuleLocations.problem(spec, path, "exists needs true or false, not '" + arg + "'", null));
                    return null;
                }
                boolean want = flag.equals("true");
                return t -> (t.get(field) != null) == want;
            }
            case "regex": {
                try {
                    Pattern re = Pattern.compile(String.valueOf(arg));
                    return t -> {
                        String v = t.get(field);
                        return v != null && re.matcher(v).find();
                    };
                } catch (PatternSyntaxException e) {
                    problems.add(RuleLocations.problem(spec, path, "bad regex: " + e.getDescription(), null));
                    return null;
                }
            }
            default: {
                double bound;
                try {
                    bound = arg instanceof Number ? ((Number) arg).doubleValue() : Double.parseDouble(arg.toString());
                } catch (NumberFormatException | NullPointerException e) {
                    problems.add(RuleLocations.problem(spec, path, op + " needs a number, not '" + arg + "'", null));
                    return null;
                }
                switch (op) {
                    case "gt":
                        return t -> t.number(field) > bound;
                    case "gte":
                        return t -> t.number(field) >= bound;
                    case "lt":
                        return t -> t.number(field) < bound;
                    default:
                        return t -> t.number(field) <= bound;
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object arg) {
        return arg instanceof List ? (List<Object>) arg : List.of(arg);
    }

    private static RecordFilter equal(String field, Object value) {
        if (value instanceof Number && TelemetryField.isNumeric(field)) {
            double d = ((Number) value).doubleValue();
            return t -> t.number(field) == d;
        }
        String want = text(value);
        return t -> want.equals(t.get(field));
    }

    private static RecordFilter anyOf(String field, List<Object> values) {
        Set<String> set = new HashSet<>();
        for (Object v : values) {
            set.add(text(v));
        }
        return t -> {
            String v = t.get(field);
            return v != null && set.contains(v);
        };
    }

    private static String text(Object v) {
        if (v instanceof Double && ((Double) v) == Math.rint((Double) v)) {
            return Long.toString(((Double) v).longValue());
        }
        return String.valueOf(v);
    }

    /**
     * The fields whose value the block pins to a set of texts ({@code field: v}, {@code field: [a, b]},
     * {@code {eq: v}}, {@code {in: [...]}}), each with the texts it accepts: exactly the values for which the compiled
     * filter's equality test on {@code record.get(field)} can hold. Numeric comparisons of numeric fields are left
     * out (they compare numbers, not texts). Used to index rules, so a record only meets the rules that can match it.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Set<String>> pinnedValues(RuleSpec spec) {
        Map<String, Set<String>> pinned = new java.util.LinkedHashMap<>();
        if (spec.match == null) {
            return pinned;
        }
        for (Map.Entry<String, Object> e : spec.match.entrySet()) {
            String field = e.getKey();
            if (field.equals("signal")) {
                continue; // rules are indexed by signal first
            }
            Object cond = e.getValue();
            Set<String> values = null;
            if (cond instanceof Map) {
                Map<String, Object> ops = (Map<String, Object>) cond;
                if (ops.containsKey("eq")) {
                    values = exact(field, List.of(ops.get("eq")));
                } else if (ops.containsKey("in")) {
                    values = anyOfTexts(asList(ops.get("in")));
                }
            } else if (cond instanceof List) {
                values = anyOfTexts((List<Object>) cond);
            } else if (cond != null) {
                values = exact(field, List.of(cond));
            }
            if (values != null) {
                pinned.put(field, values);
            }
        }
        return pinned;
    }

    /** The texts {@link #equal} accepts, or null where it compares numbers. */
    private static Set<String> exact(String field, List<Object> values) {
        for (Object v : values) {
            if (v == null || (v instanceof Number && TelemetryField.isNumeric(field))) {
                return null;
            }
        }
        return anyOfTexts(values);
    }

    private static Set<String> anyOfTexts(List<Object> values) {
        Set<String> set = new HashSet<>();
        for (Object v : values) {
            set.add(text(v));
        }
        return set;
    }

    /** Field names used in a match block, for lint checks. */
    public static List<String> fields(RuleSpec spec) {
        return spec.match == null ? List.of() : new ArrayList<>(spec.match.keySet());
    }

    static boolean matchesSignal(Telemetry t, Signal s) {
        return s == null || t.signal == s;
    }
}
