package io.vigil.detect;

import static io.vigil.detect.Specs.SEC;
import static io.vigil.detect.Specs.T0;
import static io.vigil.detect.Specs.error;
import static io.vigil.detect.Specs.errors;
import static io.vigil.detect.Specs.latency;
import static io.vigil.detect.Specs.map;
import static io.vigil.detect.Specs.rule;
import static io.vigil.detect.Specs.span;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleCodec;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The router: which records reach which rule, under which routing key, as rules come and go. */
class RuleRouterTest {
    private static final char SEP = CompiledRule.KEY_SEPARATOR;

    private static BroadcastOperatorTestHarness<Telemetry, RuleUpdate, Routed> router(RuleSpec... rules)
            throws Exception {
        return ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                new RuleRouter(new RuleBook(List.of(rules))), RuleBook.RULES);
    }

    /** The routing key each rule sees: its id, then the key values its group's key carries. */
    private static List<String> keys(BroadcastOperatorTestHarness<Telemetry, RuleUpdate, Routed> h) {
        List<String> out = new ArrayList<>();
        for (Routed r : h.extractOutputValues()) {
            int values = r.key.indexOf(SEP);
            for (String id : r.rules) {
                out.add(id + (values < 0 ? "" : r.key.substring(values)));
            }
        }
        return out;
    }

    @Test
    void aRecordCrossesTheNetworkOncePerKeyGroupWithTheRulesItMatched() throws Exception {
        RuleSpec latencyToo = latency();
        latencyToo.id = "latency-too";
        RuleSpec byRoute = latency();
        byRoute.id = "latency-by-route";
        byRoute.keyBy = List.of("service.name", "http.route");
        var h = router(latency(), byRoute, errors(), latencyToo);
        Telemetry s = span(T0, "checkout", 120).attr("http.route", "/api/checkout");
        h.processElement(s, T0);
        List<Routed> routed = h.extractOutputValues();
        List<String> groups = new ArrayList<>();
        for (Routed r : routed) {
            groups.add(r.key + " " + String.join(",", r.rules));
        }
        groups.sort(null);
        assertEquals(
                List.of(
                        "service.name" + SEP + "checkout latency,latency-too",
                        "service.name,http.route" + SEP + "checkout" + SEP + "/api/checkout latency-by-route"),
                groups);
        h.close();
    }

    @Test
    void aRecordGoesToEveryRuleItMatchesUnderThatRulesKey() throws Exception {
        RuleSpec byRoute = latency();
        byRoute.id = "latency-by-route";
        byRoute.keyBy = List.of("service.name", "http.route");
        var h = router(latency(), byRoute, errors());
        Telemetry s = span(T0, "checkout", 120).attr("http.route", "/api/checkout");
        h.processElement(s, T0);
        List<String> keys = keys(h);
        keys.sort(null);
        assertEquals(
                List.of("latency" + SEP + "checkout", "latency-by-route" + SEP + "checkout" + SEP + "/api/checkout"),
                keys);
        assertEquals(s, h.extractOutputValues().get(0).record);
        h.close();
    }

    @Test
    void recordsThatMatchNoRuleAreNotRouted() throws Exception {
        var h = router(latency(), errors());
        h.processElement(Telemetry.log(T0, "cart", "INFO", "fine"), T0); // a log, but not an error
        h.processElement(Telemetry.metric(T0, "cart", "queue.depth", 3), T0); // no metric rule
        h.processElement(Telemetry.event(T0, "cart", "deployment.finished"), T0);
        assertEquals(List.of(), keys(h));
        h.processElement(error(T0, "cart"), T0);
        assertEquals(List.of("errors" + SEP + "cart"), keys(h));
        h.close();
    }

    @Test
    void aRuleWithoutASignalSeesEverySignal() throws Exception {
        RuleSpec any = rule("any-cart", "frequency", map("service.name", "cart"), map("count", 5, "window", "1m"));
        var h = router(any);
        h.processElement(span(T0, "cart", 1), T0);
        h.processElement(error(T0, "cart"), T0);
        h.processElement(Telemetry.metric(T0, "cart", "queue.depth", 3), T0);
        h.processElement(Telemetry.event(T0, "cart", "x"), T0);
        h.processElement(Telemetry.event(T0, "search", "x"), T0);
        assertEquals(4, keys(h).size());
        h.close();
    }

    @Test
    void rulesAddedChangedAndDeletedWhileRunning() throws Exception {
        var h = router();
        h.processElement(span(T0, "checkout", 120), T0);
        assertEquals(List.of(), keys(h));

        h.processBroadcastElement(RuleUpdate.of(latency()), T0);
        h.processElement(span(T0 + SEC, "checkout", 120), T0 + SEC);
        assertEquals(1, keys(h).size());

        RuleSpec onlyCart = latency();
        onlyCart.match.put("service.name", "cart");
        h.processBroadcastElement(RuleUpdate.of(onlyCart), T0 + SEC);
        h.processElement(span(T0 + 2 * SEC, "checkout", 120), T0 + 2 * SEC);
        h.processElement(span(T0 + 2 * SEC, "cart", 120), T0 + 2 * SEC);
        assertEquals(List.of("latency" + SEP + "checkout", "latency" + SEP + "cart"), keys(h));

        h.processBroadcastElement(RuleUpdate.deletion("latency"), T0 + 2 * SEC);
        h.processElement(span(T0 + 3 * SEC, "cart", 120), T0 + 3 * SEC);
        assertEquals(2, keys(h).size(), "nothing is routed to a deleted rule");
        h.close();
    }

    @Test
    void anUpdateOverridesTheRuleFromTheFilesAndADeletionRemovesIt() throws Exception {
        var h = router(latency());
        h.processBroadcastElement(RuleUpdate.deletion("latency"), T0);
        h.processElement(span(T0, "checkout", 120), T0);
        assertEquals(List.of(), keys(h));
        h.close();
    }

    @Test
    void disabledRulesAreNotRouted() throws Exception {
        RuleSpec off = latency();
        off.enabled = false;
        var h = router(off);
        h.processElement(span(T0, "checkout", 120), T0);
        assertEquals(List.of(), keys(h));
        off.enabled = true;
        h.processBroadcastElement(RuleUpdate.of(off), T0);
        h.processElement(span(T0, "checkout", 120), T0);
        assertEquals(1, keys(h).size());
        h.close();
    }

    @Test
    void invalidUpdatesAreIgnoredAndThePreviousVersionKeepsRunning() throws Exception {
        var h = router(latency());
        RuleSpec bad = latency("window", "soon");
        h.processBroadcastElement(new RuleUpdate("latency", RuleCodec.toJson(bad)), T0);
        h.processBroadcastElement(new RuleUpdate("latency", "{\"id\": "), T0);
        RuleSpec other = errors();
        h.processBroadcastElement(new RuleUpdate("latency", RuleCodec.toJson(other)), T0); // id mismatch
        h.processBroadcastElement(new RuleUpdate(null, RuleCodec.toJson(other)), T0);
        h.processElement(span(T0, "checkout", 120), T0);
        h.processElement(error(T0, "checkout"), T0);
        assertEquals(List.of("latency" + SEP + "checkout"), keys(h));
        h.close();
    }

    @Test
    void aMissingKeyFieldRoutesUnderAnEmptyValue() throws Exception {
        RuleSpec byUser = rule("by-user", "frequency", map("signal", "log"), map("count", 5, "window", "1m"));
        byUser.keyBy = List.of("user.name");
        var h = router(byUser);
        h.processElement(error(T0, "sshd").attr("user.name", "root"), T0);
        h.processElement(error(T0, "sshd"), T0);
        assertEquals(List.of("by-user" + SEP + "root", "by-user" + SEP), keys(h));
        h.close();
    }
}
