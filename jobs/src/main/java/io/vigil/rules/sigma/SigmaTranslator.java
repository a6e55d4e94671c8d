package io.vigil.rules.sigma;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One Sigma detection rule into a Vigil rule: the logsource into {@code match:} ({@link SigmaMapping}), the detection
 * (selections, modifiers, condition) into one CEL {@code where:} made only of the forms that run as plain Java
 * predicates ({@code 'f' in attributes}, {@code ==}, {@code contains}, {@code startsWith}, {@code endsWith},
 * {@code matches}, {@code && || !}), and a record that satisfies it, for the generated rule test.
 *
 * <p>Sigma matches strings case-insensitively; these translations compare case-sensitively (see the Sigma import
 * page), since CEL's case folding would not run at match speed.
 */
final class SigmaTranslator {
    /** Why a rule cannot be translated, with a word of the rule to find its line by. */
    static final class Untranslatable extends Exception {
        private static final long serialVersionUID = 1L;
        final String near;

        Untranslatable(String reason, String near) {
            super(reason);
            this.near = near;
        }
    }

    /**
     * A translated condition and an example record that satisfies it (null fields when none could be made), with the
     * example's fields that must keep their value at the start ({@code startswith}, {@code ^...}) or at the end
     * ({@code endswith}, {@code ...$}) of the field: when an AND joins two values of one field, these decide which
     * goes first.
     */
    record Expr(
            String cel,
            Map<String, String> example,
            boolean exampleKnown,
            Set<String> anchoredAtStart,
            Set<String> anchoredAtEnd) {
        Expr(String cel, Map<String, String> example, boolean exampleKnown) {
            this(cel, example, exampleKnown, Set.of(), Set.of());
        }
    }

    private final SigmaMapping mapping;

    SigmaTranslator(SigmaMapping mapping) {
        this.mapping = mapping;
    }

    /** The detection as a CEL condition with an example. */
    @SuppressWarnings("unchecked")
    Expr detection(Map<String, Object> doc) throws Untranslatable {
        Object det = doc.get("detection");
        if (!(det instanceof Map<?, ?> detection)) {
            throw new Untranslatable("no detection", "detection");
        }
        Map<String, Expr> selections = new LinkedHashMap<>();
        Object condition = null;
        for (Map.Entry<?, ?> e : detection.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (name.equals("condition")) {
                condition = e.getValue();
            } else if (name.equals("timeframe")) {
                throw new Untranslatable("'timeframe' belongs to Sigma's deprecated aggregations", "timeframe");
            } else {
                selections.put(name, selection(name, e.getValue()));
            }
        }
        if (condition instanceof List<?> list) {
            if (list.size() != 1) {
                throw new Untranslatable("several conditions in one rule", "condition");
            }
            condition = list.get(0);
        }
        if (!(condition instanceof String text)) {
            throw new Untranslatable("no condition", "detection");
        }
        SigmaCondition.Node tree;
        try {
            tree = SigmaCondition.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Untranslatable(e.getMessage(), "condition");
        }
        return condition(tree, selections);
    }

    private Expr condition(SigmaCondition.Node n, Map<String, Expr> selections) throws Untranslatable {
        if (n instanceof SigmaCondition.Ref r) {
            Expr e = selections.get(r.name());
            if (e == null) {
                throw new Untranslatable("the condition names '" + r.name() + "', which is no selection", "condition");
            }
            return e;
        }
        if (n instanceof SigmaCondition.Not not) {
            Expr inner = condition(not.inner(), selections);
            // A record without the negated selection's fields satisfies the negation; the example adds none.
            return new Expr("!(" + inner.cel() + ")", Map.of(), true);
        }
        if (n instanceof SigmaCondition.And and) {
            List<Expr> parts = new ArrayList<>();
            for (SigmaCondition.Node p : and.parts()) {
                parts.add(condition(p, selections));
            }
            return combine(parts, true);
        }
        if (n instanceof SigmaCondition.Or or) {
            List<Expr> parts = new ArrayList<>();
            for (SigmaCondition.Node p : or.parts()) {
                parts.add(condition(p, selections));
            }
            return combine(parts, false);
        }
        SigmaCondition.Of of = (SigmaCondition.Of) n;
        String glob = of.pattern().equals("them") ? "*" : of.pattern();
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(
                java.util.regex.Pattern.quote(glob).replace("*", "\\E.*\\Q"));
        List<Expr> parts = new ArrayList<>();
        for (Map.Entry<String, Expr> e : selections.entrySet()) {
            if (p.matcher(e.getKey()).matches()) {
                parts.add(e.getValue());
            }
        }
        if (parts.isEmpty()) {
            throw new Untranslatable("'" + of.pattern() + "' names no selection", "condition");
        }
        return combine(parts, of.all());
    }

    /** AND or OR of parts; an AND's example merges its parts' (unknown on a conflict), an OR's is its first part's. */
    private static Expr combine(List<Expr> parts, boolean and) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        List<String> cels = new ArrayList<>();
        for (Expr e : parts) {
            cels.add("(" + e.cel() + ")");
        }
        String cel = String.join(and ? " && " : " || ", cels);
        if (!and) {
            Expr first = parts.get(0);
            return new Expr(cel, first.example(), first.exampleKnown(), first.anchoredAtStart(), first.anchoredAtEnd());
        }
        Map<String, String> example = new LinkedHashMap<>();
        Set<String> atStart = new TreeSet<>();
        Set<String> atEnd = new TreeSet<>();
        boolean known = true;
        for (Expr e : parts) {
            known &= e.exampleKnown();
            for (Map.Entry<String, String> f : e.example().entrySet()) {
                String field = f.getKey();
                String before = example.putIfAbsent(field, f.getValue());
                if (before != null && !before.equals(f.getValue())) {
                    // Two parts want the same field: both fit when one value holds the other (contains, ends...).
                    // Else both values one after the other, which satisfies contains/startswith/endswith pairs if the
                    // one anchored at the end comes last and the one anchored at the start first; where it does not
                    // (two different equalities), the generated test fails and says so.
                    if (f.getValue().contains(before)) {
                        example.put(field, f.getValue());
                    } else if (!before.contains(f.getValue())) {
                        boolean newFirst = e.anchoredAtStart().contains(field) || atEnd.contains(field);
                        example.put(field, newFirst ? f.getValue() + before : before + f.getValue());
                    }
                }
                if (e.anchoredAtStart().contains(field)) atStart.add(field);
                if (e.anchoredAtEnd().contains(field)) atEnd.add(field);
            }
        }
        return new Expr(cel, example, known, atStart, atEnd);
    }

    /** A selection: a map (AND of fields), a list of maps (OR), or a list of keywords (OR over the message). */
    private Expr selection(String name, Object value) throws Untranslatable {
        if (value instanceof Map<?, ?> m) {
            List<Expr> parts = new ArrayList<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                parts.add(field(String.valueOf(e.getKey()), e.getValue()));
            }
            if (parts.isEmpty()) {
                throw new Untranslatable("selection '" + name + "' is empty", name);
            }
            return combine(parts, true);
        }
        if (value instanceof List<?> list && !list.isEmpty()) {
            List<Expr> parts = new ArrayList<>();
            for (Object o : list) {
                if (o instanceof Map<?, ?>) {
                    parts.add(selection(name, o));
                } else if (o instanceof String || o instanceof Number) {
                    parts.add(field("|contains", String.valueOf(o)));
                } else {
                    throw new Untranslatable("selection '" + name + "' holds " + o, name);
                }
            }
            return combine(parts, false);
        }
        if (value instanceof String || value instanceof Number) {
            return field("|contains", String.valueOf(value));
        }
        throw new Untranslatable("selection '" + name + "' is neither a map nor a list", name);
    }

    /** One {@code field|modifier|...: value(s)} entry; an empty field name is a keyword search of the message. */
    private Expr field(String key, Object value) throws Untranslatable {
        String[] parts = key.split("\\|", -1);
        String sigmaField = parts[0];
        String target = sigmaField.isEmpty() ? "body" : mapping.field(sigmaField);
        String op = "eq";
        boolean all = false;
        boolean windash = false;
        String reFlags = "";
        for (int i = 1; i < parts.length; i++) {
            String mod = parts[i].toLowerCase(Locale.ROOT);
            switch (mod) {
                case "contains", "startswith", "endswith", "re", "cidr", "exists" -> op = mod;
                case "all" -> all = true;
                case "windash" -> windash = true;
                case "cased" -> {} // already case-sensitive
                case "i", "m", "s" -> reFlags += mod;
                default -> throw new Untranslatable("modifier '" + mod + "' is not translated", "|" + parts[i]);
            }
        }
        if (sigmaField.isEmpty() && op.equals("eq")) {
            // A keyword search ('|all': [...]) finds its values anywhere in the message, as a plain keyword list does.
            op = "contains";
        }
        List<Object> values = value instanceof List<?> l
                ? new ArrayList<>(l)
                : new ArrayList<>(java.util.Collections.singletonList(value));
        if (values.isEmpty()) {
            throw new Untranslatable("field '" + sigmaField + "' has no values", sigmaField);
        }
        if (windash) {
            List<Object> expanded = new ArrayList<>();
            for (Object v : values) {
                expanded.add(v);
                if (v instanceof String s && s.contains("-")) {
                    for (String dash : List.of("/", "\u2013", "\u2014", "\u2015")) {
                        expanded.add(s.replace("-", dash));
                    }
                }
            }
            values = expanded;
        }
        Access a = access(target);
        List<Expr> terms = new ArrayList<>();
        for (Object v : values) {
            terms.add(term(a, target, op, v, reFlags, sigmaField));
        }
        if (all && op.equals("contains")) {
            // Every value somewhere in the field: the example holds them all, one after another.
            // Values keep their own spaces (' -c ' must stay ' -c '), so only the separators are added.
            List<String> cels = new ArrayList<>();
            List<String> examples = new ArrayList<>();
            for (Expr t : terms) {
                cels.add("(" + t.cel() + ")");
                examples.add(t.example().getOrDefault(target, ""));
            }
            return new Expr(String.join(" && ", cels), Map.of(target, String.join(" ", examples)), true);
        }
        return combine(terms, all);
    }

    /** How CEL reaches a Vigil field, and the guard that keeps a missing map key from being an error. */
    private record Access(String guard, String value) {}

    private static Access access(String target) {
        if (target.equals("body")) {
            return new Access(null, "body");
        }
        if (target.startsWith("resource.")) {
            String k = cel(target.substring("resource.".length()));
            return new Access(k + " in resource", "resource[" + k + "]");
        }
        String k = cel(target);
        return new Access(k + " in attributes", "attributes[" + k + "]");
    }

    private Expr term(Access a, String target, String op, Object value, String reFlags, String sigmaField)
            throws Untranslatable {
        if (op.equals("exists")) {
            boolean want = Boolean.TRUE.equals(value) || "true".equals(String.valueOf(value));
            if (a.guard() == null) {
                return new Expr(want ? "true" : "false", Map.of(), true);
            }
            return new Expr(want ? a.guard() : "!(" + a.guard() + ")", want ? Map.of(target, "x") : Map.of(), true);
        }
        if (value == null) {
            if (a.guard() == null) {
                throw new Untranslatable("a null message cannot be tested", sigmaField);
            }
            return new Expr("!(" + a.guard() + ")", Map.of(), true);
        }
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
            throw new Untranslatable(
                    "value " + value + " of '" + sigmaField + "' is not a string or number", sigmaField);
        }
        String v = String.valueOf(value);
        String check;
        String example;
        boolean atStart;
        boolean atEnd;
        switch (op) {
            case "re" -> {
                String regex = (reFlags.isEmpty() ? "" : "(?" + reFlags + ")") + v;
                try {
                    Pattern.compile(regex);
                } catch (PatternSyntaxException e) {
                    throw new Untranslatable(
                            "regex of '" + sigmaField + "' is not RE2 syntax (" + e.getDescription() + ")", sigmaField);
                }
                check = a.value() + ".matches(" + cel(regex) + ")";
                example = regexExample(regex);
                atStart = v.startsWith("^");
                atEnd = v.endsWith("$") && !v.endsWith("\\$");
            }
            case "cidr" -> {
                String[] r = cidrRegex(v, sigmaField);
                check = a.value() + ".matches(" + cel(r[0]) + ")";
                example = r[1];
                atStart = true;
                atEnd = true;
            }
            default -> {
                // eq, contains, startswith, endswith: a glob over the value with Sigma's * and ? wildcards.
                String glob = switch (op) {
                    case "contains" -> "*" + v + "*";
                    case "startswith" -> v + "*";
                    case "endswith" -> "*" + v;
                    default -> v;
                };
                String[] g = glob(a.value(), glob);
                check = g[0];
                example = g[1];
                atStart = !glob.startsWith("*");
                atEnd = !glob.endsWith("*") || glob.endsWith("\\*");
            }
        }
        String cel = a.guard() == null ? check : a.guard() + " && " + check;
        if (example == null) {
            return new Expr(cel, Map.of(), false);
        }
        return new Expr(
                cel,
                Map.of(target, example),
                true,
                atStart ? Set.of(target) : Set.of(),
                atEnd ? Set.of(target) : Set.of());
    }

    /** CEL for a Sigma glob and an example value: {@code ==}, starts/ends/contains where it can, else a regex. */
    private static String[] glob(String value, String glob) {
        List<Object> tokens = new ArrayList<>(); // String literal runs, or Character '*' / '?'
        StringBuilder lit = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '\\' && i + 1 < glob.length() && "*?\\".indexOf(glob.charAt(i + 1)) >= 0) {
                lit.append(glob.charAt(++i));
            } else if (c == '*' || c == '?') {
                if (lit.length() > 0) {
                    tokens.add(lit.toString());
                    lit.setLength(0);
                }
                if (!(c == '*' && !tokens.isEmpty() && Character.valueOf('*').equals(tokens.get(tokens.size() - 1)))) {
                    tokens.add(c);
                }
            } else {
                lit.append(c);
            }
        }
        if (lit.length() > 0) {
            tokens.add(lit.toString());
        }
        StringBuilder example = new StringBuilder();
        for (Object t : tokens) {
            example.append(t instanceof String s ? s : t.equals('?') ? "x" : "");
        }
        boolean leading = !tokens.isEmpty() && Character.valueOf('*').equals(tokens.get(0));
        boolean trailing = !tokens.isEmpty() && Character.valueOf('*').equals(tokens.get(tokens.size() - 1));
        List<Object> inner =
                tokens.subList(leading ? 1 : 0, Math.max(leading ? 1 : 0, tokens.size() - (trailing ? 1 : 0)));
        if (inner.isEmpty()) {
            return new String[] {leading || trailing ? "true" : value + " == ''", example.toString()};
        }
        if (inner.size() == 1 && inner.get(0) instanceof String s) {
            String lit2 = cel(s);
            String c = leading && trailing
                    ? value + ".contains(" + lit2 + ")"
                    : leading
                            ? value + ".endsWith(" + lit2 + ")"
                            : trailing ? value + ".startsWith(" + lit2 + ")" : value + " == " + lit2;
            return new String[] {c, example.toString()};
        }
        StringBuilder re = new StringBuilder(leading ? "" : "^");
        for (Object t : inner) {
            re.append(t instanceof String s ? quote(s) : t.equals('?') ? "." : ".*");
        }
        if (!trailing) {
            re.append('$');
        }
        return new String[] {value + ".matches(" + cel(re.toString()) + ")", example.toString()};
    }

    /** An IPv4 CIDR as an anchored regex over the dotted address, and its first host as the example. */
    private static String[] cidrRegex(String cidr, String field) throws Untranslatable {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)/(\\d+)")
                .matcher(cidr.trim());
        if (!m.matches()) {
            throw new Untranslatable(
                    "cidr '" + cidr + "' of '" + field + "' is not IPv4 (IPv6 is not translated)", field);
        }
        int prefix = Integer.parseInt(m.group(5));
        int[] o = new int[4];
        for (int i = 0; i < 4; i++) {
            o[i] = Integer.parseInt(m.group(i + 1));
        }
        StringBuilder re = new StringBuilder("^");
        for (int i = 0; i < 4; i++) {
            int bits = Math.max(0, Math.min(8, prefix - 8 * i));
            if (i > 0) {
                re.append("\\.");
            }
            if (bits == 8) {
                re.append(o[i]);
            } else if (bits == 0) {
                re.append("\\d{1,3}");
            } else {
                int base = o[i] & (0xff << (8 - bits)) & 0xff;
                List<String> alts = new ArrayList<>();
                for (int x = base; x < base + (1 << (8 - bits)); x++) {
                    alts.add(Integer.toString(x));
                }
                re.append('(').append(String.join("|", alts)).append(')');
            }
        }
        re.append('$');
        int[] host = o.clone();
        for (int i = 0; i < 4; i++) {
            int bits = Math.max(0, Math.min(8, prefix - 8 * i));
            host[i] = o[i] & (0xff << (8 - bits)) & 0xff;
        }
        if (prefix < 32) {
            host[3] |= 1;
        }
        return new String[] {re.toString(), host[0] + "." + host[1] + "." + host[2] + "." + host[3]};
    }

    /** A string the regex finds, from its literal text with the simplest reading of its syntax; null if none works. */
    static String regexExample(String regex) {
        Pattern p = Pattern.compile(regex);
        List<String> candidates = new ArrayList<>();
        String plain = regex.replaceAll("^\\(\\?[a-z]+\\)", "")
                .replaceAll("\\\\([.\\\\/()\\[\\]{}*+?|^$-])", "$1")
                .replaceAll("[\\^$]", "");
        candidates.add(plain);
        candidates.add(plain.replaceAll("\\[([^\\]])[^\\]]*\\]", "$1").replaceAll("[+*?]|\\{\\d+(,\\d*)?\\}", ""));
        candidates.add(candidates.get(1).replace(".", "a").replace("\\s", " ").replace("\\d", "1"));
        candidates.add(candidates.get(1).replace("\\s", " ").replace("\\d", "1").replace("\\w", "a"));
        for (String c : candidates) {
            if (p.matcher(c).find()) {
                return c;
            }
        }
        return null;
    }

    /** A CEL string literal. */
    static String cel(String s) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\'' -> b.append("\\'");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(c);
            }
        }
        return b.append('\'').toString();
    }

    private static String quote(String literal) {
        StringBuilder b = new StringBuilder();
        for (char c : literal.toCharArray()) {
            if ("\\.^$|?*+()[]{}".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
