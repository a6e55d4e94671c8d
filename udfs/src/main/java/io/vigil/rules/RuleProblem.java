package io.vigil.rules;

/** One problem with a rule, printed as {@code file:line:col: message (hint)} like a compiler error. */
public final class RuleProblem {
    public final String file;
    public final int line;
    public final int column;
    public final String message;
    public final String hint;

    public RuleProblem(String file, int line, int column, String message, String hint) {
        this.file = file;
        this.line = line;
        this.column = column;
        this.message = message;
        this.hint = hint;
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + message + (hint == null ? "" : " (" + hint + ")");
    }
}
