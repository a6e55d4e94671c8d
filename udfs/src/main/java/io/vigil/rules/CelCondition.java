package io.vigil.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.vigil.model.Telemetry;
import java.util.Optional;

/**
 * A rule's {@code where:} condition: a CEL expression over one record that must be true for the record to count.
 *
 * <p>Common forms run as plain Java predicates translated from the checked expression ({@link CelPredicates}: a few
 * ns per record instead of the interpreter's ~0.5 µs); the rest run in the CEL interpreter, behind a Java
 * prefilter where a part of a top-level {@code &&} or {@code ||} can decide the record alone. When a translated
 * predicate meets an error (a missing map key), the interpreter evaluates that record again, so the rule error
 * carries CEL's own message.
 *
 * <p>Serializable as its expression text: a compiled CEL program is not serializable, so each task compiles it on
 * first use (about 0.3 ms) and keeps it. The expression was type-checked when the rule was compiled, so compiling it
 * again on a task cannot fail on the same CEL version.
 */
public final class CelCondition implements RecordFilter {
    private static final long serialVersionUID = 1L;

    private final String expression;
    private final boolean translate;
    private transient CelRuntime.Program program;
    private transient CelPredicates.Verdict predicate;
    private transient boolean translated;
    private transient boolean prepared;

    CelCondition(String expression) {
        this(expression, true);
    }

    private CelCondition(String expression, boolean translate) {
        this.expression = expression;
        this.translate = translate;
    }

    /**
     * The same condition always run by the CEL interpreter: the reference that translated predicates are tested and
     * benchmarked against.
     */
    public static CelCondition interpreted(String expression) {
        return new CelCondition(expression, false);
    }

    public String expression() {
        return expression;
    }

    /** True when this condition runs as a Java predicate alone, never calling the CEL interpreter but for errors. */
    public boolean translated() {
        prepare();
        return translated;
    }

    /**
     * True when a Java predicate decides some records before the interpreter: the condition is translated whole, or
     * a translatable part of its top-level {@code &&} / {@code ||} can decide alone.
     */
    public boolean prefiltered() {
        prepare();
        return predicate != null;
    }

    /**
     * True only when the expression yields {@code true}.
     *
     * @throws ConditionException when evaluation fails on this record (a missing map key, a division by zero); the
     *     caller reports it as a rule error with the record and goes on
     */
    @Override
    public boolean test(Telemetry record) {
        if (!prepared) {
            prepare();
        }
        CelPredicates.Verdict p = predicate;
        if (p != null) {
            int v = p.eval(record);
            if (v == CelPredicates.TRUE || v == CelPredicates.FALSE) {
                return v == CelPredicates.TRUE;
            }
        }
        try {
            return Boolean.TRUE.equals(program.eval(name -> CelEnvironment.resolve(record, name)));
        } catch (CelEvaluationException e) {
            throw new ConditionException("where: " + e.getMessage(), e);
        }
    }

    private void prepare() {
        if (prepared) {
            return;
        }
        CelAbstractSyntaxTree ast = CelEnvironment.checked(expression);
        program = CelEnvironment.program(ast);
        if (translate) {
            Optional<CelPredicates.Verdict> whole = CelPredicates.translate(ast);
            translated = whole.isPresent();
            predicate = whole.or(() -> CelPredicates.prefilter(ast)).orElse(null);
        }
        prepared = true;
    }

    /** A condition that could not be evaluated on a record. */
    public static final class ConditionException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConditionException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
