package io.vigil.rules;

import java.util.Collection;
import java.util.Map;

/** Finds where in its file a rule field was written, and suggests the nearest valid name for a misspelt one. */
public final class RuleLocations {
    private RuleLocations() {}

    /** A problem at {@code path} (e.g. {@code params.window}), falling back to the nearest enclosing field. */
    public static RuleProblem problem(RuleSpec spec, String path, String message, String hint) {
        String file = "<rule " + spec.id + ">";
        int line = 1;
        int col = 1;
        String src = spec.source;
        if (src != null) {
            int c = src.lastIndexOf(':');
            file = c > 0 ? src.substring(0, c) : src;
            if (c > 0) {
                try {
                    line = Integer.parseInt(src.substring(c + 1));
                } catch (NumberFormatException ignored) {
                    // a source without a line number points at line 1
                }
            }
        }
        int[] at = at(spec.locations(), path);
        if (at != null) {
            line = at[0];
            col = at[1];
        }
        return new RuleProblem(file, line, col, message, hint);
    }

    /**
     * Where {@code path} was written (locations as {@link RuleLoader#readDocuments} records them), else where the
     * nearest enclosing field was; null when neither was recorded.
     */
    public static int[] at(Map<String, int[]> locations, String path) {
        for (String p = path; p != null; p = parent(p)) {
            int[] at = locations.get(p);
            if (at != null) {
                return at;
            }
        }
        return null;
    }

    private static String parent(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? null : path.substring(0, dot);
    }

    /** "did you mean X?" for the candidate closest by edit distance, or null when none is close. */
    public static String didYouMean(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(word, c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        if (best == null || bestDistance > Math.max(2, word.length() / 3)) {
            return null;
        }
        return "did you mean '" + best + "'?";
    }

    /** Levenshtein distance; small inputs only. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
