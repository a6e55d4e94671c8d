package io.vigil.detect;

import io.vigil.model.Telemetry;
import io.vigil.rules.RuleSpec;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rules and records for detector tests, written the way a rule file would say them. */
final class Specs {
    static final long T0 = Instant.parse("2026-11-02T00:00:00Z").toEpochMilli();
    static final long SEC = 1000L;
    static final long MIN = 60_000L;

    private Specs() {}

    /** {@code key: value} pairs as an ordered map. */
    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static RuleSpec rule(String id, String kind, Map<String, Object> match, Map<String, Object> params) {
        RuleSpec s = new RuleSpec();
        s.id = id;
        s.name = "Rule " + id;
        s.kind = kind;
        s.severity = "high";
        s.match = match;
        s.keyBy = List.of("service.name");
        s.params = params;
        return s;
    }

    /** avg duration_ms of server spans per service over a tumbling minute, above 100 ms. */
    static RuleSpec latency(Object... params) {
        Map<String, Object> p = map("aggregate", "avg", "window", "1m", "op", ">", "bound", 100);
        p.putAll(map(params));
        return rule("latency", "threshold", map("signal", "span"), p);
    }

    /** At least 5 ERROR logs per service within a minute. */
    static RuleSpec errors(Object... params) {
        Map<String, Object> p = map("count", 5, "window", "1m");
        p.putAll(map(params));
        return rule("errors", "frequency", map("signal", "log", "severity_number", map("gte", 17)), p);
    }

    static Telemetry span(long ts, String service, double ms) {
        return Telemetry.span(ts, service, "GET /api/" + service, ms, "ok");
    }

    static Telemetry error(long ts, String service) {
        return Telemetry.log(ts, service, "ERROR", "upstream timeout calling " + service + "-db");
    }
}
