package io.vigil.rules;

import io.vigil.detect.Detector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a rule's common fields, compiles its match block and conditions, and lets its kind check and compile its
 * parameters. All problems are collected and thrown together as a {@link RuleException}.
 */
public final class RuleCompiler {
    public static final Set<String> SEVERITIES = Set.of("info", "low", "medium", "high", "critical");
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

    private RuleCompiler() {}

    public static CompiledRule compile(RuleSpec spec) {
        List<RuleProblem> problems = new ArrayList<>();
        CompiledRule rule = compile(spec, problems);
        if (!problems.isEmpty()) {
            throw new RuleException(problems);
        }
        return rule;
    }

    /** Compiles every rule, also checking that ids are unique; throws with all problems of all rules. */
    public static List<CompiledRule> compileAll(List<RuleSpec> specs) {
        List<RuleProblem> problems = new ArrayList<>();
        List<CompiledRule> rules = new ArrayList<>();
        Map<String, RuleSpec> seen = new HashMap<>();
        for (RuleSpec spec : specs) {
            RuleSpec first = spec.id == null ? null : seen.putIfAbsent(spec.id, spec);
            if (first != null) {
                problems.add(RuleLocations.problem(
                        spec, "id", "duplicate rule id '" + spec.id + "'", "first defined at " + first.source));
                continue;
            }
            CompiledRule r = compile(spec, problems);
            if (r != null) {
                rules.add(r);
            }
        }
        if (!problems.isEmpty()) {
            throw new RuleException(problems);
        }
        return rules;
    }

    /** Compiles one rule, adding problems to the list; returns null when the rule cannot run. */
    public static CompiledRule compile(RuleSpec spec, List<RuleProblem> problems) {
        int before = problems.size();
        if (spec.id == null || !ID.matcher(spec.id).matches()) {
            problems.add(RuleLocations.problem(
                    spec,
                    "id",
                    spec.id == null ? "missing rule id" : "bad rule id '" + spec.id + "'",
                    "lower-case letters, digits, '.', '_' and '-'"));
        }
        if (spec.name == null || spec.name.isBlank()) {
            problems.add(RuleLocations.problem(spec, "name", "missing rule name", null));
        }
        if (spec.severity == null || !SEVERITIES.contains(spec.severity)) {
            problems.add(RuleLocations.problem(
                    spec,
                    "severity",
                    "severity must be one of info, low, medium, high," + " critical",
                    spec.severity == null ? null : RuleLocations.didYouMean(spec.severity, SEVERITIES)));
        }
        long realert = 0;
        if (spec.realert != null) {
            try {
                realert = Durations.parse(spec.realert).toMillis();
            } catch (IllegalArgumentException e) {
                problems.add(RuleLocations.problem(spec, "realert", e.getMessage(), null));
            }
        }
        long forMillis = antiFlapDuration(spec, "for", spec.forDuration, problems);
        long keepMillis = antiFlapDuration(spec, "keep_firing_for", spec.keepFiringFor, problems);
        for (int i = 0; i < spec.keyBy.size(); i++) {
            String f = spec.keyBy.get(i);
            if (f == null || f.isBlank()) {
                problems.add(RuleLocations.problem(spec, "key_by[" + i + "]", "empty key_by field", null));
            }
        }
        RecordFilter filter = filter(spec, problems);
        RuleKind kind = RuleKinds.get(spec.kind);
        Detector detector = null;
        if (kind == null) {
            problems.add(RuleLocations.problem(
                    spec,
                    "kind",
                    spec.kind == null ? "missing rule kind" : "unknown rule kind '" + spec.kind + "'",
                    spec.kind == null
                            ? "one of " + String.join(", ", RuleKinds.names())
                            : RuleLocations.didYouMean(spec.kind, RuleKinds.names())));
        } else {
            if (!kind.judgesConditions() && (spec.forDuration != null || spec.keepFiringFor != null)) {
                problems.add(RuleLocations.problem(
                        spec,
                        spec.forDuration != null ? "for" : "keep_firing_for",
                        "kind '" + kind.name() + "' alerts once per event, so it has no condition to hold for a time",
                        "for and keep_firing_for apply to threshold, frequency, percentage_match, spike, flatline,"
                                + " cardinality, slo and anomaly rules"));
            }
            Params params = new Params(spec);
            detector = kind.compile(spec, params);
            problems.addAll(params.problems());
        }
        if (problems.size() > before) {
            return null;
        }
        return new CompiledRule(spec, RuleCodec.toJson(spec), filter, kind, detector, realert, forMillis, keepMillis);
    }

    /** An anti-flap duration ({@code for}, {@code keep_firing_for}): absent is 0. */
    private static long antiFlapDuration(RuleSpec spec, String field, String text, List<RuleProblem> problems) {
        if (text == null) {
            return 0;
        }
        try {
            return Durations.parse(text).toMillis(); // never negative: the form has no sign
        } catch (IllegalArgumentException e) {
            problems.add(RuleLocations.problem(spec, field, e.getMessage(), "a duration such as 5m, 90s or 1h"));
            return 0;
        }
    }

    /** Parses a duration field of a rule that was already validated. */
    public static Duration duration(String text) {
        return Durations.parse(text);
    }

    /** The records a spec's {@code match} and {@code where} blocks accept; problems go to {@code problems}. */
    public static RecordFilter filter(RuleSpec spec, List<RuleProblem> problems) {
        RecordFilter filter = Match.compile(spec, problems);
        if (spec.where != null && !spec.where.isBlank()) {
            filter = filter.and(Conditions.compile(spec, problems));
        }
        return filter;
    }
}
