package io.vigil.alert;

import io.vigil.model.Alert;
import io.vigil.rules.Durations;
import io.vigil.rules.RuleSpec;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a rule's annotations for one alert. {@code {{ name }}} is replaced by a key field ({@code service.name}), or
 * one of {@code observed}, {@code expected}, {@code comparison}, {@code window}, {@code rule.id}, {@code rule.name},
 * {@code severity}, or a label. Unknown names render as {@code <name?>} so a typo shows instead of vanishing; the
 * validator reports them before a rule runs.
 */
public final class Templates {
    private static final Pattern VAR = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.\\-]+)\\s*}}");

    private Templates() {}

    /** Fills {@code alert.ruleName}, {@code alert.annotations} and {@code alert.message} from the rule. */
    public static void render(RuleSpec rule, Alert alert) {
        if (rule.name != null) {
            alert.ruleName = render(rule.name, alert);
        }
        for (Map.Entry<String, String> e : rule.annotations.entrySet()) {
            alert.annotations.put(e.getKey(), render(e.getValue(), alert));
        }
        if (rule.runbook != null) {
            alert.annotations.putIfAbsent("runbook", rule.runbook);
        }
        if (rule.owner != null) {
            alert.annotations.putIfAbsent("owner", rule.owner); // AlertEnricher prefers it to the catalog's owner
        }
        String summary = alert.annotations.get("summary");
        alert.message = summary != null ? summary : defaultMessage(alert);
    }

    public static String render(String template, Alert a) {
        Matcher m = VAR.matcher(template);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(value(m.group(1), a)));
        }
        m.appendTail(b);
        return b.toString();
    }

    /** The names a template refers to, for validation. */
    public static java.util.List<String> names(String template) {
        java.util.List<String> out = new java.util.ArrayList<>();
        Matcher m = VAR.matcher(template);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static String value(String name, Alert a) {
        switch (name) {
            case "observed":
                return number(a.observed);
            case "expected":
                return number(a.expected);
            case "comparison":
                return a.comparison == null ? "" : a.comparison;
            case "window":
                return Durations.format(a.windowEnd - a.windowStart);
            case "rule.id":
                return a.ruleId;
            case "rule.name":
                return a.ruleName;
            case "severity":
                return a.severity;
            case "service":
                return a.service == null ? "" : a.service;
            default:
                String v = a.keyFields.get(name);
                if (v == null) {
                    v = a.labels.get(name);
                }
                if (v == null && name.equals("service.name")) {
                    v = a.service;
                }
                return v == null ? "<" + name + "?>" : v;
        }
    }

    /** Numbers as people read them: whole numbers without a fraction, others with at most 3 decimals. */
    public static String number(double d) {
        if (Double.isNaN(d)) {
            return "n/a";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(java.util.Locale.ROOT, "%.3f", d)
                .replaceAll("0+$", "")
                .replaceAll("\\.$", "");
    }

    private static String defaultMessage(Alert a) {
        StringBuilder b = new StringBuilder(a.ruleName);
        if (!a.keyFields.isEmpty()) {
            b.append(" for ");
            boolean first = true;
            for (Map.Entry<String, String> e : a.keyFields.entrySet()) {
                b.append(first ? "" : ", ").append(e.getKey()).append('=').append(e.getValue());
                first = false;
            }
        }
        b.append(": observed ").append(number(a.observed));
        if (a.comparison != null) {
            b.append(' ').append(a.comparison).append(' ').append(number(a.expected));
        }
        return b.toString();
    }

    /**
     * The alert's rendered rule name as the start of a message: when the name has no template, the key values are
     * appended so that alerts of different keys read differently.
     */
    public static String titled(Alert a, String template, Map<String, String> keyFields) {
        String name = a.ruleName != null ? a.ruleName : template;
        boolean templated = template != null && template.contains("{{");
        return templated || keyFields.isEmpty() ? name : name + " " + keyFields.values();
    }
}
