package io.vigil.rules;

import io.vigil.detect.Detector;
import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /** The records routed to the rule: its match and where blocks, narrowed by its detector ({@link Detector#narrows}). */
    public final RecordFilter filter;

    public final RuleKind kind;
    /** Null for graph kinds. */
    public final Detector detector;
    /** Minimum milliseconds between firing alerts for one key; 0 means every alert goes out. */
    public final long realertMillis;
    /** How long the condition must hold before the alert fires ({@code for}); 0 fires on the first breach. */
    public final long forMillis;
    /** How long an incident stays firing after its condition cleared ({@code keep_firing_for}); 0 resolves at once. */
    public final long keepFiringForMillis;
    /**
     * A 64-bit fingerprint of {@link #json}: names this version of the rule. The detector operator keeps each rule's
     * keyed state and timers in a namespace of this value, so a changed rule starts clean by construction and no
     * per-record version check is needed. Boxed once here because state namespaces are objects.
     */
    public final Long fingerprint;
    /**
     * The key definition this rule shares with every rule of the same {@code key_by} list: records cross the network
     * once per key group they match, not once per rule. Interned, so rules of one group hold the same instance.
     */
    public final String keyGroup;
    /** The signals routed records may have, or an empty set for any: the rule index files the rule under each. */
    public final Set<Signal> signals;
    /**
     * Fields every routed record has with one of these texts: the rule's {@code match} block's, and its detector's
     * ({@link Detector#pinnedValues}) where they narrow it. The rule index files the rule under one of them.
     */
    public final Map<String, Set<String>> pinned;

    public CompiledRule(
            RuleSpec spec, String json, RecordFilter filter, RuleKind kind, Detector detector, long realertMillis) {
        this(spec, json, filter, kind, detector, realertMillis, 0, 0);
    }

    public CompiledRule(
            RuleSpec spec,
            String json,
            RecordFilter filter,
            RuleKind kind,
            Detector detector,
            long realertMillis,
            long forMillis,
            long keepFiringForMillis) {
        this.forMillis = forMillis;
        this.keepFiringForMillis = keepFiringForMillis;
        this.spec = spec;
        this.json = json;
        RecordFilter narrows = detector == null ? null : detector.narrows();
        this.filter = narrows == null ? filter : filter.and(narrows);
        this.kind = kind;
        this.detector = detector;
        this.realertMillis = realertMillis;
        this.fingerprint = fingerprint(json);
        this.keyGroup = String.join(",", spec.keyBy).intern();
        Signal s = Match.signal(spec);
        this.signals = s != null ? Set.of(s) : detector != null ? Set.copyOf(detector.signals()) : Set.of();
        Map<String, Set<String>> pins = new LinkedHashMap<>(Match.pinnedValues(spec));
        if (detector != null) {
            detector.pinnedValues().forEach((field, values) -> pins.merge(field, values, CompiledRule::both));
        }
        this.pinned = pins;
    }

    private static Set<String> both(Set<String> a, Set<String> b) {
        Set<String> s = new LinkedHashSet<>(a);
        s.retainAll(b);
        return s;
    }

    /**
     * A value no rule version's fingerprint has: the detectors' operator keeps what is not one rule's (timers that
     * several rules share) in this namespace of keyed state, beside the rule versions' own namespaces.
     */
    public static final long NO_VERSION = Long.MIN_VALUE;

    /**
     * The first 8 bytes of the SHA-256 of a rule's JSON: the same on every task and after every restart; never
     * {@link #NO_VERSION} (a digest starting with it, one in 2^64, is taken as the next value).
     */
    public static long fingerprint(String json) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            long fingerprint = ByteBuffer.wrap(digest).getLong();
            return fingerprint == NO_VERSION ? NO_VERSION + 1 : fingerprint;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
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
        return appendKeyValues(t, new StringBuilder(spec.id)).toString();
    }

    /**
     * The key of a record in this rule's key group: the group's {@link #keyGroup} then each key_by value, as in
     * {@link #keyOf}. Every rule of the group gives the same key for a record, so the record is shuffled once for all.
     */
    public String groupKeyOf(Telemetry t) {
        return appendKeyValues(t, new StringBuilder(keyGroup)).toString();
    }

    /**
     * Whether a key is one of this rule's key group: false for a record routed while the rule had another
     * {@code key_by} (an update arrived in between), which the rule then skips.
     */
    public boolean inGroup(String groupKey) {
        if (keyGroup.isEmpty()) {
            return groupKey.isEmpty();
        }
        return groupKey.length() > keyGroup.length()
                && groupKey.startsWith(keyGroup)
                && groupKey.charAt(keyGroup.length()) == KEY_SEPARATOR;
    }

    /** This rule's routing key (as {@link #keyOf}) for a key of its group (as {@link #groupKeyOf}). */
    public String ruleKey(String groupKey) {
        return spec.id.concat(groupKey.substring(keyGroup.length()));
    }

    private StringBuilder appendKeyValues(Telemetry t, StringBuilder b) {
        for (String f : spec.keyBy) {
            String v = t.get(f);
            b.append(KEY_SEPARATOR);
            if (v != null) {
                escape(v, b);
            }
        }
        return b;
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
    public Map<String, String> keyFields(String routingKey) {
        Map<String, String> m = new LinkedHashMap<>();
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
