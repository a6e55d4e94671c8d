package io.vigil.bench;

import io.vigil.model.Telemetry;
import io.vigil.rules.CelCondition;
import io.vigil.rules.RecordFilter;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil bench cel}: records per second of rule conditions evaluated several ways in the same run, on the same
 * spans, one row per common {@code where:} form: the condition as the job runs it (translated to a Java predicate
 * where it can be, see {@code CelPredicates}), the same condition always run by the CEL interpreter, and the
 * equivalent {@code match:} block. The combined form also runs a hand-written Java predicate (the floor). All go
 * through {@link RuleCompiler} where they can, so the figures are those of the job's filter path; on each form every
 * way must accept the same records, or the bench fails.
 */
@Command(
        name = "cel",
        mixinStandardHelpOptions = true,
        description = "Measure CEL where: conditions (translated and interpreted) against the equivalent match: block "
                + "(records/s on one core, ratios from the same run).")
public final class CelBench implements Callable<Integer> {
    /** A typical condition: service, status, a latency bound and an attribute prefix. */
    static final String WHERE = "service == 'checkout' && status == 'error' && duration_ms > 250.0"
            + " && attributes['http.route'].startsWith('/api')";

    @Option(names = "--records", defaultValue = "200000", description = "Records per round. Default: ${DEFAULT-VALUE}")
    int records;

    @Option(
            names = "--rounds",
            defaultValue = "5",
            description = "Measured rounds after two warm-up rounds. " + "Default: ${DEFAULT-VALUE}")
    int rounds;

    @Option(
            names = "--attributes",
            defaultValue = "8",
            description = "Attributes per record (a map the condition reads). Default: ${DEFAULT-VALUE}")
    int attributes;

    /** One form of condition: its CEL text, the equivalent match block (null if none) and an optional floor. */
    private static final class Form {
        final String label;
        final String where;
        final Map<String, Object> match;
        final RecordFilter java;

        Form(String label, String where, Map<String, Object> match, RecordFilter java) {
            this.label = label;
            this.where = where;
            this.match = match;
            this.java = java;
        }
    }

    private static List<Form> forms() {
        Map<String, Object> combined = new LinkedHashMap<>();
        combined.put("service.name", "checkout");
        combined.put("status", "error");
        combined.put("duration_ms", Map.of("gt", 250.0));
        combined.put("http.route", Map.of("regex", "^/api"));
        RecordFilter java = t -> "checkout".equals(t.resource.get("service.name"))
                && "error".equals(t.status)
                && t.durationMs > 250.0
                && t.attributes.getOrDefault("http.route", "").startsWith("/api");
        return List.of(
                new Form("equality", "service == 'checkout'", Map.of("service.name", "checkout"), null),
                new Form("number >", "duration_ms > 250.0", Map.of("duration_ms", Map.of("gt", 250.0)), null),
                new Form("in list", "status in ['error', 'unset']", Map.of("status", List.of("error", "unset")), null),
                new Form(
                        "key in map", "'http.route' in attributes", Map.of("http.route", Map.of("exists", true)), null),
                new Form("has()", "has(attributes.user)", Map.of("user", Map.of("exists", true)), null),
                new Form(
                        "map index ==",
                        "attributes['http.request.method'] == 'GET'",
                        Map.of("http.request.method", "GET"),
                        null),
                new Form(
                        "startsWith",
                        "attributes['http.route'].startsWith('/api')",
                        Map.of("http.route", Map.of("regex", "^/api")),
                        null),
                new Form("contains", "name.contains('check')", Map.of("name", Map.of("regex", "check")), null),
                new Form(
                        "matches", "name.matches('^GET /api/c')", Map.of("name", Map.of("regex", "^GET /api/c")), null),
                new Form(
                        "&& || !",
                        "(service == 'cart' || service == 'auth') && !(status == 'ok')",
                        Map.of("service.name", List.of("cart", "auth"), "status", Map.of("ne", "ok")),
                        null),
                new Form("combined", WHERE, combined, java),
                new Form("int() (interpreted)", "int(attributes['http.response.status_code']) >= 500", null, null),
                new Form(
                        "&& int() (prefilter)",
                        "service == 'cart' && int(attributes['http.response.status_code']) >= 200",
                        null,
                        null));
    }

    @Override
    public Integer call() {
        if (records < 1 || rounds < 1 || attributes < 1) {
            throw new IllegalArgumentException("--records, --rounds and --attributes must be at least 1");
        }
        Telemetry[] data = spans(records, attributes);
        System.out.printf(
                Locale.ROOT,
                "records: %,d spans x %d rounds after 2 warm-up rounds, %d attributes each; one core%n",
                records,
                rounds,
                attributes);
        System.out.printf(
                Locale.ROOT,
                "%-22s %-9s %6s %14s %14s %14s %10s %10s%n",
                "form",
                "runs as",
                "match%",
                "where: rec/s",
                "CEL rec/s",
                "match: rec/s",
                "where/CEL",
                "where/match");
        for (Form form : forms()) {
            RecordFilter where = RuleCompiler.compile(rule(form.where, Map.of())).filter;
            String runsAs = !(where instanceof CelCondition)
                    ? "?"
                    : ((CelCondition) where).translated()
                            ? "Java"
                            : ((CelCondition) where).prefiltered() ? "Java+CEL" : "CEL";
            List<RecordFilter> filters = new ArrayList<>();
            filters.add(where);
            filters.add(CelCondition.interpreted(form.where));
            if (form.match != null) {
                filters.add(RuleCompiler.compile(rule(null, form.match)).filter);
            }
            if (form.java != null) {
                filters.add(form.java);
            }
            long expected = count(where, data);
            for (RecordFilter f : filters) {
                long n = count(f, data);
                if (n != expected) {
                    throw new IllegalStateException(
                            form.label + ": the filters disagree: " + n + " records against " + expected);
                }
            }
            double[] ns = measure(filters, data, expected);
            System.out.printf(
                    Locale.ROOT,
                    "%-22s %-9s %5.1f%% %,14.0f %,14.0f %14s %9.1fx %10s%n",
                    form.label,
                    runsAs,
                    100.0 * expected / records,
                    1e9 / ns[0],
                    1e9 / ns[1],
                    form.match == null ? "n/a" : String.format(Locale.ROOT, "%,.0f", 1e9 / ns[2]),
                    ns[1] / ns[0],
                    form.match == null ? "n/a" : String.format(Locale.ROOT, "%.2fx", ns[2] / ns[0]));
            if (form.java != null) {
                System.out.printf(
                        Locale.ROOT,
                        "%-22s hand-written Java predicate: %,.0f records/s (where/java %.2fx)%n",
                        "",
                        1e9 / ns[filters.size() - 1],
                        ns[filters.size() - 1] / ns[0]);
            }
        }
        System.out.println("runs as: Java = translated whole; Java+CEL = a Java prefilter decides what it can, the "
                + "interpreter the rest; CEL = the interpreter alone.");
        System.out.println("where/CEL: how many times faster the where: condition runs than the CEL interpreter; "
                + "where/match: its speed relative to the match: block (1.00x = the same).");
        return 0;
    }

    /** Nanoseconds per record of each filter, the filters interleaved within each round so drift hits all alike. */
    private double[] measure(List<RecordFilter> filters, Telemetry[] data, long expected) {
        double[] ns = new double[filters.size()];
        for (int round = 0; round < rounds + 2; round++) {
            for (int f = 0; f < filters.size(); f++) {
                long t0 = System.nanoTime();
                long n = count(filters.get(f), data);
                long t1 = System.nanoTime();
                if (n != expected) {
                    throw new IllegalStateException("filter " + f + " changed its mind");
                }
                if (round >= 2) { // rounds 0 and 1 warm the JIT up
                    ns[f] += (double) (t1 - t0) / records / rounds;
                }
            }
        }
        return ns;
    }

    private static long count(RecordFilter f, Telemetry[] data) {
        long n = 0;
        for (Telemetry t : data) {
            if (f.test(t)) {
                n++;
            }
        }
        return n;
    }

    private static RuleSpec rule(String where, Map<String, Object> match) {
        RuleSpec s = new RuleSpec();
        s.id = "bench";
        s.name = "bench";
        s.kind = "frequency";
        s.params.put("count", 1L);
        s.params.put("window", "1m");
        s.where = where;
        s.match.putAll(match);
        return s;
    }

    /** Server spans of six services; about half are errors so no clause decides alone. */
    static Telemetry[] spans(int n, int attributes) {
        Random r = new Random(42);
        List<String> services = List.of("frontend", "checkout", "cart", "payments", "search", "auth");
        Telemetry[] out = new Telemetry[n];
        for (int i = 0; i < n; i++) {
            String service = i % 2 == 0 ? "checkout" : services.get(r.nextInt(services.size()));
            Telemetry t = Telemetry.span(
                    1_700_000_000_000L + i,
                    service,
                    "GET /api/" + service,
                    50 + r.nextDouble() * 500,
                    r.nextBoolean() ? "error" : "ok");
            t.res("host.name", "host-" + r.nextInt(4)).res("deployment.environment", "prod");
            t.attr("http.route", r.nextInt(4) == 0 ? "/health" : "/api/" + service);
            t.attr("http.request.method", "GET");
            t.attr("http.response.status_code", "200");
            if (i % 3 == 0) {
                t.attr("user", "user-" + i % 100); // present on a third of the records, for has()
            }
            for (int a = 3; a < attributes; a++) {
                t.attr("extra." + a, "value-" + r.nextInt(100));
            }
            out[i] = t;
        }
        return out;
    }
}
