package io.vigil.bench;

import io.vigil.model.Telemetry;
import io.vigil.rules.RecordFilter;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil bench cel}: records per second of one rule condition evaluated three ways in the same run, on the same
 * spans: a CEL {@code where:}, the equivalent {@code match:} block (plain Java, what equality and range conditions
 * should use), and a hand-written Java predicate (the floor). All three go through {@link RuleCompiler} where they
 * can, so the figures are those of the job's filter path; each must accept the same records, or the bench fails.
 */
@Command(
        name = "cel",
        mixinStandardHelpOptions = true,
        description = "Measure a CEL where: condition against the equivalent match: block and a hand-written Java "
                + "predicate (records/s on one core, same run).")
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

    @Override
    public Integer call() {
        if (records < 1 || rounds < 1 || attributes < 1) {
            throw new IllegalArgumentException("--records, --rounds and --attributes must be at least 1");
        }
        Telemetry[] data = spans(records, attributes);
        RecordFilter cel = RuleCompiler.compile(rule(WHERE, Map.of())).filter;
        Map<String, Object> match = new LinkedHashMap<>();
        match.put("service.name", "checkout");
        match.put("status", "error");
        match.put("duration_ms", Map.of("gt", 250.0));
        match.put("http.route", Map.of("regex", "^/api"));
        RecordFilter matchFilter = RuleCompiler.compile(rule(null, match)).filter;
        RecordFilter java = t -> "checkout".equals(t.resource.get("service.name"))
                && "error".equals(t.status)
                && t.durationMs > 250.0
                && t.attributes.getOrDefault("http.route", "").startsWith("/api");

        long expected = count(java, data);
        if (count(cel, data) != expected || count(matchFilter, data) != expected) {
            throw new IllegalStateException("the three filters disagree: java " + expected + ", match "
                    + count(matchFilter, data) + ", cel " + count(cel, data));
        }
        double[] ns = new double[3];
        RecordFilter[] filters = {java, matchFilter, cel};
        for (int round = 0; round < rounds + 2; round++) {
            for (int f = 0; f < filters.length; f++) {
                long t0 = System.nanoTime();
                long n = count(filters[f], data);
                long t1 = System.nanoTime();
                if (n != expected) {
                    throw new IllegalStateException("filter " + f + " changed its mind");
                }
                if (round >= 2) { // rounds 0 and 1 warm the JIT up
                    ns[f] += (double) (t1 - t0) / records / rounds;
                }
            }
        }
        System.out.printf(Locale.ROOT, "condition: %s%n", WHERE);
        System.out.printf(
                Locale.ROOT,
                "records: %,d spans x %d rounds, %d attributes each, %.1f%% match%n",
                records,
                rounds,
                attributes,
                100.0 * expected / records);
        String[] names = {"java predicate", "match: block ", "CEL where:   "};
        for (int f = 0; f < 3; f++) {
            System.out.printf(Locale.ROOT, "%s %,14.0f records/s  %8.1f ns/record%n", names[f], 1e9 / ns[f], ns[f]);
        }
        System.out.printf(
                Locale.ROOT, "ratio CEL/match: %.1fx slower; CEL/java: %.1fx slower%n", ns[2] / ns[1], ns[2] / ns[0]);
        return 0;
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
            for (int a = 3; a < attributes; a++) {
                t.attr("extra." + a, "value-" + r.nextInt(100));
            }
            out[i] = t;
        }
        return out;
    }
}
