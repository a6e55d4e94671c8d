package io.vigil.privacy;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the job does to personal data: per field (an attribute, resource attribute or top-level field, {@code *}
 * globs allowed) an action, per free-text detector a replacement, each applied either before detection or on the
 * outputs only; and what happens to the raw bytes of dead letters. Read from YAML by {@link PolicyLoader}. Holds no
 * secret: the hash key is read by each operator from where {@link PrivacySettings} says.
 */
public final class PrivacyPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Where a rule applies. */
    public enum Stage {
        /** Right after decoding: detectors, rules and every output see only the redacted value. */
        BEFORE_DETECTION("before_detection"),
        /** Detection sees the raw value; alerts, rollups and dead letters get the redacted one. */
        OUTPUTS("outputs");

        public final String id;

        Stage(String id) {
            this.id = id;
        }
    }

    /** What a field rule does to the field's value. */
    public enum Action {
        /** Removes the field (an attribute), or empties it (body, name). */
        DROP("drop"),
        /** Keeps {@code keep_prefix} leading and {@code keep_suffix} trailing characters, stars the rest. */
        MASK("mask"),
        /** Replaces the value by its keyed pseudonym ({@link Pseudonyms}). */
        HASH("hash"),
        /** IPv4 to its /24, IPv6 to its /48, times to the minute ({@link Generalize}); anything else is masked. */
        GENERALIZE("generalize");

        public final String id;

        Action(String id) {
            this.id = id;
        }
    }

    /** What replaces a free-text match. */
    public enum Replacement {
        /** The detector's typed placeholder ({@code <email>}). */
        PLACEHOLDER("placeholder"),
        /** The placeholder's type with the match's pseudonym ({@code <email:h:1f0c...>}). */
        HASH("hash");

        public final String id;

        Replacement(String id) {
            this.id = id;
        }
    }

    /** What a dead letter's raw bytes become. */
    public enum DeadLetterBytes {
        KEEP("keep"),
        /** The detectors and field rules applied to the bytes (as JSON when they are, else as text). */
        REDACT("redact"),
        /** No bytes; origin, reason and (redacted) detail remain. */
        DROP("drop");

        public final String id;

        DeadLetterBytes(String id) {
            this.id = id;
        }
    }

    /** One field rule. */
    public record FieldRule(String pattern, Action action, Stage where, int keepPrefix, int keepSuffix)
            implements Serializable {
        /** Whether the field named {@code name} (as rules name it) is this rule's. */
        public boolean matches(String name) {
            return glob(pattern, name);
        }
    }

    /** One detector rule. */
    public record DetectorRule(TextDetector detector, Replacement with, Stage where) implements Serializable {}

    public static final int DEFAULT_HASH_LENGTH = 16;

    public final String source;
    public final int hashLength;
    public final DeadLetterBytes deadLetters;
    public final List<FieldRule> fields;
    public final Map<TextDetector, DetectorRule> detectors;

    public PrivacyPolicy(
            String source,
            int hashLength,
            DeadLetterBytes deadLetters,
            List<FieldRule> fields,
            Map<TextDetector, DetectorRule> detectors) {
        this.source = source;
        this.hashLength = hashLength;
        this.deadLetters = deadLetters;
        this.fields = List.copyOf(fields);
        EnumMap<TextDetector, DetectorRule> d = new EnumMap<>(TextDetector.class);
        d.putAll(detectors);
        this.detectors = Collections.unmodifiableMap(d);
    }

    /** A policy that changes nothing (and keeps dead letters' bytes). */
    public static PrivacyPolicy none() {
        return new PrivacyPolicy("<none>", DEFAULT_HASH_LENGTH, DeadLetterBytes.KEEP, List.of(), Map.of());
    }

    /** Whether any rule hashes, so a key is needed. */
    public boolean usesHash() {
        return fields.stream().anyMatch(f -> f.action == Action.HASH)
                || detectors.values().stream().anyMatch(d -> d.with == Replacement.HASH);
    }

    /** The first field rule for {@code name} that applies at {@code stage} (outputs apply every rule), or null. */
    public FieldRule field(String name, Stage stage) {
        for (FieldRule f : fields) {
            if ((stage == Stage.OUTPUTS || f.where == stage) && f.matches(name)) {
                return f;
            }
        }
        return null;
    }

    /** The detectors that apply at {@code stage}, in {@link TextDetector} order. */
    public List<DetectorRule> detectors(Stage stage) {
        List<DetectorRule> out = new ArrayList<>();
        for (DetectorRule d : detectors.values()) {
            if (stage == Stage.OUTPUTS || d.where == stage) {
                out.add(d);
            }
        }
        return out;
    }

    /** {@code *} matches any run of characters (dots included); everything else matches itself. */
    static boolean glob(String pattern, String name) {
        int star = pattern.indexOf('*');
        if (star < 0) {
            return pattern.equals(name);
        }
        return globAt(pattern, 0, name, 0);
    }

    private static boolean globAt(String p, int pi, String s, int si) {
        // Iterative wildcard match with one backtrack point: linear in practice, never exponential.
        int starP = -1;
        int starS = 0;
        while (si < s.length()) {
            if (pi < p.length() && p.charAt(pi) == '*') {
                starP = pi++;
                starS = si;
            } else if (pi < p.length() && p.charAt(pi) == s.charAt(si)) {
                pi++;
                si++;
            } else if (starP >= 0) {
                pi = starP + 1;
                si = ++starS;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }

    @Override
    public String toString() {
        return "PrivacyPolicy{" + source + ": " + fields.size() + " field rule(s), " + detectors.size()
                + " detector(s), dead letters " + deadLetters.id + "}";
    }
}
