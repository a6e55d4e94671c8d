package io.vigil.rules;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Translates the common forms of a checked CEL {@code where:} expression into plain Java predicates, so a condition
 * such as {@code service == "checkout" && duration_ms > 250.0} costs a few ns per record instead of the interpreter's
 * ~0.5 µs.
 *
 * <p>Translated: comparisons ({@code == != < <= > >=}) between variables, map indexes ({@code attributes["k"]},
 * {@code attributes.k}), literals and boolean subexpressions; {@code x in [literals]}; {@code "k" in attributes};
 * {@code has(attributes.k)}; {@code startsWith}, {@code endsWith}, {@code contains}, {@code matches} (with re2j, the
 * engine CEL itself runs, so patterns mean exactly what they mean to CEL); {@code && || !}, a boolean {@code ?:}. An
 * expression with anything else (function calls such as {@code size()} or {@code int()}, optional syntax, macros
 * that expand to comprehensions, arithmetic) is not translated whole: the interpreter evaluates it, behind a
 * {@link #prefilter} made of the translatable operands of its top-level {@code &&} or {@code ||} where it has them,
 * which decides most records without the interpreter.
 *
 * <p>A translated predicate is three-valued like CEL: {@link #TRUE}, {@link #FALSE} or {@link #ERROR}, and follows
 * CEL's rules exactly: a missing map key is an error, {@code &&} and {@code ||} absorb an error when the other side
 * decides ({@code false && error} is false, in either order), every other operator is strict. Numbers compare as the
 * CEL runtime does with heterogeneous comparisons on, including its corner cases: {@code double < double} is Java's
 * primitive comparison (false on NaN), but {@code double} against {@code int} goes through CEL's
 * {@code compareDoubleInt}, which orders NaN above every number and {@code -0.0} below {@code 0}.
 */
final class CelPredicates {
    static final int FALSE = 0;
    static final int TRUE = 1;
    /** The expression fails on this record; the caller lets the interpreter produce CEL's own error. */
    static final int ERROR = 2;
    /** Only from a {@link #prefilter}: the translated part cannot decide this record; the interpreter must. */
    static final int UNDECIDED = 3;

    /** A translated condition: {@link #TRUE}, {@link #FALSE} or {@link #ERROR} for a record. */
    @FunctionalInterface
    interface Verdict {
        int eval(Telemetry t);
    }

    /** A string operand; null means the operand failed (a missing map key). */
    @FunctionalInterface
    private interface Text {
        String get(Telemetry t);
    }

    private enum Type {
        STRING,
        INT,
        DOUBLE,
        BOOL
    }

    /** A typed operand: exactly one of the four readers is set, by {@link #type}. */
    private static final class Operand {
        final Type type;
        final Text text;
        final ToLongFunction<Telemetry> integer;
        final ToDoubleFunction<Telemetry> real;
        final Verdict bool;
        /** The literal's value when the operand is a constant, else null. */
        final Object constant;

        private Operand(
                Type type,
                Text text,
                ToLongFunction<Telemetry> integer,
                ToDoubleFunction<Telemetry> real,
                Verdict bool,
                Object constant) {
            this.type = type;
            this.text = text;
            this.integer = integer;
            this.real = real;
            this.bool = bool;
            this.constant = constant;
        }

        static Operand text(Text f, Object constant) {
            return new Operand(Type.STRING, f, null, null, null, constant);
        }

        static Operand integer(ToLongFunction<Telemetry> f, Object constant) {
            return new Operand(Type.INT, null, f, null, null, constant);
        }

        static Operand real(ToDoubleFunction<Telemetry> f, Object constant) {
            return new Operand(Type.DOUBLE, null, null, f, null, constant);
        }

        static Operand bool(Verdict f, Object constant) {
            return new Operand(Type.BOOL, null, null, null, f, constant);
        }
    }

    /** Signals a form this class leaves to the interpreter; caught once at the top. */
    private static final class Untranslatable extends Exception {
        private static final long serialVersionUID = 1L;

        Untranslatable() {
            super(null, null, false, false); // control flow only: no stack trace
        }
    }

    private final CelAbstractSyntaxTree ast;

    private CelPredicates(CelAbstractSyntaxTree ast) {
        this.ast = ast;
    }

    /** The Java predicate for a checked expression, or empty when some part of it needs the interpreter. */
    static Optional<Verdict> translate(CelAbstractSyntaxTree ast) {
        if (!ast.isChecked()) {
            return Optional.empty();
        }
        try {
            Operand top = new CelPredicates(ast).operand(ast.getExpr());
            return top.type == Type.BOOL ? Optional.of(top.bool) : Optional.empty();
        } catch (Untranslatable e) {
            return Optional.empty();
        }
    }

    /**
     * For an expression {@link #translate} cannot translate whole, a predicate that decides the records it can and
     * returns {@link #UNDECIDED} for the rest, or empty when it would decide none. It uses the translatable operands
     * of a top-level {@code &&} (one that is false makes the whole false, whatever the others, errors included) or
     * of a top-level {@code ||} (one that is true makes the whole true). So {@code kind == 'server' &&
     * int(attributes[?'code'].orValue('0')) >= 500} runs the interpreter only on server spans.
     */
    static Optional<Verdict> prefilter(CelAbstractSyntaxTree ast) {
        if (!ast.isChecked()) {
            return Optional.empty();
        }
        CelExpr top = ast.getExpr();
        if (top.getKind() != CelExpr.ExprKind.Kind.CALL) {
            return Optional.empty();
        }
        String fn = top.call().function();
        if (!fn.equals("_&&_") && !fn.equals("_||_")) {
            return Optional.empty();
        }
        List<CelExpr> operands = new ArrayList<>();
        flatten(top, fn, operands);
        CelPredicates p = new CelPredicates(ast);
        List<Verdict> decided = new ArrayList<>();
        for (CelExpr e : operands) {
            try {
                decided.add(p.verdict(e));
            } catch (Untranslatable skip) {
                // this operand needs the interpreter; the others may still decide
            }
        }
        if (decided.isEmpty()) {
            return Optional.empty();
        }
        Verdict[] vs = decided.toArray(new Verdict[0]);
        int decisive = fn.equals("_&&_") ? FALSE : TRUE;
        return Optional.of(t -> {
            for (Verdict v : vs) {
                if (v.eval(t) == decisive) {
                    return decisive;
                }
            }
            return UNDECIDED;
        });
    }

    private static void flatten(CelExpr e, String fn, List<CelExpr> out) {
        if (e.getKind() == CelExpr.ExprKind.Kind.CALL && e.call().function().equals(fn)) {
            for (CelExpr arg : e.call().args()) {
                flatten(arg, fn, out);
            }
        } else {
            out.add(e);
        }
    }

    private Operand operand(CelExpr e) throws Untranslatable {
        Operand o = operandOf(e);
        // Cross-check what we inferred against the type checker: a disagreement means a form we did not foresee.
        Optional<CelType> checked = ast.getType(e.id());
        if (checked.isPresent() && !checked.get().equals(celType(o.type))) {
            throw new Untranslatable();
        }
        return o;
    }

    private static CelType celType(Type t) {
        switch (t) {
            case STRING:
                return SimpleType.STRING;
            case INT:
                return SimpleType.INT;
            case DOUBLE:
                return SimpleType.DOUBLE;
            default:
                return SimpleType.BOOL;
        }
    }

    private Operand operandOf(CelExpr e) throws Untranslatable {
        switch (e.getKind()) {
            case CONSTANT:
                return constant(e.constant());
            case IDENT:
                return variable(e.ident().name());
            case SELECT: {
                CelExpr.CelSelect s = e.select();
                ToMap map = mapVariable(s.operand());
                String key = s.field();
                if (s.testOnly()) { // has(attributes.k)
                    return Operand.bool(t -> map.of(t).containsKey(key) ? TRUE : FALSE, null);
                }
                return Operand.text(t -> map.of(t).get(key), null);
            }
            case CALL:
                return call(e.call());
            default:
                throw new Untranslatable();
        }
    }

    private static Operand constant(CelConstant c) throws Untranslatable {
        switch (c.getKind()) {
            case STRING_VALUE: {
                String v = c.stringValue();
                return Operand.text(t -> v, v);
            }
            case INT64_VALUE: {
                long v = c.int64Value();
                return Operand.integer(t -> v, v);
            }
            case DOUBLE_VALUE: {
                double v = c.doubleValue();
                return Operand.real(t -> v, v);
            }
            case BOOLEAN_VALUE: {
                int v = c.booleanValue() ? TRUE : FALSE;
                return Operand.bool(t -> v, c.booleanValue());
            }
            default: // uint, bytes, null, ...: rare in rules, left to the interpreter
                throw new Untranslatable();
        }
    }

    /** Reads one of the map variables; a record without the map reads as empty, as {@link CelEnvironment} does. */
    @FunctionalInterface
    private interface ToMap {
        Map<String, String> of(Telemetry t);
    }

    private static ToMap mapVariable(CelExpr e) throws Untranslatable {
        if (e.getKind() != CelExpr.ExprKind.Kind.IDENT) {
            throw new Untranslatable();
        }
        switch (e.ident().name()) {
            case "attributes":
                return t -> t.attributes == null ? Map.of() : t.attributes;
            case "resource":
                return t -> t.resource == null ? Map.of() : t.resource;
            default:
                throw new Untranslatable();
        }
    }

    /** The scalar variables of {@link CelEnvironment#VARIABLES}, read the way its resolver reads them. */
    private static Operand variable(String name) throws Untranslatable {
        switch (name) {
            case "service":
                return Operand.text(
                        t -> {
                            String s = t.resource == null ? null : t.resource.get("service.name");
                            return s == null ? "" : s;
                        },
                        null);
            case "signal":
                return Operand.text(t -> t.signal == null ? "" : t.signal.wireName(), null);
            case "timestamp":
                return Operand.integer(t -> t.timestamp, null);
            case "name":
                return Operand.text(t -> orEmpty(t.name), null);
            case "value":
                return Operand.real(t -> t.value, null);
            case "unit":
                return Operand.text(t -> orEmpty(t.unit), null);
            case "metric_type":
                return Operand.text(t -> t.metricType == null ? "" : t.metricType.wireName(), null);
            case "count":
                return Operand.integer(t -> t.count, null);
            case "sum":
                return Operand.real(t -> t.sum, null);
            case "min":
                return Operand.real(t -> t.min, null);
            case "max":
                return Operand.real(t -> t.max, null);
            case "severity":
                return Operand.text(t -> orEmpty(t.severity), null);
            case "severity_number":
                return Operand.integer(t -> t.severityNumber, null);
            case "body":
                return Operand.text(t -> orEmpty(t.body), null);
            case "trace_id":
                return Operand.text(t -> orEmpty(t.traceId), null);
            case "span_id":
                return Operand.text(t -> orEmpty(t.spanId), null);
            case "parent_span_id":
                return Operand.text(t -> orEmpty(t.parentSpanId), null);
            case "kind":
                return Operand.text(t -> orEmpty(t.kind), null);
            case "status":
                return Operand.text(t -> orEmpty(t.status), null);
            case "duration_ms":
                return Operand.real(t -> t.durationMs, null);
            default: // the maps as values, or a variable added to CelEnvironment and not here yet
                throw new Untranslatable();
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private Operand call(CelExpr.CelCall c) throws Untranslatable {
        List<CelExpr> args = c.args();
        String fn = c.function();
        if (c.target().isPresent()) {
            switch (fn) {
                case "startsWith":
                case "endsWith":
                case "contains":
                case "matches":
                    if (args.size() == 1) {
                        return stringTest(fn, c.target().get(), args.get(0));
                    }
                    throw new Untranslatable();
                default:
                    throw new Untranslatable();
            }
        }
        switch (fn) {
            case "_&&_":
                return Operand.bool(and(verdicts(args)), null);
            case "_||_":
                return Operand.bool(or(verdicts(args)), null);
            case "!_": {
                Verdict v = verdict(only(args));
                return Operand.bool(
                        t -> {
                            int r = v.eval(t);
                            return r == ERROR ? ERROR : TRUE - r;
                        },
                        null);
            }
            case "_?_:_": {
                if (args.size() != 3) {
                    throw new Untranslatable();
                }
                Verdict cond = verdict(args.get(0));
                Verdict yes = verdict(args.get(1));
                Verdict no = verdict(args.get(2));
                return Operand.bool(
                        t -> {
                            int r = cond.eval(t);
                            return r == ERROR ? ERROR : r == TRUE ? yes.eval(t) : no.eval(t);
                        },
                        null);
            }
            case "_==_":
            case "_!=_":
            case "_<_":
            case "_<=_":
            case "_>_":
            case "_>=_":
                if (args.size() != 2) {
                    throw new Untranslatable();
                }
                return Operand.bool(compare(fn, operand(args.get(0)), operand(args.get(1))), null);
            case "@in":
                if (args.size() != 2) {
                    throw new Untranslatable();
                }
                return Operand.bool(in(args.get(0), args.get(1)), null);
            case "_[_]": {
                if (args.size() != 2) {
                    throw new Untranslatable();
                }
                ToMap map = mapVariable(args.get(0));
                Text key = text(args.get(1));
                return Operand.text(
                        t -> {
                            String k = key.get(t);
                            return k == null ? null : map.of(t).get(k);
                        },
                        null);
            }
            case "matches":
                if (args.size() == 2) {
                    return stringTest(fn, args.get(0), args.get(1));
                }
                throw new Untranslatable();
            default:
                throw new Untranslatable();
        }
    }

    private static CelExpr only(List<CelExpr> args) throws Untranslatable {
        if (args.size() != 1) {
            throw new Untranslatable();
        }
        return args.get(0);
    }

    private Verdict verdict(CelExpr e) throws Untranslatable {
        Operand o = operand(e);
        if (o.type != Type.BOOL) {
            throw new Untranslatable();
        }
        return o.bool;
    }

    private Text text(CelExpr e) throws Untranslatable {
        Operand o = operand(e);
        if (o.type != Type.STRING) {
            throw new Untranslatable();
        }
        return o.text;
    }

    private Verdict[] verdicts(List<CelExpr> args) throws Untranslatable {
        if (args.size() < 2) {
            throw new Untranslatable();
        }
        Verdict[] out = new Verdict[args.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = verdict(args.get(i));
        }
        return out;
    }

    /** CEL's {@code &&}: false wins over an error on either side; an error wins over true. */
    private static Verdict and(Verdict[] vs) {
        if (vs.length == 2) {
            Verdict a = vs[0];
            Verdict b = vs[1];
            return t -> {
                int x = a.eval(t);
                if (x == FALSE) {
                    return FALSE;
                }
                int y = b.eval(t);
                return y == FALSE ? FALSE : x == ERROR ? ERROR : y;
            };
        }
        return t -> {
            boolean error = false;
            for (Verdict v : vs) {
                int r = v.eval(t);
                if (r == FALSE) {
                    return FALSE;
                }
                error |= r == ERROR;
            }
            return error ? ERROR : TRUE;
        };
    }

    /** CEL's {@code ||}: true wins over an error on either side; an error wins over false. */
    private static Verdict or(Verdict[] vs) {
        if (vs.length == 2) {
            Verdict a = vs[0];
            Verdict b = vs[1];
            return t -> {
                int x = a.eval(t);
                if (x == TRUE) {
                    return TRUE;
                }
                int y = b.eval(t);
                return y == TRUE ? TRUE : x == ERROR ? ERROR : y;
            };
        }
        return t -> {
            boolean error = false;
            for (Verdict v : vs) {
                int r = v.eval(t);
                if (r == TRUE) {
                    return TRUE;
                }
                error |= r == ERROR;
            }
            return error ? ERROR : FALSE;
        };
    }

    private Operand stringTest(String fn, CelExpr subject, CelExpr argument) throws Untranslatable {
        Text s = text(subject);
        if (fn.equals("matches")) {
            Operand re = operand(argument);
            if (!(re.constant instanceof String)) {
                throw new Untranslatable(); // a pattern built per record: the interpreter compiles it per record
            }
            Pattern p;
            try {
                p = Pattern.compile((String) re.constant);
            } catch (PatternSyntaxException e) {
                throw new Untranslatable(); // CEL reports the bad pattern on every record; let it
            }
            // CelEnvironment uses CelOptions.current(), whose enableRegexPartialMatch makes matches() a find().
            return Operand.bool(
                    t -> {
                        String v = s.get(t);
                        return v == null ? ERROR : p.matcher(v).find() ? TRUE : FALSE;
                    },
                    null);
        }
        Text a = text(argument);
        StringTest test;
        switch (fn) {
            case "startsWith":
                test = String::startsWith;
                break;
            case "endsWith":
                test = String::endsWith;
                break;
            default:
                test = String::contains;
                break;
        }
        return Operand.bool(
                t -> {
                    String v = s.get(t);
                    String w = a.get(t);
                    return v == null || w == null ? ERROR : test.test(v, w) ? TRUE : FALSE;
                },
                null);
    }

    @FunctionalInterface
    private interface StringTest {
        boolean test(String subject, String argument);
    }

    private Verdict in(CelExpr element, CelExpr container) throws Untranslatable {
        if (container.getKind() == CelExpr.ExprKind.Kind.IDENT) { // "k" in attributes
            ToMap map = mapVariable(container);
            Text key = text(element);
            return t -> {
                String k = key.get(t);
                return k == null ? ERROR : map.of(t).containsKey(k) ? TRUE : FALSE;
            };
        }
        if (container.getKind() != CelExpr.ExprKind.Kind.LIST
                || !container.list().optionalIndices().isEmpty()) {
            throw new Untranslatable();
        }
        Operand x = operand(element);
        List<Operand> items = new ArrayList<>();
        for (CelExpr item : container.list().elements()) {
            Operand o = operandOf(item);
            if (o.constant == null) {
                throw new Untranslatable(); // only lists of literals are translated
            }
            items.add(o);
        }
        if (x.type == Type.STRING) {
            Set<String> set = new HashSet<>();
            for (Operand o : items) {
                if (!(o.constant instanceof String)) {
                    throw new Untranslatable(); // a mixed list: heterogeneous equality, left to CEL
                }
                set.add((String) o.constant);
            }
            Text v = x.text;
            return t -> {
                String s = v.get(t);
                return s == null ? ERROR : set.contains(s) ? TRUE : FALSE;
            };
        }
        // Numbers and booleans: membership is CEL equality against each literal, none of which can fail.
        Verdict[] equal = new Verdict[items.size()];
        for (int i = 0; i < equal.length; i++) {
            equal[i] = compare("_==_", x, items.get(i));
        }
        if (equal.length == 0) {
            Operand probe = x;
            if (probe.type != Type.BOOL) {
                return t -> FALSE; // numbers never fail
            }
            return t -> probe.bool.eval(t) == ERROR ? ERROR : FALSE;
        }
        return equal.length == 1 ? equal[0] : or(equal);
    }

    /**
     * One comparison, with the CEL runtime's overload for the operand types (see the class comment for the numeric
     * corner cases). Both operands are evaluated; an error in either is the result.
     */
    private static Verdict compare(String op, Operand a, Operand b) throws Untranslatable {
        if (a.type == Type.STRING && b.type == Type.STRING) {
            Text x = a.text;
            Text y = b.text;
            IntOp test = intOp(op);
            boolean equality = op.equals("_==_") || op.equals("_!=_");
            return t -> {
                String l = x.get(t);
                String r = y.get(t);
                if (l == null || r == null) {
                    return ERROR;
                }
                // CEL's string ordering is String.compareTo (UTF-16 units), as here
                int c = equality ? (l.equals(r) ? 0 : 1) : l.compareTo(r);
                return test.holds(c) ? TRUE : FALSE;
            };
        }
        if (a.type == Type.BOOL && b.type == Type.BOOL) {
            Verdict x = a.bool;
            Verdict y = b.bool;
            IntOp test = intOp(op);
            return t -> {
                int l = x.eval(t);
                int r = y.eval(t);
                if (l == ERROR || r == ERROR) {
                    return ERROR;
                }
                return test.holds(Integer.compare(l, r)) ? TRUE : FALSE; // false < true, as CEL orders bools
            };
        }
        if (a.type == Type.DOUBLE && b.type == Type.DOUBLE) {
            return doubles(op, a.real, b.real);
        }
        if (a.type == Type.INT && b.type == Type.INT) {
            ToLongFunction<Telemetry> x = a.integer;
            ToLongFunction<Telemetry> y = b.integer;
            IntOp test = intOp(op);
            return t -> test.holds(Long.compare(x.applyAsLong(t), y.applyAsLong(t))) ? TRUE : FALSE;
        }
        if (a.type == Type.DOUBLE && b.type == Type.INT) {
            ToDoubleFunction<Telemetry> x = a.real;
            ToLongFunction<Telemetry> y = b.integer;
            IntOp test = intOp(op);
            return t -> test.holds(compareDoubleInt(x.applyAsDouble(t), y.applyAsLong(t))) ? TRUE : FALSE;
        }
        if (a.type == Type.INT && b.type == Type.DOUBLE) {
            ToLongFunction<Telemetry> x = a.integer;
            ToDoubleFunction<Telemetry> y = b.real;
            IntOp test = intOp(op);
            return t -> test.holds(-compareDoubleInt(y.applyAsDouble(t), x.applyAsLong(t))) ? TRUE : FALSE;
        }
        throw new Untranslatable(); // string against number cannot pass the type checker; anything else is CEL's
    }

    /** double against double is Java's primitive comparison in the CEL runtime: every test is false on NaN but !=. */
    private static Verdict doubles(String op, ToDoubleFunction<Telemetry> x, ToDoubleFunction<Telemetry> y) {
        switch (op) {
            case "_==_":
                return t -> x.applyAsDouble(t) == y.applyAsDouble(t) ? TRUE : FALSE;
            case "_!=_":
                return t -> x.applyAsDouble(t) != y.applyAsDouble(t) ? TRUE : FALSE;
            case "_<_":
                return t -> x.applyAsDouble(t) < y.applyAsDouble(t) ? TRUE : FALSE;
            case "_<=_":
                return t -> x.applyAsDouble(t) <= y.applyAsDouble(t) ? TRUE : FALSE;
            case "_>_":
                return t -> x.applyAsDouble(t) > y.applyAsDouble(t) ? TRUE : FALSE;
            default:
                return t -> x.applyAsDouble(t) >= y.applyAsDouble(t) ? TRUE : FALSE;
        }
    }

    /**
     * CEL's ordering of a double against an int (dev.cel.common.internal.ComparisonFunctions, an internal class we
     * do not call): out-of-range doubles order outside every long, the rest compare with {@link Double#compare}.
     */
    static int compareDoubleInt(double d, long l) {
        if (d < (double) Long.MIN_VALUE) {
            return -1;
        }
        if (d > (double) Long.MAX_VALUE) {
            return 1;
        }
        return Double.compare(d, (double) l);
    }

    @FunctionalInterface
    private interface IntOp {
        boolean holds(int comparison);
    }

    private static IntOp intOp(String op) {
        switch (op) {
            case "_==_":
                return c -> c == 0;
            case "_!=_":
                return c -> c != 0;
            case "_<_":
                return c -> c < 0;
            case "_<=_":
                return c -> c <= 0;
            case "_>_":
                return c -> c > 0;
            default:
                return c -> c >= 0;
        }
    }
}
