package io.vigil.rules;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads rule YAML files. A file holds one rule, a list of rules, or {@code rules: [...]}; several YAML documents may
 * follow each other. While reading, the loader records the line and column of every field so that each problem found
 * later (by the loader, a kind, or the validator) points at the exact place in the file.
 *
 * <p>Rules in files whose name starts with {@code _}, test files ({@code *.test.yaml}) and hidden files and folders
 * (a name starting with {@code .}) are not rules.
 */
public final class RuleLoader {
    private static final YAMLFactory YAML = new YAMLFactory();
    /** Suffix of a field path whose location is that of the field's scalar value rather than its name. */
    public static final String VALUE = "@value";

    private RuleLoader() {}

    /** Every rule file under the given files or folders, in a stable order. */
    public static List<Path> ruleFiles(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    files.addAll(s.filter(f -> !hidden(p.relativize(f)))
                            .filter(Files::isRegularFile)
                            .filter(RuleLoader::isRuleFile)
                            .sorted()
                            .collect(Collectors.toList()));
                }
            } else {
                files.add(p);
            }
        }
        return files;
    }

    /**
     * Whether a path inside a rules folder is hidden (a name on the way starts with '.'). Hidden entries are not
     * rules: a Kubernetes ConfigMap volume holds every file twice, in a hidden timestamped folder
     * ({@code ..2026_12_04_...}, behind the {@code ..data} link) and as a link into it, so walking into the hidden
     * folder would load every rule twice; editors' swap files and {@code .git} are hidden too.
     */
    private static boolean hidden(Path relative) {
        for (Path name : relative) {
            if (name.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    static boolean isRuleFile(Path f) {
        String n = f.getFileName().toString();
        return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.startsWith("_") && !n.contains(".test.");
    }

    /** Loads and parses rules, without compiling them; problems of form (YAML, unknown fields, types) are thrown. */
    public static List<RuleSpec> load(List<Path> paths) throws IOException {
        List<RuleSpec> specs = new ArrayList<>();
        List<RuleProblem> problems = new ArrayList<>();
        for (Path f : ruleFiles(paths)) {
            read(f, specs, problems);
        }
        if (!problems.isEmpty()) {
            throw new RuleException(problems);
        }
        return specs;
    }

    /** Reads one file, adding its rules to {@code specs} and its problems to {@code problems}. */
    public static void read(Path file, List<RuleSpec> specs, List<RuleProblem> problems) throws IOException {
        String name = file.toString();
        String text = readText(file, problems);
        if (text == null) {
            return;
        }
        readDocuments(text, name, problems, d -> collect(d.value(), name, d.start(), d.locations(), specs, problems));
    }

    /**
     * One YAML document of a rules-folder file: its value (maps, lists and scalars), where it starts, and where each
     * field path starts ({@code a.b}, {@code a[0]}, and {@code a.b}{@link #VALUE} for a scalar value).
     */
    public record Document(Object value, JsonLocation start, Map<String, int[]> locations) {}

    /**
     * The text of a rules-folder file (rules, the privacy policy), or null after adding a problem at the first byte
     * that is not UTF-8.
     */
    public static String readText(Path file, List<RuleProblem> problems) throws IOException {
        return utf8(file.toString(), Files.readAllBytes(file), problems);
    }

    /**
     * Hands each YAML document of {@code text} to {@code each} as it is read. A problem of form (YAML syntax, a field
     * given twice, a binary value) is added to {@code problems} at its {@code name:line:col} and ends the reading.
     * Every loader of the rules folder's YAML reads through here, so all report problems alike.
     */
    public static void readDocuments(String text, String name, List<RuleProblem> problems, Consumer<Document> each)
            throws IOException {
        try (JsonParser p = YAML.createParser(text)) {
            while (p.nextToken() != null) {
                Map<String, int[]> locations = new HashMap<>();
                JsonLocation start = p.currentTokenLocation();
                Object doc = readValue(p, "", locations);
                each.accept(new Document(doc, start, locations));
            }
        } catch (DuplicateField e) {
            problems.add(new RuleProblem(name, e.line, e.column, e.getMessage(), null));
        } catch (UnsupportedValue e) {
            problems.add(new RuleProblem(
                    name, e.line, e.column, e.getMessage(), "write it as a string, number, boolean, list or mapping"));
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            problems.add(new RuleProblem(
                    name,
                    l == null ? 1 : l.getLineNr(),
                    l == null ? 1 : l.getColumnNr(),
                    "YAML syntax error: " + e.getOriginalMessage(),
                    null));
        }
    }

    /**
     * The file's text. A file in another encoding (a Latin-1 'é' in a description) is a problem at its first character
     * that is not UTF-8, instead of an exception that names neither the file nor the line.
     */
    private static String utf8(String file, byte[] bytes, List<RuleProblem> problems) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            String lenient = new String(bytes, StandardCharsets.UTF_8); // undecodable bytes become U+FFFD
            int bad = Math.max(0, lenient.indexOf('\uFFFD'));
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < bad; i++) {
                if (lenient.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            problems.add(
                    new RuleProblem(file, line, bad - lineStart + 1, "the file is not UTF-8 text", "save it as UTF-8"));
            return null;
        }
    }

    /** A mapping that names one field twice: YAML would silently keep the last, which hides rule mistakes. */
    private static final class DuplicateField extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int line;
        final int column;

        DuplicateField(String field, int firstLine, int line, int column) {
            super("duplicate field '" + field + "' (first at line " + firstLine + ")");
            this.line = line;
            this.column = column;
        }
    }

    /** A value no rule field can hold ({@code !!binary}): YAML allows it, a rule has no use for bytes. */
    private static final class UnsupportedValue extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int line;
        final int column;

        UnsupportedValue(String what, int line, int column) {
            super(what + " cannot be part of a rule");
            this.line = line;
            this.column = column;
        }
    }

    @SuppressWarnings("unchecked")
    private static void collect(
            Object doc,
            String file,
            JsonLocation start,
            Map<String, int[]> locations,
            List<RuleSpec> specs,
            List<RuleProblem> problems) {
        if (doc == null) {
            return;
        }
        if (doc instanceof Map && ((Map<String, Object>) doc).containsKey("rules")) {
            Object rules = ((Map<String, Object>) doc).get("rules");
            if (!(rules instanceof List)) {
                int[] at = locations.getOrDefault("rules", new int[] {start.getLineNr(), start.getColumnNr()});
                problems.add(new RuleProblem(file, at[0], at[1], "'rules' must be a list of rules", null));
                return;
            }
            List<Object> list = (List<Object>) rules;
            for (int i = 0; i < list.size(); i++) {
                addRule(list.get(i), "rules[" + i + "]", file, locations, specs, problems);
            }
        } else if (doc instanceof List) {
            List<Object> list = (List<Object>) doc;
            for (int i = 0; i < list.size(); i++) {
                addRule(list.get(i), "[" + i + "]", file, locations, specs, problems);
            }
        } else {
            locations.put("", new int[] {start.getLineNr(), start.getColumnNr()});
            addRule(doc, "", file, locations, specs, problems);
        }
    }

    private static void addRule(
            Object value,
            String prefix,
            String file,
            Map<String, int[]> locations,
            List<RuleSpec> specs,
            List<RuleProblem> problems) {
        int[] at = locations.getOrDefault(prefix, new int[] {1, 1});
        if (!(value instanceof Map)) {
            problems.add(new RuleProblem(file, at[0], at[1], "a rule must be a mapping of fields", null));
            return;
        }
        Map<String, int[]> own = new HashMap<>();
        String p = prefix.isEmpty() ? "" : prefix + ".";
        locations.forEach((k, v) -> {
            if (!prefix.isEmpty() && k.startsWith(p)) {
                own.put(k.substring(p.length()), v);
            } else if (prefix.isEmpty()) {
                own.put(k, v);
            }
        });
        try {
            RuleSpec spec = RuleCodec.JSON.convertValue(value, RuleSpec.class);
            spec.source = file + ":" + at[0];
            spec.locations = own;
            specs.add(spec);
        } catch (IllegalArgumentException e) {
            Throwable cause = e.getCause();
            String field = null;
            String message = e.getMessage();
            String hint = null;
            if (cause instanceof UnrecognizedPropertyException) {
                UnrecognizedPropertyException u = (UnrecognizedPropertyException) cause;
                field = u.getPropertyName();
                message = "unknown field '" + field + "'";
                List<String> known = new ArrayList<>();
                u.getKnownPropertyIds().forEach(o -> known.add(o.toString()));
                hint = RuleLocations.didYouMean(field, known);
                if (hint == null) {
                    hint = "known fields: " + String.join(", ", known);
                }
            } else if (cause instanceof JsonMappingException) {
                JsonMappingException m = (JsonMappingException) cause;
                field = m.getPath().isEmpty() ? null : m.getPath().get(0).getFieldName();
                message = (field == null ? "" : "field '" + field + "': ") + "wrong type: " + m.getOriginalMessage();
            }
            int[] where = field == null ? at : own.getOrDefault(field, at);
            problems.add(new RuleProblem(file, where[0], where[1], message, hint));
        }
    }

    /** Builds maps, lists and scalars from the YAML events, recording where each field path starts. */
    private static Object readValue(JsonParser p, String path, Map<String, int[]> locations) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, Object> m = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String k = p.currentName();
                JsonLocation l = p.currentTokenLocation();
                String child = path.isEmpty() ? k : path + "." + k;
                if (m.containsKey(k)) {
                    throw new DuplicateField(k, locations.get(child)[0], l.getLineNr(), l.getColumnNr());
                }
                locations.put(child, new int[] {l.getLineNr(), l.getColumnNr()});
                p.nextToken();
                m.put(k, readValue(p, child, locations));
            }
            return m;
        }
        if (t == JsonToken.START_ARRAY) {
            List<Object> list = new ArrayList<>();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String child = path + "[" + i++ + "]";
                JsonLocation l = p.currentTokenLocation();
                locations.put(child, new int[] {l.getLineNr(), l.getColumnNr()});
                list.add(readValue(p, child, locations));
            }
            return list;
        }
        if (t.isScalarValue()) {
            // Where the value itself starts (for a CEL expression, its position inside the file).
            JsonLocation l = p.currentTokenLocation();
            locations.put(path + VALUE, new int[] {l.getLineNr(), l.getColumnNr()});
        }
        switch (t) {
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getNumberValue() instanceof Integer ? (Object) p.getLongValue() : p.getNumberValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default: {
                // VALUE_EMBEDDED_OBJECT: a !!binary scalar, decoded to bytes by the YAML parser.
                JsonLocation l = p.currentTokenLocation();
                throw new UnsupportedValue(
                        t == JsonToken.VALUE_EMBEDDED_OBJECT ? "a binary value (!!binary)" : "a YAML " + t,
                        l.getLineNr(),
                        l.getColumnNr());
            }
        }
    }
}
