package io.vigil.rules.sigma;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Sigma {@code condition} as a tree: selection names, {@code not}, {@code and}, {@code or} (tighter to looser, as
 * the Sigma specification orders them), parentheses, and {@code 1 of X*} / {@code all of X*} / {@code ... of them}.
 */
final class SigmaCondition {
    private SigmaCondition() {}

    sealed interface Node permits Ref, Not, And, Or, Of {}

    record Ref(String name) implements Node {}

    record Not(Node inner) implements Node {}

    record And(List<Node> parts) implements Node {}

    record Or(List<Node> parts) implements Node {}

    /** {@code 1 of pattern} (all = false) or {@code all of pattern}; pattern "them" means every selection. */
    record Of(boolean all, String pattern) implements Node {}

    private static final Pattern TOKEN = Pattern.compile("\\s*(\\(|\\)|[^\\s()]+)");

    /** @throws IllegalArgumentException saying what is not understood */
    static Node parse(String text) {
        if (text.contains("|")) {
            throw new IllegalArgumentException("aggregation in the condition ('" + text.trim()
                    + "') is Sigma's deprecated form; write it as a correlation rule");
        }
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.lookingAt()) {
            tokens.add(m.group(1));
            m.region(m.end(), text.length());
        }
        if (!text.substring(m.regionStart()).isBlank()) {
            throw new IllegalArgumentException("cannot read condition '" + text + "'");
        }
        int[] at = {0};
        Node n = or(tokens, at);
        if (at[0] != tokens.size()) {
            throw new IllegalArgumentException("unexpected '" + tokens.get(at[0]) + "' in condition '" + text + "'");
        }
        return n;
    }

    private static Node or(List<String> t, int[] at) {
        List<Node> parts = new ArrayList<>(List.of(and(t, at)));
        while (at[0] < t.size() && t.get(at[0]).equalsIgnoreCase("or")) {
            at[0]++;
            parts.add(and(t, at));
        }
        return parts.size() == 1 ? parts.get(0) : new Or(parts);
    }

    private static Node and(List<String> t, int[] at) {
        List<Node> parts = new ArrayList<>(List.of(not(t, at)));
        while (at[0] < t.size() && t.get(at[0]).equalsIgnoreCase("and")) {
            at[0]++;
            parts.add(not(t, at));
        }
        return parts.size() == 1 ? parts.get(0) : new And(parts);
    }

    private static Node not(List<String> t, int[] at) {
        if (at[0] < t.size() && t.get(at[0]).equalsIgnoreCase("not")) {
            at[0]++;
            return new Not(not(t, at));
        }
        return atom(t, at);
    }

    private static Node atom(List<String> t, int[] at) {
        if (at[0] >= t.size()) {
            throw new IllegalArgumentException("condition ends too early");
        }
        String tok = t.get(at[0]++);
        if (tok.equals("(")) {
            Node n = or(t, at);
            if (at[0] >= t.size() || !t.get(at[0]).equals(")")) {
                throw new IllegalArgumentException("missing ')' in condition");
            }
            at[0]++;
            return n;
        }
        if ((tok.equals("1") || tok.equalsIgnoreCase("all"))
                && at[0] + 1 < t.size()
                && t.get(at[0]).equalsIgnoreCase("of")) {
            at[0]++;
            return new Of(tok.equalsIgnoreCase("all"), t.get(at[0]++));
        }
        if (tok.equals(")") || tok.equalsIgnoreCase("and") || tok.equalsIgnoreCase("or")) {
            throw new IllegalArgumentException("unexpected '" + tok + "' in condition");
        }
        return new Ref(tok);
    }
}
