package io.vigil.privacy;

import com.fasterxml.jackson.core.JsonLocation;
import io.vigil.model.TelemetryField;
import io.vigil.rules.RuleException;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleLocations;
import io.vigil.rules.RuleProblem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a privacy policy from YAML ({@code rules/_privacy.yaml}) and checks it before anything runs: every problem is
 * reported at once, as {@code file:line:col: message (hint)} like the rule loader's.
 *
 * <pre>
 * hash: {length: 16}                 # hex digits of HMAC-SHA256 kept after "h:"
 * dead_letters: redact               # keep | redact | drop (the raw bytes)
 * detectors:                         # free text: body, name, attribute values
 *   email: {action: placeholder, where: before_detection}
 * fields:                            # by field name as rules write it; * matches any characters
 *   user.name: {action: hash, where: outputs}
 *   card.number: {action: mask, keep_suffix: 4}
 * </pre>
 */
public final class PolicyLoader {
    /** The policy's file name in a rules folder; files starting with {@code _} are not rules. */
    public static final String FILE_NAME = "_privacy.yaml";

    private static final List<String> TOP = List.of("hash", "dead_letters", "detectors", "fields");
    private static final List<String> FIELD_KEYS = List.of("action", "where", "keep_prefix", "keep_suffix");
    private static final List<String> DETECTOR_KEYS = List.of("action", "where");
    /** Top-level fields a rule may target; the others are numbers or enumerations that hold no personal data. */
    private static final List<String> TEXT_FIELDS = List.of("name", "body", "trace_id", "span_id", "parent_span_id");

    private PolicyLoader() {}

    /** Reads the policy in {@code file}; throws {@link RuleException} with every problem. */
    public static PrivacyPolicy load(Path file) throws IOException {
        List<RuleProblem> problems = new ArrayList<>();
        String text = RuleLoader.readText(file, problems);
        if (text == null) {
            throw new RuleException(problems);
        }
        return parse(text, file.toString());
    }

    /** Parses policy YAML (or JSON) read from {@code source}; throws {@link RuleException} with every problem. */
    public static PrivacyPolicy parse(String text, String source) {
        // Read as rule files are, so YAML errors, duplicate fields and locations are reported the same way.
        List<RuleProblem> problems = new ArrayList<>();
        List<RuleLoader.Document> docs = new ArrayList<>();
        try {
            RuleLoader.readDocuments(text, source, problems, docs::add);
        } catch (IOException e) {
            throw new RuleException(List.of(new RuleProblem(source, 1, 1, e.getMessage(), null)));
        }
        if (docs.size() > 1) {
            JsonLocation l = docs.get(1).start();
            problems.add(new RuleProblem(
                    source, l.getLineNr(), l.getColumnNr(), "a policy file holds one YAML document", null));
        }
        if (!problems.isEmpty()) {
            throw new RuleException(problems);
        }
        Object doc = docs.isEmpty() ? null : docs.get(0).value();
        Map<String, int[]> at = docs.isEmpty() ? Map.of() : docs.get(0).locations();
        Check c = new Check(source, at, problems);
        Map<String, Object> top = c.mapping(doc == null ? Map.of() : doc, "", "the policy must be a mapping", TOP);
        int hashLength = PrivacyPolicy.DEFAULT_HASH_LENGTH;
        if (top.get("hash") != null) {
            Map<String, Object> h = c.mapping(top.get("hash"), "hash", "'hash' must be a mapping", List.of("length"));
            if (h.get("length") != null) {
                hashLength = c.integer(h.get("length"), "hash.length", 8, 64);
            }
        }
        PrivacyPolicy.DeadLetterBytes deadLetters = PrivacyPolicy.DeadLetterBytes.REDACT;
        if (top.get("dead_letters") != null) {
            deadLetters = c.choice(
                    top.get("dead_letters"), "dead_letters", PrivacyPolicy.DeadLetterBytes.values(), d -> d.id);
        }
        Map<TextDetector, PrivacyPolicy.DetectorRule> detectors = new EnumMap<>(TextDetector.class);
        if (top.get("detectors") != null) {
            Map<String, Object> m = c.mapping(
                    top.get("detectors"), "detectors", "'detectors' must map detector names to settings", null);
            for (Map.Entry<String, Object> e : m.entrySet()) {
                String path = "detectors." + e.getKey();
                TextDetector d = TextDetector.byId(e.getKey());
                if (d == null) {
                    c.problem(
                            path,
                            "unknown detector '" + e.getKey() + "'",
                            hint(e.getKey(), TextDetector.ids(), "detectors"));
                    continue;
                }
                Map<String, Object> s =
                        c.mapping(e.getValue(), path, "a detector's settings are a mapping", DETECTOR_KEYS);
                PrivacyPolicy.Replacement with = s.get("action") == null
                        ? PrivacyPolicy.Replacement.PLACEHOLDER
                        : c.choice(s.get("action"), path + ".action", PrivacyPolicy.Replacement.values(), r -> r.id);
                PrivacyPolicy.Stage where = s.get("where") == null
                        ? PrivacyPolicy.Stage.BEFORE_DETECTION
                        : c.choice(s.get("where"), path + ".where", PrivacyPolicy.Stage.values(), w -> w.id);
                if (with != null && where != null) {
                    detectors.put(d, new PrivacyPolicy.DetectorRule(d, with, where));
                }
            }
        }
        List<PrivacyPolicy.FieldRule> fields = new ArrayList<>();
        if (top.get("fields") != null) {
            Map<String, Object> m =
                    c.mapping(top.get("fields"), "fields", "'fields' must map field names to settings", null);
            for (Map.Entry<String, Object> e : m.entrySet()) {
                PrivacyPolicy.FieldRule f = field(c, e.getKey(), e.getValue());
                if (f != null) {
                    fields.add(f);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new RuleException(problems);
        }
        return new PrivacyPolicy(source, hashLength, deadLetters, fields, detectors);
    }

    private static PrivacyPolicy.FieldRule field(Check c, String name, Object value) {
        String path = "fields." + name;
        Map<String, Object> s = c.mapping(value, path, "a field's settings are a mapping", FIELD_KEYS);
        String pattern = name.startsWith("attributes.")
                ? name.substring("attributes.".length())
                : name.startsWith("resource.") ? name.substring("resource.".length()) : name;
        if (pattern.isEmpty() || pattern.equals("*")) {
            c.problem(path, "field pattern '" + name + "' matches every field", "name the fields to protect");
            return null;
        }
        if (s.get("action") == null) {
            c.problem(path, "field '" + name + "' needs an action", "one of: drop, mask, hash, generalize");
            return null;
        }
        PrivacyPolicy.Action action =
                c.choice(s.get("action"), path + ".action", PrivacyPolicy.Action.values(), a -> a.id);
        PrivacyPolicy.Stage where = s.get("where") == null
                ? PrivacyPolicy.Stage.OUTPUTS
                : c.choice(s.get("where"), path + ".where", PrivacyPolicy.Stage.values(), w -> w.id);
        int prefix = s.get("keep_prefix") == null ? 0 : c.integer(s.get("keep_prefix"), path + ".keep_prefix", 0, 64);
        int suffix = s.get("keep_suffix") == null ? 0 : c.integer(s.get("keep_suffix"), path + ".keep_suffix", 0, 64);
        if (action != PrivacyPolicy.Action.MASK && (s.get("keep_prefix") != null || s.get("keep_suffix") != null)) {
            c.problem(path + ".keep_prefix", "keep_prefix and keep_suffix only apply to action mask", null);
        }
        if (TelemetryField.TOP_LEVEL.contains(pattern) && !TEXT_FIELDS.contains(pattern)) {
            if (!pattern.equals("timestamp")) {
                c.problem(
                        path,
                        "field '" + pattern + "' is not text and holds no personal data",
                        "top-level fields a policy may name: " + String.join(", ", TEXT_FIELDS) + ", timestamp");
                return null;
            }
            if (action != PrivacyPolicy.Action.GENERALIZE) {
                c.problem(path + ".action", "the record's timestamp can only be generalized (to the minute)", null);
                return null;
            }
        }
        if (action == null || where == null) {
            return null;
        }
        return new PrivacyPolicy.FieldRule(pattern, action, where, prefix, suffix);
    }

    private static String hint(String word, List<String> known, String what) {
        String h = RuleLocations.didYouMean(word, known);
        return h != null ? h : "known " + what + ": " + String.join(", ", known);
    }

    /** Collects problems at the recorded location of each path. */
    private static final class Check {
        final String source;
        final Map<String, int[]> at;
        final List<RuleProblem> problems;

        Check(String source, Map<String, int[]> at, List<RuleProblem> problems) {
            this.source = source;
            this.at = at;
            this.problems = problems;
        }

        void problem(String path, String message, String hint) {
            // field names hold dots themselves (user.name): the lookup steps back to the enclosing known path
            int[] where = RuleLocations.at(at, path);
            if (where == null) {
                where = new int[] {1, 1};
            }
            problems.add(new RuleProblem(source, where[0], where[1], message, hint));
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> mapping(Object v, String path, String message, List<String> known) {
            if (!(v instanceof Map)) {
                problem(path, message, null);
                return Map.of();
            }
            Map<String, Object> m = (Map<String, Object>) v;
            if (known != null) {
                for (String k : m.keySet()) {
                    if (!known.contains(k)) {
                        problem(
                                path.isEmpty() ? k : path + "." + k,
                                "unknown field '" + k + "'",
                                hint(k, known, "fields"));
                    }
                }
            }
            return m;
        }

        int integer(Object v, String path, int min, int max) {
            if (v instanceof Number n
                    && n.doubleValue() == n.intValue()
                    && n.intValue() >= min
                    && n.intValue() <= max) {
                return n.intValue();
            }
            problem(
                    path + RuleLoader.VALUE,
                    "'" + last(path) + "' must be a whole number from " + min + " to " + max + ", got " + v,
                    null);
            return min;
        }

        <E> E choice(Object v, String path, E[] values, java.util.function.Function<E, String> id) {
            List<String> ids = new ArrayList<>();
            for (E e : values) {
                ids.add(id.apply(e));
                if (id.apply(e).equals(v)) {
                    return e;
                }
            }
            problem(
                    path + RuleLoader.VALUE,
                    "'" + last(path) + "' is '" + v + "'",
                    "one of: " + String.join(", ", ids));
            return null;
        }

        private static String last(String path) {
            int dot = path.lastIndexOf('.');
            return dot < 0 ? path : path.substring(dot + 1);
        }
    }
}
