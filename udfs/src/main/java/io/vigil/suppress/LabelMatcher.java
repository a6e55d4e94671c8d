package io.vigil.suppress;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One label matcher in Alertmanager's syntax: {@code name="value"}, {@code name!="value"}, {@code name=~"regex"},
 * {@code name!~"regex"} (quotes optional when the value has no spaces or commas). As in Alertmanager, a regex must
 * match the whole value, and a label the alert does not have counts as the empty string, so {@code team=""} matches
 * alerts without a team. Matched against the labels an Alertmanager sees for the alert
 * ({@link io.vigil.sink.notify.AlertmanagerPayload#labels}: {@code alertname} = rule id, {@code severity},
 * {@code service}, key fields and rule labels with Prometheus-safe names, {@code team}, {@code owner}).
 */
public final class LabelMatcher implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern SYNTAX = Pattern.compile(
            "\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[^\"\\s,=~!]*)\\s*");

    private final String text;
    private final String name;
    private final String op;
    private final String value;
    private final Pattern regex;

    private LabelMatcher(String text, String name, String op, String value) {
        this.text = text;
        this.name = name;
        this.op = op;
        this.value = value;
        Pattern p = null;
        if (op.endsWith("~")) {
            try {
                p = Pattern.compile("^(?:" + value + ")$");
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "matcher '" + text + "': not a valid regular expression: " + e.getDescription());
            }
        }
        this.regex = p;
    }

    /**
     * Parses one matcher.
     *
     * @throws IllegalArgumentException saying what is wrong and what a matcher looks like
     */
    public static LabelMatcher parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a matcher is empty; write one like service=\"payments\"");
        }
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("matcher '" + text + "' is not name=\"value\", name!=\"value\", "
                    + "name=~\"regex\" or name!~\"regex\" (label names are Prometheus-safe: letters, digits, _)");
        }
        String v = m.group(3);
        if (v.startsWith("\"")) {
            v = v.substring(1, v.length() - 1).replaceAll("\\\\(.)", "$1");
        }
        return new LabelMatcher(text.trim(), m.group(1), m.group(2), v);
    }

    /** Parses each matcher; problems of all of them in one message. */
    public static List<LabelMatcher> parseAll(List<String> texts) {
        List<LabelMatcher> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String t : texts) {
            try {
                out.add(parse(t));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return out;
    }

    /** Whether every matcher matches the labels (true for no matchers). */
    public static boolean all(List<LabelMatcher> matchers, Map<String, String> labels) {
        for (LabelMatcher m : matchers) {
            if (!m.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    public boolean matches(Map<String, String> labels) {
        String actual = labels.getOrDefault(name, "");
        return switch (op) {
            case "=" -> actual.equals(value);
            case "!=" -> !actual.equals(value);
            case "=~" -> regex.matcher(actual).matches();
            default -> !regex.matcher(actual).matches();
        };
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return text;
    }
}
