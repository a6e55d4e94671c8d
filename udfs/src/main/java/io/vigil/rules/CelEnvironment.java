package io.vigil.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelVariableResolver;
import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CEL environment rule conditions ({@code where:}) are checked and run in: one variable per top-level telemetry
 * field, named as rules name fields ({@code duration_ms}, {@code severity_number}, ...), plus the {@code attributes}
 * and {@code resource} maps and {@code service} (the resource's {@code service.name}).
 *
 * <p>Text fields a record does not have read as {@code ""} and numbers as {@code 0}, so a condition never meets an
 * undefined variable. A map key a record lacks is an evaluation error (reported as a rule error): write
 * {@code "k" in attributes && attributes["k"] == "v"} or {@code attributes[?"k"].orValue("") == "v"}.
 *
 * <p>Records are read through a {@link CelVariableResolver} that switches on the variable name: no activation map is
 * built per record and nothing is looked up by reflection. The legacy runtime is used on purpose: the planner runtime
 * converts each map variable on every evaluation (several µs per record at 20 attributes, see
 * notes/cel-and-cep.md).
 */
public final class CelEnvironment {
    /** Variable names and their CEL types, in the order the author's guide lists them. */
    public static final Map<String, dev.cel.common.types.CelType> VARIABLES = variables();

    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true) // duration_ms > 250 compares a double with an int
            .comprehensionMaxIterations(10_000) // a bound on exists()/all() over huge maps per record
            .build();

    private static final CelCompiler COMPILER = compiler();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.legacyCelRuntimeBuilder()
            .setOptions(OPTIONS)
            .addLibraries(CelExtensions.strings(), CelExtensions.optional())
            .build();

    private CelEnvironment() {}

    private static Map<String, dev.cel.common.types.CelType> variables() {
        Map<String, dev.cel.common.types.CelType> v = new LinkedHashMap<>();
        MapType strings = MapType.create(SimpleType.STRING, SimpleType.STRING);
        v.put("attributes", strings);
        v.put("resource", strings);
        v.put("service", SimpleType.STRING);
        v.put("signal", SimpleType.STRING);
        v.put("timestamp", SimpleType.INT);
        v.put("name", SimpleType.STRING);
        v.put("value", SimpleType.DOUBLE);
        v.put("unit", SimpleType.STRING);
        v.put("metric_type", SimpleType.STRING);
        v.put("count", SimpleType.INT);
        v.put("sum", SimpleType.DOUBLE);
        v.put("min", SimpleType.DOUBLE);
        v.put("max", SimpleType.DOUBLE);
        v.put("severity", SimpleType.STRING);
        v.put("severity_number", SimpleType.INT);
        v.put("body", SimpleType.STRING);
        v.put("trace_id", SimpleType.STRING);
        v.put("span_id", SimpleType.STRING);
        v.put("parent_span_id", SimpleType.STRING);
        v.put("kind", SimpleType.STRING);
        v.put("status", SimpleType.STRING);
        v.put("duration_ms", SimpleType.DOUBLE);
        return java.util.Collections.unmodifiableMap(v);
    }

    private static CelCompiler compiler() {
        var b = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addLibraries(CelExtensions.strings(), CelExtensions.optional())
                .setResultType(SimpleType.BOOL);
        VARIABLES.forEach(b::addVar);
        return b.build();
    }

    /** A problem in an expression, at a 1-based line and column of the expression text. */
    public static final class Issue {
        public final int line;
        public final int column;
        public final String message;

        Issue(int line, int column, String message) {
            this.line = line;
            this.column = column;
            this.message = message;
        }
    }

    /**
     * Expressions already parsed and type-checked, by their text. A rule's condition is checked when the rule is
     * compiled, which happens again in every operator instance that runs the rules (the router and the detectors, in
     * each parallel instance), and again on every rule reload; most of that time went to the checker building its
     * standard environment per expression (a third of compiling 1,000 rules in a profile). Results are immutable, so
     * they are shared by all threads; the bound keeps a long run of hot reloads from growing it without end.
     */
    private static final Map<String, CelValidationResult> CHECKED = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CelValidationResult> eldest) {
            return size() > CHECKED_BOUND;
        }
    };

    private static final int CHECKED_BOUND = 4096;

    /** The parse and type-check result of an expression, from {@link #CHECKED} when it was seen before. */
    private static CelValidationResult compile(String expression) {
        synchronized (CHECKED) {
            CelValidationResult r = CHECKED.get(expression);
            if (r != null) {
                return r;
            }
        }
        CelValidationResult r = COMPILER.compile(expression); // outside the lock: threads may compile in parallel
        synchronized (CHECKED) {
            CHECKED.put(expression, r);
        }
        return r;
    }

    /** Parses and type-checks an expression; returns its problems (empty when it compiles). */
    public static List<Issue> check(String expression) {
        CelValidationResult r = compile(expression);
        List<Issue> issues = new ArrayList<>();
        if (!r.hasError()) {
            return issues;
        }
        for (CelIssue i : r.getErrors()) {
            int line = Math.max(1, i.getSourceLocation().getLine());
            // CEL columns are 0-based; ours (like YAML editors') are 1-based.
            int col = Math.max(0, i.getSourceLocation().getColumn()) + 1;
            issues.add(new Issue(line, col, i.getMessage()));
        }
        return issues;
    }

    /** Compiles an expression that {@link #check} accepted. */
    static CelRuntime.Program program(String expression) {
        return program(checked(expression));
    }

    /** The type-checked syntax tree of an expression that {@link #check} accepted. */
    static CelAbstractSyntaxTree checked(String expression) {
        try {
            return compile(expression).getAst();
        } catch (dev.cel.common.CelValidationException e) {
            throw new IllegalArgumentException("CEL expression does not compile: " + e.getMessage(), e);
        }
    }

    /** The interpreter's program for a checked syntax tree. */
    static CelRuntime.Program program(CelAbstractSyntaxTree ast) {
        try {
            return RUNTIME.createProgram(ast);
        } catch (CelEvaluationException e) {
            throw new IllegalArgumentException("CEL expression does not compile: " + e.getMessage(), e);
        }
    }

    /** The value of a declared variable for a record; never empty for a declared name. */
    static Optional<Object> resolve(Telemetry t, String name) {
        switch (name) {
            case "attributes":
                return Optional.of(t.attributes == null ? Map.of() : t.attributes);
            case "resource":
                return Optional.of(t.resource == null ? Map.of() : t.resource);
            case "service":
                return text(t.resource == null ? null : t.resource.get("service.name"));
            case "signal":
                return text(t.signal == null ? null : t.signal.wireName());
            case "timestamp":
                return Optional.of(t.timestamp);
            case "name":
                return text(t.name);
            case "value":
                return Optional.of(t.value);
            case "unit":
                return text(t.unit);
            case "metric_type":
                return text(t.metricType == null ? null : t.metricType.wireName());
            case "count":
                return Optional.of(t.count);
            case "sum":
                return Optional.of(t.sum);
            case "min":
                return Optional.of(t.min);
            case "max":
                return Optional.of(t.max);
            case "severity":
                return text(t.severity);
            case "severity_number":
                return Optional.of((long) t.severityNumber);
            case "body":
                return text(t.body);
            case "trace_id":
                return text(t.traceId);
            case "span_id":
                return text(t.spanId);
            case "parent_span_id":
                return text(t.parentSpanId);
            case "kind":
                return text(t.kind);
            case "status":
                return text(t.status);
            case "duration_ms":
                return Optional.of(t.durationMs);
            default:
                return Optional.empty();
        }
    }

    private static Optional<Object> text(String s) {
        return Optional.of(s == null ? "" : s);
    }
}
