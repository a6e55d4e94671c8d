package io.vigil.rules.sigma;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.vigil.rules.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Sigma rules (YAML files, several documents each allowed) into Vigil rule files and rule tests. A detection rule
 * becomes a {@code frequency} rule of count 1 (every matching record alerts); correlation rules become
 * {@code frequency} ({@code event_count}) and {@code cardinality} ({@code value_count}) rules over the rules they name,
 * and {@code temporal_ordered} into a {@code sequence} rule with one step per rule; {@code temporal} (any order) into one
 * sequence rule per order of its rules, for at most {@link #MAX_UNORDERED} rules.
 * Each translated rule gets {@code tests/<id>.test.yaml}: a record synthesised from its detection must fire it and,
 * when the condition has no {@code not}, a record without the detection's values must not. Every rule that is not
 * translated is reported with {@code file:line} and the reason.
 */
public final class SigmaImport {
    /** A rule not translated: where and why. */
    public record Skipped(String location, String reason) {
        @Override
        public String toString() {
            return location + ": " + reason;
        }
    }

    /** What an import wrote and what it could not. */
    public record Result(List<Path> rules, List<Path> tests, List<Skipped> skipped, int rulesWithoutTest) {}

    /** A {@code temporal} correlation of n rules becomes n! sequence rules (one per order): 6 for 3 rules. */
    static final int MAX_UNORDERED = 3;

    private static final java.util.regex.Pattern STEP_NAME = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");

    private final SigmaMapping mapping;
    private final SigmaTranslator translator;
    private final ObjectMapper yamlIn = new ObjectMapper(new YAMLFactory());
    private final ObjectMapper yamlOut = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.SPLIT_LINES));

    public SigmaImport(SigmaMapping mapping) {
        this.mapping = mapping;
        this.translator = new SigmaTranslator(mapping);
    }

    /** One Sigma document with where it came from. */
    private record Doc(Path file, int line, String text, Map<String, Object> body) {
        String location() {
            return file + ":" + line;
        }

        /** The line of the first occurrence of {@code word} in this document, else the document's first line. */
        String locationOf(String word) {
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (word != null && lines[i].contains(word)) {
                    return file + ":" + (line + i);
                }
            }
            return location();
        }
    }

    /** A detection rule translated, kept for the correlations that name it. */
    private record Detection(Doc doc, String id, Map<String, Object> match, SigmaTranslator.Expr expr) {}

    public Result run(List<Path> inputs, Path out) throws IOException {
        List<Doc> docs = new ArrayList<>();
        for (Path in : inputs) {
            List<Path> files = new ArrayList<>();
            if (Files.isDirectory(in)) {
                try (Stream<Path> s = Files.walk(in)) {
                    s.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
                            .sorted()
                            .forEach(files::add);
                }
            } else {
                files.add(in);
            }
            for (Path f : files) {
                read(f, docs);
            }
        }
        Files.createDirectories(out.resolve("tests"));
        List<Path> rules = new ArrayList<>();
        List<Path> tests = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        int withoutTest = 0;
        Map<String, Detection> byRef = new LinkedHashMap<>();
        List<Doc> correlations = new ArrayList<>();
        for (Doc d : docs) {
            if (d.body().containsKey("correlation")) {
                correlations.add(d);
                continue;
            }
            try {
                Detection det = detection(d);
                for (String ref : List.of("id", "name")) {
                    if (d.body().get(ref) != null) {
                        byRef.put(String.valueOf(d.body().get(ref)), det);
                    }
                }
                Map<String, Object> rule =
                        rule(d, det.id(), det.match(), det.expr().cel());
                rule.put("kind", "frequency");
                rule.put("params", ordered("count", 1, "window", "1m"));
                rules.add(write(out.resolve(det.id() + ".yaml"), order(rule)));
                if (det.expr().exampleKnown()) {
                    tests.add(writeTest(
                            out, det.id(), det.match(), det.expr(), 1, Map.of(), null, (String) rule.get("severity")));
                } else {
                    withoutTest++;
                }
            } catch (SigmaTranslator.Untranslatable e) {
                skipped.add(new Skipped(d.locationOf(e.near), e.getMessage()));
            }
        }
        Set<String> correlationRefs = new HashSet<>();
        for (Doc d : correlations) {
            for (String ref : List.of("id", "name")) {
                if (d.body().get(ref) != null) {
                    correlationRefs.add(String.valueOf(d.body().get(ref)));
                }
            }
        }
        for (Doc d : correlations) {
            try {
                Written written = correlation(d, byRef, correlationRefs, out);
                rules.addAll(written.rules());
                tests.addAll(written.tests());
            } catch (SigmaTranslator.Untranslatable e) {
                skipped.add(new Skipped(d.locationOf(e.near), e.getMessage()));
            }
        }
        return new Result(rules, tests, skipped, withoutTest);
    }

    @SuppressWarnings("unchecked")
    private void read(Path f, List<Doc> docs) throws IOException {
        String text = Files.readString(f);
        int line = 1;
        for (String part : text.split("(?m)^---\\s*$\\n?", -1)) {
            if (!part.isBlank()) {
                Object body;
                try {
                    body = yamlIn.readValue(part, Object.class);
                } catch (IOException e) {
                    throw new IOException(f + ":" + line + ": not YAML: " + e.getMessage(), e);
                }
                if (body instanceof Map<?, ?> m) {
                    docs.add(new Doc(f, line, part, (Map<String, Object>) m));
                }
            }
            line += part.split("\n", -1).length; // the separator line itself is counted by the split
        }
    }

    private Detection detection(Doc d) throws SigmaTranslator.Untranslatable {
        Map<String, Object> logsource = map(d.body().get("logsource"));
        Map<String, Object> match = mapping.match(logsource);
        if (match == null) {
            throw new SigmaTranslator.Untranslatable(
                    "logsource " + logsource + " has no mapping (add one with --mapping)", "logsource");
        }
        return new Detection(d, id(d), match, translator.detection(d.body()));
    }

    /** The rule files and test files one Sigma rule became. */
    private record Written(List<Path> rules, List<Path> tests) {}

    private Written correlation(Doc d, Map<String, Detection> byRef, Set<String> correlationRefs, Path out)
            throws SigmaTranslator.Untranslatable, IOException {
        Map<String, Object> c = map(d.body().get("correlation"));
        String type = String.valueOf(c.get("type"));
        List<?> refs = c.get("rules") instanceof List<?> l ? l : List.of(String.valueOf(c.get("rules")));
        List<Detection> used = new ArrayList<>();
        for (Object r : refs) {
            Detection det = byRef.get(String.valueOf(r));
            if (det == null && correlationRefs.contains(String.valueOf(r))) {
                throw new SigmaTranslator.Untranslatable(
                        "correlation names correlation '" + r + "': chained correlations are not translated (a Vigil"
                                + " rule reads records, not another rule's alerts)",
                        "rules");
            }
            if (det == null) {
                throw new SigmaTranslator.Untranslatable(
                        "correlation names rule '" + r + "', which is not among the translated rules", "rules");
            }
            used.add(det);
        }
        if (used.isEmpty()) {
            throw new SigmaTranslator.Untranslatable("correlation names no rules", "rules");
        }
        List<String> groupBy = groupBy(c, refs);
        String window = String.valueOf(c.get("timespan"));
        if (!window.matches("\\d+[smhd]")) {
            throw new SigmaTranslator.Untranslatable("timespan '" + window + "' is not a duration", "timespan");
        }
        if (type.equals("temporal") || type.equals("temporal_ordered")) {
            return temporal(d, c, type.equals("temporal_ordered"), used, refs, groupBy, window, out);
        }
        if (c.get("aliases") != null) {
            throw new SigmaTranslator.Untranslatable(
                    "aliases are translated for temporal correlations only", "aliases");
        }
        Map<String, Object> match = used.get(0).match();
        List<String> wheres = new ArrayList<>();
        for (Detection det : used) {
            if (!det.match().equals(match)) {
                throw new SigmaTranslator.Untranslatable(
                        "correlated rules read different logsources; a Vigil rule has one match block", "rules");
            }
            wheres.add("(" + det.expr().cel() + ")");
        }
        String where = String.join(" || ", wheres);
        if (!type.equals("event_count") && !type.equals("value_count")) {
            throw new SigmaTranslator.Untranslatable("correlation type '" + type + "' is not translated", "type");
        }
        Map<String, Object> cond = map(c.get("condition"));
        int threshold;
        if (cond.get("gte") instanceof Number n) {
            threshold = n.intValue();
        } else if (cond.get("gt") instanceof Number n) {
            threshold = n.intValue() + 1;
        } else {
            throw new SigmaTranslator.Untranslatable(
                    "correlation condition " + cond + ": only gte and gt translate (Vigil alerts on at least N)",
                    "condition");
        }
        String id = id(d);
        Map<String, Object> rule = rule(d, id, match, where);
        if (!groupBy.isEmpty()) {
            rule.put("key_by", groupBy);
        }
        Map<String, String> groupValues = new LinkedHashMap<>();
        for (String g : groupBy) {
            groupValues.put(g, "group-1");
        }
        String distinct = null;
        switch (type) {
            case "event_count" -> {
                rule.put("kind", "frequency");
                rule.put("params", ordered("count", Math.max(1, threshold), "window", window));
            }
            case "value_count" -> {
                if (threshold < 2) {
                    throw new SigmaTranslator.Untranslatable(
                            "value_count below 2 distinct values is any event; write it as event_count", "condition");
                }
                distinct = mapping.field(String.valueOf(cond.get("field")));
                rule.put("kind", "cardinality");
                rule.put("params", ordered("field", distinct, "max", threshold - 1, "window", window));
            }
            default ->
                throw new SigmaTranslator.Untranslatable("correlation type '" + type + "' is not translated", "type");
        }
        if (!used.get(0).expr().exampleKnown()) {
            throw new SigmaTranslator.Untranslatable(
                    "no matching record could be synthesised for the correlated rule, so no test", "rules");
        }
        Path rulePath = write(out.resolve(id + ".yaml"), order(rule));
        Path test =
                writeTest(out, id, match, used.get(0).expr(), Math.max(1, threshold), groupValues, distinct, (String)
                        rule.get("severity"));
        return new Written(List.of(rulePath), List.of(test));
    }

    /**
     * The group-by fields as Vigil names. With {@code aliases}, an alias is kept only when it names the same field in
     * every rule: a sequence has one {@code key_by} for all its steps.
     */
    private List<String> groupBy(Map<String, Object> c, List<?> refs) throws SigmaTranslator.Untranslatable {
        List<String> groupBy = new ArrayList<>();
        Map<String, Object> aliases = map(c.get("aliases"));
        if (c.get("group-by") instanceof List<?> g) {
            for (Object o : g) {
                String field = String.valueOf(o);
                if (aliases.containsKey(field)) {
                    Set<String> names = new TreeSet<>();
                    for (Object perRule : map(aliases.get(field)).values()) {
                        names.add(mapping.field(String.valueOf(perRule)));
                    }
                    if (names.size() != 1) {
                        throw new SigmaTranslator.Untranslatable(
                                "alias '" + field + "' names different fields " + names + " in the rules; a Vigil"
                                        + " rule groups all its records by the same key_by fields",
                                "aliases");
                    }
                    groupBy.add(names.iterator().next());
                } else {
                    groupBy.add(mapping.field(field));
                }
            }
        }
        return groupBy;
    }

    /**
     * {@code temporal_ordered}: one {@code sequence} rule, a step per rule in the given order, each step taking its
     * rule's logsource ({@code match}) and detection ({@code where}), all within the timespan for one group-by key.
     * {@code temporal} (any order): one sequence rule per order, ids {@code <id>-order-<k>}; an attacker who does A,
     * B, A then meets two orders and gets two alerts. The condition, if given, must ask for all the rules (Sigma
     * allows "at least N of them", which no fixed set of steps expresses).
     */
    private Written temporal(
            Doc d,
            Map<String, Object> c,
            boolean ordered,
            List<Detection> used,
            List<?> refs,
            List<String> groupBy,
            String window,
            Path out)
            throws SigmaTranslator.Untranslatable, IOException {
        int n = used.size();
        Map<String, Object> cond = map(c.get("condition"));
        if (!cond.isEmpty()) {
            Integer needed = cond.get("gte") instanceof Number x
                    ? (Integer) x.intValue()
                    : cond.get("gt") instanceof Number x
                            ? (Integer) (x.intValue() + 1)
                            : cond.get("eq") instanceof Number x ? (Integer) x.intValue() : null;
            if (needed == null || cond.size() != 1 || needed != n) {
                throw new SigmaTranslator.Untranslatable(
                        "condition " + cond + " asks for other than all " + n + " rules; a sequence needs every"
                                + " step (give no condition, or gte: " + n + ")",
                        "condition");
            }
        }
        if (Durations.parse(window).compareTo(Duration.ofDays(1)) > 0) {
            throw new SigmaTranslator.Untranslatable(
                    "timespan " + window + " is longer than a sequence's within (at most 1d)", "timespan");
        }
        if (!ordered && n > MAX_UNORDERED) {
            throw new SigmaTranslator.Untranslatable(
                    "temporal (any order) over " + n + " rules would be " + factorial(n) + " sequence rules, one per"
                            + " order; at most " + MAX_UNORDERED + " rules translate",
                    "rules");
        }
        for (Detection det : used) {
            if (!det.expr().exampleKnown()) {
                throw new SigmaTranslator.Untranslatable(
                        "no matching record could be synthesised for correlated rule " + det.id() + ", so no test",
                        "rules");
            }
        }
        Map<String, String> groupValues = groupValues(used, groupBy);
        List<String> stepNames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = String.valueOf(refs.get(i)).replaceAll("[^A-Za-z0-9_-]+", "_");
            name = STEP_NAME.matcher(name).matches() ? name : "rule_" + name;
            stepNames.add(stepNames.contains(name) ? name + "-" + (i + 1) : name);
        }
        List<List<Integer>> orders = ordered ? List.of(range(n)) : permutations(range(n));
        String baseId = id(d);
        List<Path> rules = new ArrayList<>();
        List<Path> tests = new ArrayList<>();
        for (int k = 0; k < orders.size(); k++) {
            List<Integer> order = orders.get(k);
            String id = orders.size() == 1 ? baseId : baseId + "-order-" + (k + 1);
            Map<String, Object> rule = rule(d, id, commonMatch(used), null);
            rule.remove("where");
            if (orders.size() > 1) {
                List<String> names = new ArrayList<>();
                order.forEach(i -> names.add(stepNames.get(i)));
                rule.put("name", rule.get("name") + " (order " + String.join(", ", names) + ")");
            }
            rule.put("kind", "sequence");
            if (!groupBy.isEmpty()) {
                rule.put("key_by", groupBy);
            }
            List<Object> steps = new ArrayList<>();
            List<Map<String, Object>> records = new ArrayList<>();
            for (int i : order) {
                Detection det = used.get(i);
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("name", stepNames.get(i));
                step.put("match", det.match());
                step.put("where", det.expr().cel());
                steps.add(step);
                records.add(record(det.match(), det.expr().example(), groupValues, null));
            }
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("within", window);
            params.put("steps", steps);
            rule.put("params", params);
            rules.add(write(out.resolve(id + ".yaml"), order(rule)));
            tests.add(writeSequenceTest(out, id, records, groupBy, (String) rule.get("severity")));
        }
        return new Written(rules, tests);
    }

    /** The logsource fields every correlated rule shares: the sequence rule's own match block. */
    private static Map<String, Object> commonMatch(List<Detection> used) {
        Map<String, Object> common = new LinkedHashMap<>(used.get(0).match());
        for (Detection det : used) {
            common.entrySet().removeIf(e -> !e.getValue().equals(det.match().get(e.getKey())));
        }
        return common;
    }

    /**
     * One value per group-by field for all of a test's records: the value a rule's example needs, else a made-up one.
     * When two rules need different values the sequence can never match for one key, so nothing is translated.
     */
    private static Map<String, String> groupValues(List<Detection> used, List<String> groupBy)
            throws SigmaTranslator.Untranslatable {
        Map<String, String> values = new LinkedHashMap<>();
        for (String g : groupBy) {
            String value = null;
            for (Detection det : used) {
                String v = det.expr().example().get(g);
                if (v != null && value != null && !v.equals(value)) {
                    throw new SigmaTranslator.Untranslatable(
                            "the correlated rules need different values of group-by field " + g
                                    + ", so they never meet for one key",
                            "group-by");
                }
                value = v == null ? value : v;
            }
            values.put(g, value == null ? "group-1" : value);
        }
        return values;
    }

    private static List<Integer> range(int n) {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            r.add(i);
        }
        return r;
    }

    private static List<List<Integer>> permutations(List<Integer> items) {
        if (items.size() <= 1) {
            return List.of(items);
        }
        List<List<Integer>> all = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<Integer> rest = new ArrayList<>(items);
            Integer first = rest.remove(i);
            for (List<Integer> p : permutations(rest)) {
                List<Integer> one = new ArrayList<>();
                one.add(first);
                one.addAll(p);
                all.add(one);
            }
        }
        return all;
    }

    private static long factorial(int n) {
        return n <= 1 ? 1 : n * factorial(n - 1);
    }

    /**
     * A sequence rule's test: the steps' records in the rule's order, 100 ms apart, fire it; when it groups, the same
     * records with a different group-by value each (so no key sees every step) do not.
     */
    private Path writeSequenceTest(
            Path out, String id, List<Map<String, Object>> records, List<String> groupBy, String severity)
            throws IOException {
        List<Object> cases = new ArrayList<>();
        Map<String, Object> positive = new LinkedHashMap<>();
        positive.put("name", "records synthesised from the Sigma rules, in this order and one key, fire " + id);
        positive.put("input_records", timed(records));
        positive.put("eval_until", "10m");
        positive.put("alert_rule_test", alertRuleTest(id, List.of(Map.of("severity", severity))));
        cases.add(positive);
        if (!groupBy.isEmpty() && records.size() > 1) {
            List<Map<String, Object>> apart = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                Map<String, Object> r = new LinkedHashMap<>(records.get(i));
                Map<String, Object> attributes = new LinkedHashMap<>(map(r.get("attributes")));
                for (String g : groupBy) {
                    attributes.put(g, attributes.getOrDefault(g, "group") + "-key-" + (i + 1));
                }
                r.put("attributes", attributes);
                apart.add(r);
            }
            cases.add(noAlertCase(
                    "the same records, each with another " + String.join(", ", groupBy) + ", do not fire " + id,
                    timed(apart),
                    id));
        }
        return writeTests(out, id, cases);
    }

    private static List<Object> timed(List<Map<String, Object>> records) {
        List<Object> inputs = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            Map<String, Object> in = new LinkedHashMap<>();
            in.put("at", "1m" + (i * 100) + "ms");
            in.put("record", records.get(i));
            inputs.add(in);
        }
        return inputs;
    }

    /** The fields every generated rule has. */
    private Map<String, Object> rule(Doc d, String id, Map<String, Object> match, String where) {
        Map<String, Object> b = d.body();
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("id", id);
        rule.put("name", String.valueOf(b.getOrDefault("title", id)));
        String sigmaId = b.get("id") == null ? "" : " " + b.get("id");
        rule.put(
                "description",
                (b.get("description") == null
                                ? ""
                                : String.valueOf(b.get("description")).trim() + "\n")
                        + "Imported from Sigma rule" + sigmaId + " (" + d.location() + ")"
                        + (b.get("author") == null ? "" : " by " + b.get("author")) + ".");
        rule.put("severity", severity(b.get("level")));
        rule.put("match", match);
        rule.put("where", where);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("category", "security");
        labels.put("source", "sigma");
        if (b.get("id") != null) {
            labels.put("sigma.id", String.valueOf(b.get("id")));
        }
        if (b.get("tags") instanceof List<?> tags && !tags.isEmpty()) {
            List<String> t = new ArrayList<>();
            tags.forEach(x -> t.add(String.valueOf(x)));
            labels.put("sigma.tags", String.join(",", t));
        }
        rule.put("labels", labels);
        rule.put("annotations", Map.of("summary", "Sigma: " + rule.get("name")));
        return rule;
    }

    private Map<String, Object> order(Map<String, Object> rule) {
        Map<String, Object> o = new LinkedHashMap<>();
        for (String k : List.of(
                "id",
                "name",
                "description",
                "kind",
                "severity",
                "match",
                "where",
                "key_by",
                "params",
                "labels",
                "annotations")) {
            if (rule.containsKey(k)) {
                o.put(k, rule.get(k));
            }
        }
        return o;
    }

    private Path writeTest(
            Path out,
            String id,
            Map<String, Object> match,
            SigmaTranslator.Expr expr,
            int repeat,
            Map<String, String> extra,
            String distinctField,
            String severity)
            throws IOException {
        Map<String, Object> fires = record(match, expr.example(), extra, distinctField);
        Map<String, Object> positive = new LinkedHashMap<>();
        positive.put("name", "a record synthesised from the Sigma detection fires " + id);
        positive.put("input_records", List.of(input(fires, repeat)));
        // Judged through the same ten minutes the check looks at: a correlation's window that the records open must
        // close within the run, not be cut off at the newest record.
        positive.put("eval_until", "10m");
        positive.put("alert_rule_test", alertRuleTest(id, List.of(Map.of("severity", severity))));
        List<Object> cases = new ArrayList<>();
        cases.add(positive);
        if (!expr.cel().contains("!(")) {
            Map<String, Object> quiet = record(match, Map.of(), extra, distinctField);
            quiet.put("body", "an ordinary line with nothing of the detection in it");
            cases.add(noAlertCase(
                    "a record without the detection's values does not fire " + id, List.of(input(quiet, repeat)), id));
        }
        return writeTests(out, id, cases);
    }

    /** A generated test case: these records, judged at 10m, raise no alert of rule {@code id}. */
    private static Map<String, Object> noAlertCase(String name, Object records, String id) {
        Map<String, Object> negative = new LinkedHashMap<>();
        negative.put("name", name);
        negative.put("input_records", records);
        negative.put("eval_until", "10m");
        negative.put("alert_rule_test", alertRuleTest(id, List.of()));
        return negative;
    }

    /** A generated test's check: judged at 10m, rule {@code id} has raised these alerts. */
    private static List<Object> alertRuleTest(String id, List<Object> expAlerts) {
        return List.of(ordered("eval_time", "10m", "rule", id, "exp_alerts", expAlerts));
    }

    /**
     * A map of these keys and values in this order. Not {@code Map.of}: its iteration order changes from one JVM run
     * to the next, and the generated files must be the same bytes from the same input (reviewable diffs, stable
     * checked-in rules).
     */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** Writes rule {@code id}'s generated test file beside it, under {@code tests/}. */
    private Path writeTests(Path out, String id, List<Object> cases) throws IOException {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("rule_files", List.of("../" + id + ".yaml"));
        file.put("tests", cases);
        return write(out.resolve("tests").resolve(id + ".test.yaml"), file);
    }

    private static Map<String, Object> input(Map<String, Object> record, int repeat) {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("at", "1m");
        if (repeat > 1) {
            in.put("repeat", repeat);
            in.put("every", "1s");
        }
        in.put("record", record);
        return in;
    }

    /** A test record: the logsource's match fields, then the example's. */
    private static Map<String, Object> record(
            Map<String, Object> match, Map<String, String> example, Map<String, String> extra, String distinctField) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("signal", String.valueOf(match.getOrDefault("signal", "log")));
        Map<String, Object> attributes = new LinkedHashMap<>();
        Map<String, Object> resource = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : match.entrySet()) {
            if (e.getKey().equals("service.name")) {
                r.put("service", String.valueOf(e.getValue()));
            } else if (!e.getKey().equals("signal")) {
                attributes.put(e.getKey(), String.valueOf(e.getValue()));
            }
        }
        Map<String, String> all = new LinkedHashMap<>(example);
        all.putAll(extra);
        if (distinctField != null) {
            all.put(distinctField, all.getOrDefault(distinctField, "value") + "-{i}");
        }
        for (Map.Entry<String, String> e : all.entrySet()) {
            if (e.getKey().equals("body")) {
                r.put("body", e.getValue());
            } else if (e.getKey().startsWith("resource.")) {
                resource.put(e.getKey().substring("resource.".length()), e.getValue());
            } else {
                attributes.put(e.getKey(), e.getValue());
            }
        }
        if (!resource.isEmpty()) {
            r.put("resource", resource);
        }
        if (!attributes.isEmpty()) {
            r.put("attributes", attributes);
        }
        return r;
    }

    private Path write(Path file, Map<String, Object> content) throws IOException {
        Files.writeString(
                file,
                "# Generated by `vigil rules import-sigma` from a Sigma rule (Sigma format: SigmaHQ).\n"
                        + yamlOut.writeValueAsString(content));
        return file;
    }

    /** A Vigil id from the Sigma rule's name, else its file name. */
    private static String id(Doc d) {
        Object name = d.body().get("name");
        String stem = d.file().getFileName().toString().replaceAll("\\.ya?ml$", "");
        // Unnamed rules: the file's name for its first rule, with the title for the others of the same file.
        String base = name != null
                ? String.valueOf(name)
                : d.line() == 1 ? stem : stem + "-" + d.body().getOrDefault("title", d.line());
        String slug =
                base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        String id = "sigma-" + slug;
        return id.length() > 120 ? id.substring(0, 120) : id;
    }

    private static String severity(Object level) {
        if (level == null) {
            return "medium";
        }
        return switch (String.valueOf(level).toLowerCase(Locale.ROOT)) {
            case "informational" -> "info";
            case "low" -> "low";
            case "high" -> "high";
            case "critical" -> "critical";
            default -> "medium";
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
