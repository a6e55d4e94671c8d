package io.vigil.detect;

import static io.vigil.detect.Specs.SEC;
import static io.vigil.detect.Specs.T0;
import static io.vigil.detect.Specs.error;
import static io.vigil.detect.Specs.errors;
import static io.vigil.detect.Specs.latency;
import static io.vigil.detect.Specs.span;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Telemetry;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The router of a job with fixed rules ({@link FixedRuleRouter}, chained into the source's task) routes as the
 * broadcast router does, and reads the broadcast state a savepoint of the broadcast router holds.
 */
class FixedRuleRouterTest {
    private static RuleSpec[] rules() {
        RuleSpec byRoute = latency();
        byRoute.id = "latency-by-route";
        byRoute.keyBy = List.of("service.name", "http.route");
        return new RuleSpec[] {latency(), byRoute, errors()};
    }

    private static List<Telemetry> records() {
        List<Telemetry> out = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String service = i % 3 == 0 ? "checkout" : "cart";
            out.add(span(T0 + i * SEC, service, 20 + i * 7).attr("http.route", "/api/" + (i % 4)));
            if (i % 5 == 0) {
                out.add(error(T0 + i * SEC, service));
            }
        }
        return out;
    }

    private static OneInputStreamOperatorTestHarness<Telemetry, Routed> fixed(RuleSpec... rules) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new FixedRuleRouter(new RuleRouter(new RuleBook(List.of(rules))))));
    }

    private static List<String> lines(List<Routed> routed) {
        List<String> out = new ArrayList<>();
        for (Routed r : routed) {
            out.add(r.key + " " + Arrays.toString(r.rules) + " " + Arrays.toString(r.versions) + " " + r.record);
        }
        return out;
    }

    @Test
    void routesEveryRecordAsTheBroadcastRouterDoes() throws Exception {
        BroadcastOperatorTestHarness<Telemetry, RuleUpdate, Routed> broadcast =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new RuleRouter(new RuleBook(List.of(rules()))), RuleBook.RULES);
        OneInputStreamOperatorTestHarness<Telemetry, Routed> fixed = fixed(rules());
        fixed.open();
        for (Telemetry t : records()) {
            broadcast.processElement(t, t.timestamp);
            fixed.processElement(t, t.timestamp);
        }
        List<String> expected = lines(broadcast.extractOutputValues());
        assertTrue(expected.size() > 50, "records of all three rules routed: " + expected.size());
        assertEquals(expected, lines(fixed.extractOutputValues()));
        broadcast.close();
        fixed.close();
    }

    @Test
    void aSavepointOfTheBroadcastRouterRestoresWithTheRulesPushedUntilThen() throws Exception {
        BroadcastOperatorTestHarness<Telemetry, RuleUpdate, Routed> broadcast =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new RuleRouter(new RuleBook(List.of(latency()))), RuleBook.RULES);
        broadcast.processBroadcastElement(RuleUpdate.of(errors()), T0);
        OperatorSubtaskState savepoint = broadcast.snapshot(1L, T0);
        broadcast.close();

        // Restarted without the rules topic, on files that only have the latency rule.
        OneInputStreamOperatorTestHarness<Telemetry, Routed> fixed = fixed(latency());
        fixed.initializeState(savepoint);
        fixed.open();
        fixed.processElement(error(T0, "checkout"), T0);
        List<Routed> routed = fixed.extractOutputValues();
        assertEquals(1, routed.size());
        assertEquals(List.of("errors"), List.of(routed.get(0).rules));
        OperatorSubtaskState again = fixed.snapshot(2L, T0);
        fixed.close();

        // Its snapshot keeps the pushed rule, for a restart with the topic again as for one without.
        OneInputStreamOperatorTestHarness<Telemetry, Routed> restarted = fixed(latency());
        restarted.initializeState(again);
        restarted.open();
        restarted.processElement(error(T0 + SEC, "checkout"), T0 + SEC);
        assertEquals(1, restarted.extractOutputValues().size());
        restarted.close();
        BroadcastOperatorTestHarness<Telemetry, RuleUpdate, Routed> reopened = new BroadcastOperatorTestHarness<>(
                new CoBroadcastWithNonKeyedOperator<>(
                        new RuleRouter(new RuleBook(List.of(latency()))), List.of(RuleBook.RULES)),
                1,
                1,
                0);
        reopened.initializeState(again);
        reopened.open();
        reopened.processElement(error(T0 + SEC, "checkout"), T0 + SEC);
        assertEquals(List.of("errors"), List.of(reopened.extractOutputValues().get(0).rules));
        reopened.close();
    }
}
