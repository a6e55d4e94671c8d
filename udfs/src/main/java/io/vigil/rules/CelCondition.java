package io.vigil.rules;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.vigil.model.Telemetry;

/**
 * A rule's {@code where:} condition: a CEL expression over one record that must be true for the record to count.
 *
 * <p>Serializable as its expression text: a compiled CEL program is not serializable, so each task compiles it on
 * first use (about 0.3 ms) and keeps it. The expression was type-checked when the rule was compiled, so compiling it
 * again on a task cannot fail on the same CEL version.
 */
public final class CelCondition implements RecordFilter {
    private static final long serialVersionUID = 1L;

    private final String expression;
    private transient CelRuntime.Program program;

    CelCondition(String expression) {
        this.expression = expression;
    }

    public String expression() {
        return expression;
    }

    /**
     * True only when the expression yields {@code true}.
     *
     * @throws ConditionException when evaluation fails on this record (a missing map key, a division by zero); the
     *     caller reports it as a rule error with the record and goes on
     */
    @Override
    public boolean test(Telemetry record) {
        CelRuntime.Program p = program;
        if (p == null) {
            p = program = CelEnvironment.program(expression);
        }
        try {
            return Boolean.TRUE.equals(p.eval(name -> CelEnvironment.resolve(record, name)));
        } catch (CelEvaluationException e) {
            throw new ConditionException("where: " + e.getMessage(), e);
        }
    }

    /** A condition that could not be evaluated on a record. */
    public static final class ConditionException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConditionException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
