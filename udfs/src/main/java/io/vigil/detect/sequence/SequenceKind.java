package io.vigil.detect.sequence;

import io.vigil.detect.Detector;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.GraphRuleKind;
import io.vigil.rules.Params;
import io.vigil.rules.RuleLocations;
import io.vigil.rules.RuleSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.pattern.MalformedPatternException;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;

/**
 * {@code sequence}: ordered steps, each with its own condition and count, all within a time limit and for one key.
 * Brute force, for example: at least 20 failed logins and then a success from one source IP within 5m; or an absence:
 * a login not followed by an MFA approval within 2m.
 *
 * <pre>
 * kind: sequence
 * match: {event.category: authentication}  # records any step may take
 * key_by: [source.ip]
 * params:
 *   within: 5m               # required; from the first record of a match to its last (at most 1d)
 *   steps:
 *     - name: failures
 *       match: {event.outcome: failure}
 *       where: "attributes['user.name'] != 'deploy'"   # optional CEL, as a rule's where
 *       at_least: 20         # or times: N (exactly), or at_least/at_most; default once
 *       consecutive: false   # true: no other record of the key between the step's records (Flink CEP)
 *     - name: success
 *       match: {event.outcome: success}
 *       follows: relaxed     # relaxed (later; default), strict (next record), any (followedByAny): the last two CEP
 *       optional: false      # true: Flink CEP
 *     # or, as the last step, an absence: the match is the steps before it with no such record within `within`
 *     # - {name: no-mfa, match: {event.action: mfa_approved}, absent: true}
 *   evidence: 5              # matched records kept per step in the alert (first ones and the last)
 * </pre>
 *
 * <p>Where a rule runs depends on its shape ({@link #keyed}). Steps that follow each other relaxed (the default), with
 * exact counts or {@code at_least} (a range with {@code at_most} on the last step only) and an absence step, run as {@link SequenceDetector}, a keyed state machine in the shared detector
 * operator: such rules are hot-reloadable like every other kind, their state is bounded and expires at
 * {@code within}. A rule with a {@code strict} or {@code any} step, a {@code consecutive} loop, an {@code optional}
 * step or an {@code at_most} range before the last step needs Flink CEP's NFA (contiguity against every record of the
 * key, branching matches, steps that may be skipped), so it becomes a CEP operator of its own in the job graph ({@link GraphRuleKind}) and changes only when the
 * job is redeployed from a savepoint. flink-cep offers no state TTL, but its state still ends: each partial match has
 * a timer at its start plus {@code within}, which prunes it, and since FLINK-32701 (in event time, which the job
 * uses) the key's NFA state is cleared once only the start state is left; {@code CepStateExpiresTest} pins that.
 * Each match is one alert (skip past the last matched record, so one burst gives one alert, not one per starting
 * record); alert ids are stable (rule, key, first and last matched timestamps), whichever engine found the match.
 */
public final class SequenceKind implements GraphRuleKind {
    static final Set<String> PARAMS = Set.of("within", "steps", "evidence");
    static final Set<String> STEP_FIELDS = Set.of(
            "name", "match", "where", "times", "at_least", "at_most", "optional", "follows", "consecutive", "absent");
    static final Duration MAX_WITHIN = Duration.ofDays(1);
    private static final java.util.regex.Pattern STEP_NAME = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");
    private static final Map<String, Step.Follows> FOLLOWS =
            Map.of("strict", Step.Follows.STRICT, "relaxed", Step.Follows.RELAXED, "any", Step.Follows.ANY);

    @Override
    public String name() {
        return "sequence";
    }

    /** The keyed state machine for the shapes it runs; for the others (CEP) only checks the parameters. */
    @Override
    public Detector compile(RuleSpec spec, Params p) {
        Definition d = parse(spec, p);
        if (!p.problems().isEmpty()) {
            return null;
        }
        if (keyed(d.steps())) {
            return new SequenceDetector(spec.id, d);
        }
        checkPattern(spec, d, p);
        return null;
    }

    @Override
    public boolean resolves() {
        return false; // each alert marks one moment
    }

    @Override
    public void check(RuleSpec spec, Params p) {
        compile(spec, p);
    }

    private static void checkPattern(RuleSpec spec, Definition d, Params p) {
        try {
            NFACompiler.compileFactory(pattern(spec.id, d), false);
        } catch (MalformedPatternException e) {
            p.problem("params.steps", "these steps do not make a valid pattern: " + e.getMessage(), null);
        }
    }

    /** Rules whose steps {@link #keyed} runs change while the job runs; the others are CEP operators in the graph. */
    @Override
    public boolean hotReloadable(RuleSpec spec) {
        return keyed(parse(spec, new Params(spec)).steps());
    }

    /**
     * Whether the keyed state machine runs these steps: every step follows relaxed, none is consecutive or optional,
     * and no step but the last (of those records must match) is a bounded range ({@code at_most} above
     * {@code at_least}). The others need Flink CEP: strict contiguity is judged against every record of the key, not
     * only the steps' records; {@code any} keeps every combination of records as its own match; an optional step
     * branches each partial match in two; and after a full bounded range, CEP's greedy loop ends a partial match on a
     * record the loop would have taken, so CEP keeps several branches of one start alive where they can end
     * differently.
     */
    static boolean keyed(List<Step> steps) {
        int last = steps.size() - 1;
        while (last > 0 && steps.get(last).absent()) {
            last--;
        }
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.follows() != Step.Follows.RELAXED || s.consecutive() || s.optional()) {
                return false;
            }
            if (i < last && s.max() > 0 && s.min() != s.max()) {
                return false;
            }
        }
        return true;
    }

    /** Adds a Flink CEP operator for each rule of a shape that needs CEP ({@link #keyed} false). */
    @Override
    public DataStream<Alert> attach(DataStream<Telemetry> telemetry, List<CompiledRule> rules) {
        DataStream<Alert> all = null;
        for (CompiledRule rule : rules) {
            Params p = new Params(rule.spec);
            Definition d = parse(rule.spec, p);
            if (!p.problems().isEmpty()) {
                throw new IllegalArgumentException("rule " + rule.id() + " was not checked: " + p.problems());
            }
            // The uid carries a digest of the rule so a changed pattern starts from clean CEP state on redeploy
            // (restore with --allowNonRestoredState) instead of reading partial matches of another pattern.
            String uid = "sequence-" + rule.id() + "-" + Integer.toHexString(rule.json.hashCode());
            KeyedStream<Telemetry, String> records = telemetry
                    .filter(new RuleRecords.Filter(rule.json, d.steps()))
                    .name("Sequence input: " + rule.id())
                    .uid(uid + "-input")
                    .keyBy(new RuleRecords.Key(rule.spec.id, rule.spec.keyBy), Types.STRING);
            DataStream<Alert> alerts = CEP.pattern(records, pattern(rule.id(), d))
                    .inEventTime()
                    .process(new SequenceMatchFunction(rule.json, d.steps, d.evidence), TypeInformation.of(Alert.class))
                    .name("Sequence: " + rule.id())
                    .uid(uid);
            all = all == null ? alerts : all.union(alerts);
        }
        if (all == null) {
            throw new IllegalArgumentException("attach needs at least one sequence rule");
        }
        return all;
    }

    /** The parsed parameters of one rule. */
    record Definition(Duration within, List<Step> steps, int evidence) {}

    /** Reads and checks the parameters; problems go to {@code p}. */
    @SuppressWarnings("unchecked")
    static Definition parse(RuleSpec spec, Params p) {
        p.rejectUnknown(PARAMS);
        Duration within = p.requireDuration("within");
        if (within.compareTo(MAX_WITHIN) > 0) {
            p.problem(
                    "params.within",
                    "within must be at most 1d, not " + p.string("within", ""),
                    "a sequence keeps its partial matches for this long; use new_term or frequency for longer spans");
            within = MAX_WITHIN;
        }
        int evidence = (int) p.integer("evidence", 5, 0);
        List<Step> steps = new ArrayList<>();
        Object raw = spec.params == null ? null : spec.params.get("steps");
        if (!(raw instanceof List) || ((List<Object>) raw).isEmpty()) {
            p.problem(
                    raw == null ? "params" : "params.steps",
                    raw == null ? "missing parameter 'steps'" : "steps must be a list of at least one step",
                    "e.g. steps: [{name: failures, match: {event.outcome: failure}, at_least: 20}, ...]");
            return new Definition(within, steps, evidence);
        }
        List<Object> list = (List<Object>) raw;
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "params.steps[" + i + "]";
            if (!(list.get(i) instanceof Map)) {
                p.problem(path, "step " + (i + 1) + " must be a mapping with name and match", null);
                continue;
            }
            Step s = step(spec, p, path, i, list.size() - 1, (Map<String, Object>) list.get(i));
            if (s != null && !names.add(s.name())) {
                p.problem(path + ".name", "duplicate step name '" + s.name() + "'", "step names must be unique");
            } else if (s != null) {
                steps.add(s);
            }
        }
        if (!steps.isEmpty() && steps.stream().allMatch(s -> s.optional() || s.absent())) {
            p.problem("params.steps", "at least one step must not be optional", null);
        }
        return new Definition(within, steps, evidence);
    }

    @SuppressWarnings("unchecked")
    private static Step step(RuleSpec spec, Params p, String path, int index, int last, Map<String, Object> m) {
        for (String k : m.keySet()) {
            if (!STEP_FIELDS.contains(k)) {
                p.problem(path + "." + k, "unknown step field '" + k + "'", RuleLocations.didYouMean(k, STEP_FIELDS));
            }
        }
        Object nameValue = m.get("name");
        String name = nameValue == null ? "step" + (index + 1) : nameValue.toString();
        if (!STEP_NAME.matcher(name).matches()) {
            p.problem(path + ".name", "bad step name '" + name + "'", "a letter, then letters, digits, '_' or '-'");
        }
        Object match = m.get("match");
        if (!(match instanceof Map) || ((Map<String, Object>) match).isEmpty()) {
            p.problem(
                    match == null ? path : path + ".match",
                    "step '" + name + "' needs a match block",
                    "e.g. match: {event.outcome: failure}");
            return null;
        }
        Object whereValue = m.get("where");
        if (whereValue != null && !(whereValue instanceof String)) {
            p.problem(path + ".where", "where must be a CEL expression (a string)", null);
            whereValue = null;
        }
        String where = (String) whereValue;
        StepCondition.compile(stepSpec(spec, path, (Map<String, Object>) match, where), p.problems());
        int min = 1;
        int max = 1;
        Integer times = count(p, path, m, "times");
        Integer atLeast = count(p, path, m, "at_least");
        Integer atMost = count(p, path, m, "at_most");
        if (times != null && (atLeast != null || atMost != null)) {
            p.problem(path + ".times", "give either times or at_least/at_most, not both", null);
        } else if (times != null) {
            min = times;
            max = times;
        } else if (atLeast != null || atMost != null) {
            min = atLeast == null ? 1 : atLeast;
            max = atMost == null ? -1 : atMost;
            if (max >= 0 && max < min) {
                p.problem(
                        path + ".at_most", "at_most (" + max + ") must not be less than at_least (" + min + ")", null);
                max = min;
            }
        }
        boolean optional = flag(p, path, m, "optional");
        boolean consecutive = flag(p, path, m, "consecutive");
        boolean absent = flag(p, path, m, "absent");
        if (absent) {
            for (String f : List.of("times", "at_least", "at_most", "optional", "consecutive", "follows")) {
                if (m.containsKey(f)) {
                    p.problem(
                            path + "." + f,
                            "an absent step takes no " + f,
                            "an absent step matches when no such record follows within `within`");
                }
            }
            if (index == 0 || index != last) {
                p.problem(
                        path + ".absent",
                        "only the last step, after at least one other, can be absent",
                        "\"A not followed by B within T\": steps [A, {B, absent: true}]");
            }
        }
        if (consecutive && max == 1) {
            p.problem(
                    path + ".consecutive",
                    "consecutive applies to a step that takes several records",
                    "add at_least or times, or use follows: strict for the step's relation to the previous one");
        }
        Step.Follows follows = Step.Follows.RELAXED;
        Object f = m.get("follows");
        if (f != null) {
            follows = FOLLOWS.get(f.toString());
            if (follows == null) {
                p.problem(
                        path + ".follows",
                        "follows must be one of strict, relaxed, any, not '" + f + "'",
                        RuleLocations.didYouMean(f.toString(), FOLLOWS.keySet()));
                follows = Step.Follows.RELAXED;
            }
            if (index == 0) {
                p.problem(path + ".follows", "the first step follows nothing", "remove follows from the first step");
            }
        }
        return new Step(
                name,
                new LinkedHashMap<>((Map<String, Object>) match),
                where,
                min,
                max,
                optional,
                follows,
                consecutive,
                absent);
    }

    /** A spec holding only the step's conditions, with their locations, so problems point at the step's lines. */
    private static RuleSpec stepSpec(RuleSpec spec, String path, Map<String, Object> match, String where) {
        RuleSpec s = new RuleSpec();
        s.id = spec.id;
        s.source = spec.source;
        s.match = match;
        s.where = where;
        Map<String, int[]> locations = new HashMap<>();
        String prefix = path + ".";
        for (Map.Entry<String, int[]> e : spec.locations().entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                locations.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        locations.putIfAbsent("match", spec.locations().get(path));
        s.locations = locations;
        return s;
    }

    private static Integer count(Params p, String path, Map<String, Object> m, String field) {
        Object v = m.get(field);
        if (v == null) {
            return null;
        }
        try {
            long n = v instanceof Number ? ((Number) v).longValue() : Long.parseLong(v.toString());
            if (v instanceof Double || v instanceof Float || n < 1 || n > 100_000) {
                throw new NumberFormatException();
            }
            return (int) n;
        } catch (NumberFormatException e) {
            p.problem(path + "." + field, field + " must be a whole number from 1 to 100000, not '" + v + "'", null);
            return null;
        }
    }

    private static boolean flag(Params p, String path, Map<String, Object> m, String field) {
        Object v = m.get(field);
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        p.problem(path + "." + field, field + " must be true or false, not '" + v + "'", null);
        return false;
    }

    /**
     * The Flink CEP pattern of a checked definition. Skip past the last event: once a match is found, the partial
     * matches that overlap it are dropped, so 150 failures then a success make one match, not 150.
     */
    static Pattern<Telemetry, Telemetry> pattern(String ruleId, Definition d) {
        Pattern<Telemetry, Telemetry> p = null;
        for (Step s : d.steps()) {
            if (s.absent()) {
                throw new IllegalArgumentException("an absent step runs in the keyed state machine, not in CEP");
            }
            if (p == null) {
                p = Pattern.begin(s.name(), AfterMatchSkipStrategy.skipPastLastEvent());
            } else {
                switch (s.follows()) {
                    case STRICT:
                        p = p.next(s.name());
                        break;
                    case ANY:
                        p = p.followedByAny(s.name());
                        break;
                    default:
                        p = p.followedBy(s.name());
                        break;
                }
            }
            p = p.where(new StepCondition(ruleId, s));
            if (s.max() < 0) {
                p = s.min() == 1 ? p.oneOrMore() : p.timesOrMore(s.min());
            } else if (s.min() == s.max() && s.min() > 1) {
                p = p.times(s.min());
            } else if (s.min() != s.max()) {
                p = p.times(s.min(), s.max());
            }
            if (s.consecutive()) {
                p = p.consecutive();
            }
            int i = d.steps().indexOf(s);
            Step next = i + 1 < d.steps().size() ? d.steps().get(i + 1) : null;
            if (s.looping() && next != null && !next.optional()) {
                // Greedy: a record the loop can take is taken, and does not also end the loop. Without it every
                // further failure after at_least forks a branch waiting for the next step, and a burst of n failures
                // holds O(n^2) partial matches (150 failures took minutes to match). CEP forbids a greedy loop
                // before an optional step, which then keeps the default.
                p = p.greedy();
            }
            if (s.optional()) {
                p = p.optional();
            }
        }
        return p.within(d.within());
    }
}
