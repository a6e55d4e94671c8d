package io.vigil.rules;

import java.util.List;

/** A rule file or rule that cannot be used; carries every problem found, each with file:line:col. */
public class RuleException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<RuleProblem> problems;

    public RuleException(List<RuleProblem> problems) {
        super(render(problems));
        this.problems = List.copyOf(problems);
    }

    public List<RuleProblem> problems() {
        return problems;
    }

    private static String render(List<RuleProblem> problems) {
        StringBuilder b = new StringBuilder();
        for (RuleProblem p : problems) {
            if (b.length() > 0) {
                b.append('\n');
            }
            b.append(p);
        }
        return b.toString();
    }
}
