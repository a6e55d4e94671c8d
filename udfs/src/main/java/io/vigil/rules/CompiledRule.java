package io.vigil.rules;

import io.vigil.detect.Detector;
import io.vigil.model.Telemetry;
import java.util.List;

/**
 * A rule ready to run in one operator instance: its spec, its record filter, how to key records, and its kind's
 * detector. Built from the rule's JSON in each operator (compiled CEL programs are not serializable).
 */
public final class CompiledRule {
    /** Separates the parts of a routing key; a control character cannot appear in YAML-written values by accident. */
    public static final char KEY_SEPARATOR = '\u001f';
    /**
     * Escapes a separator (and itself) inside a key value. Values come from telemetry, where an attacker can write any
     * character (a user name in a failed login): unescaped, a separator in one value would shift the others, and the
     * alert would name someone else's address. Ordinary values contain neither and keep their keys unchanged.
     */
    private static final char KEY_ESCAPE = '\u001e';

    public final RuleSpec spec;
    /** {@link RuleCodec} JSON: two compiled rules with the same JSON are the same rule. */
    public final String json;

    public final RecordFilter filter;
    public final RuleKind kind;
    /** Null for graph kinds. */
    public final Detector detector;
    /** Minimum milliseconds between firing alerts for one key; 0 means every alert goes out. */
    public final long realertMillis;

    public CompiledRule(
            RuleSpec spec, String json, RecordFilter filter, RuleKind kind, Detector detector, long realertMillis) {
        this.spec = spec;
        this.json = json;
        this.filter = filter;
        this.kind = kind;
        this.detector = detector;
        this.realertMillis = realertMillis;
    }

    public String id() {
        return spec.id;
    }

    public List<String> keyBy() {
        return spec.keyBy;
    }

    /**
     * The routing key of a record for this rule: rule id then each key_by value, so one keyed operator holds the state
     * of every rule and key. A missing key field keys as the empty string.
     */
    public String keyOf(Telemetry t) {
        StringBuilder b = new StringBuilder(spec.id);
        for (String f : spec.keyBy) {
            String v = t.get(f);
            b.append(KEY_SEPARATOR);
            if (v != null) {
                escape(v, b);
            }
        }
        return b.toString();
    }

    private static void escape(String v, StringBuilder b) {
        if (v.indexOf(KEY_SEPARATOR) < 0 && v.indexOf(KEY_ESCAPE) < 0) {
            b.append(v);
            return;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == KEY_ESCAPE) {
                b.append(KEY_ESCAPE).append('0');
            } else if (c == KEY_SEPARATOR) {
                b.append(KEY_ESCAPE).append('1');
            } else {
                b.append(c);
            }
        }
    }

    private static String unescape(String part) {
        if (part.indexOf(KEY_ESCAPE) < 0) {
            return part;
        }
        StringBuilder b = new StringBuilder(part.length());
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == KEY_ESCAPE && i + 1 < part.length()) {
                b.append(part.charAt(++i) == '1' ? KEY_SEPARATOR : KEY_ESCAPE);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The key_by field values encoded in a routing key, in key_by order. */
    public java.util.Map<String, String> keyFields(String routingKey) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        String[] parts = routingKey.split(String.valueOf(KEY_SEPARATOR), -1);
        for (int i = 0; i < spec.keyBy.size() && i + 1 < parts.length; i++) {
            m.put(spec.keyBy.get(i), unescape(parts[i + 1]));
        }
        return m;
    }

    /** The rule id part of a routing key. */
    public static String ruleIdOf(String routingKey) {
        int i = routingKey.indexOf(KEY_SEPARATOR);
        return i < 0 ? routingKey : routingKey.substring(0, i);
    }
}
