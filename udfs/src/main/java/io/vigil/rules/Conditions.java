package io.vigil.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Compiles a rule's {@code where:} condition (CEL, see {@link CelEnvironment}) and reports its syntax and type errors
 * at the exact line and column in the rule file, as a compiler would.
 */
final class Conditions {
    private Conditions() {}

    static RecordFilter compile(RuleSpec spec, List<RuleProblem> problems) {
        List<CelEnvironment.Issue> issues = CelEnvironment.check(spec.where);
        if (issues.isEmpty()) {
            return new CelCondition(spec.where);
        }
        for (CelEnvironment.Issue i : issues) {
            RuleProblem at = RuleLocations.problem(spec, "where", "", null);
            int[] pos = position(spec, at.file, i.line, i.column);
            problems.add(new RuleProblem(
                    at.file,
                    pos == null ? at.line : pos[0],
                    pos == null ? at.column : pos[1],
                    "where: " + firstLine(i.message),
                    hint(i.message)));
        }
        return RecordFilter.ALL;
    }

    /**
     * Maps a line and column of the expression to the rule file: finds each expression line in the file from where
     * the value starts (this covers plain, quoted and block scalars without escapes). Null when it cannot be found
     * (a rule not read from a file): the problem then points at the {@code where} field.
     */
    static int[] position(RuleSpec spec, String file, int line, int column) {
        int[] value = spec.locations().get("where" + RuleLoader.VALUE);
        if (value == null || spec.source == null) {
            return null;
        }
        List<String> text;
        try {
            text = Files.readAllLines(Path.of(file));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        String[] expr = spec.where.split("\n", -1);
        int cursor = value[0] - 1; // 0-based file line to search from
        int from = value[1] - 1;
        for (int k = 0; k < line && k < expr.length; k++) {
            String want = expr[k];
            int found = -1;
            int foundAt = -1;
            for (int n = cursor; n < text.size() && found < 0; n++) {
                int idx = want.isEmpty() ? 0 : text.get(n).indexOf(want, n == value[0] - 1 ? from : 0);
                if (idx >= 0) {
                    found = n;
                    foundAt = idx;
                }
            }
            if (found < 0) {
                return null;
            }
            if (k == line - 1) {
                return new int[] {found + 1, foundAt + column};
            }
            cursor = found + 1;
        }
        return null;
    }

    /** The message's first line, without CEL's list of every overload it tried (noise to a rule author). */
    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        String first = nl < 0 ? message : message.substring(0, nl);
        int candidates = first.indexOf(" (candidates: ");
        return candidates < 0 ? first : first.substring(0, candidates);
    }

    private static String hint(String message) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("undeclared reference to '([^']+)'")
                .matcher(message);
        if (m.find()) {
            String h = RuleLocations.didYouMean(m.group(1), CelEnvironment.VARIABLES.keySet());
            return h != null
                    ? h
                    : "variables: " + String.join(", ", CelEnvironment.VARIABLES.keySet())
                            + "; other fields are in attributes[\"...\"] or resource[\"...\"]";
        }
        if (message.contains("no matching overload")) {
            return "attribute values are strings: compare with \"...\" or convert with double(...) / int(...)";
        }
        return null;
    }
}
