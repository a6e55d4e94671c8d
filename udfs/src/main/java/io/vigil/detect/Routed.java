package io.vigil.detect;

import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A record on its way to the detectors: the key of one key group (see {@link CompiledRule#groupKeyOf}), the ids of the
 * rules of that group it matched, and the record. One copy crosses the network per key group a record matches, not
 * one per rule. Serialized by the hand-written {@link RoutedTypeInfo.RoutedSerializer}.
 */
@TypeInfo(RoutedTypeInfo.Factory.class)
public class Routed {
    public String key;
    /**
     * The ids of the rules the record matched; null for a record read off the wire with versions until {@link #ruleId}
     * needs one: read them through {@link #ruleCount} and {@link #ruleId}.
     */
    public String[] rules;
    /**
     * The {@link CompiledRule#fingerprint} of each rule's version the router matched, in the order of {@link #rules};
     * null when not known. The detectors find a running version by it without hashing the id read off the wire (a
     * tenth of their time with 200 matching rules), and by the id when that version no longer runs.
     */
    public long[] versions;

    public Telemetry record;

    /**
     * The rule ids as the wire carried them, when they came with versions: made {@link #rules} on first need
     * ({@link #ruleId}), since the detectors find rules by version and rarely need an id. Null otherwise.
     */
    transient byte[] ruleIdBytes;

    public Routed() {}

    public Routed(String key, String[] rules, Telemetry record) {
        this(key, rules, null, record);
    }

    public Routed(String key, String[] rules, long[] versions, Telemetry record) {
        this.key = key;
        this.rules = rules;
        this.versions = versions;
        this.record = record;
    }

    /** How many rules the record goes to. */
    public int ruleCount() {
        return rules != null ? rules.length : versions != null ? versions.length : 0;
    }

    /** The id of the {@code i}-th rule. */
    public String ruleId(int i) {
        if (rules == null && ruleIdBytes != null) {
            rules = RoutedTypeInfo.RoutedSerializer.ruleIds(ruleIdBytes, versions.length);
        }
        return rules[i];
    }

    /** The record routed to one rule alone, as the router routes it when no other rule of its group matches. */
    public static Routed to(CompiledRule rule, Telemetry record) {
        return new Routed(rule.groupKeyOf(record), new String[] {rule.id()}, new long[] {rule.fingerprint}, record);
    }
}
