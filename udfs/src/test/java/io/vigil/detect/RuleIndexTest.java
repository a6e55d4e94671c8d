package io.vigil.detect;

import static io.vigil.detect.Specs.T0;
import static io.vigil.detect.Specs.map;
import static io.vigil.detect.Specs.rule;
import static io.vigil.detect.Specs.span;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleSpec;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rule index: a record meets exactly the rules that could match it, and a miss costs no allocation. */
class RuleIndexTest {
    private static RuleSpec pinned(String id, String field, Object value) {
        return rule(id, "frequency", map("signal", "log", field, value), map("count", 5, "window", "1m"));
    }

    private static List<String> candidates(RuleIndex index, Telemetry t) {
        List<CompiledRule> out = new ArrayList<>();
        index.candidates(t, out);
        List<String> ids = new ArrayList<>();
        out.forEach(r -> ids.add(r.id()));
        ids.sort(null);
        return ids;
    }

    private static RuleSpec sequence(String id, Map<String, Object> first, Map<String, Object> then) {
        return rule(id, "sequence", null, map("within", "30m", "steps", List.of(first, then)));
    }

    private static RuleIndex index(RuleSpec... specs) {
        return new RuleIndex(RuleCompiler.compileAll(List.of(specs)));
    }

    @Test
    void aRecordMeetsOnlyRulesPinnedToItsValuesAndRulesThatPinNothing() {
        RuleSpec anyLog = rule("any-log", "frequency", map("signal", "log"), map("count", 5, "window", "1m"));
        RuleSpec anySignal =
                rule("any-signal", "frequency", map("service.name", "checkout"), map("count", 5, "window", "1m"));
        RuleIndex index = index(
                pinned("checkout", "service.name", "checkout"),
                pinned("cart-or-checkout", "service.name", List.of("cart", "checkout")),
                pinned("payments", "service.name", "payments"),
                pinned("ssh-login", "event.action", "ssh_login"),
                pinned("eq-payments", "service.name", map("eq", "payments")),
                pinned("in-checkout", "service.name", map("in", List.of("checkout"))),
                anyLog,
                anySignal);
        Telemetry checkoutLog = Telemetry.log(T0, "checkout", "ERROR", "boom");
        assertEquals(
                List.of("any-log", "any-signal", "cart-or-checkout", "checkout", "in-checkout"),
                candidates(index, checkoutLog));
        Telemetry paymentsLogin = Telemetry.log(T0, "payments", "INFO", "ok").attr("event.action", "ssh_login");
        assertEquals(List.of("any-log", "eq-payments", "payments", "ssh-login"), candidates(index, paymentsLogin));
        assertEquals(List.of("any-signal"), candidates(index, span(T0, "checkout", 5)), "a span meets no log rule");
    }

    @Test
    void numericComparisonsAndOperatorsAreNotIndexedSoTheyAreNeverMissed() {
        RuleSpec status = pinned("status-500", "http.response.status_code", 500); // an attribute: compared as text
        RuleSpec slow =
                rule("slow", "frequency", map("signal", "span", "duration_ms", 250), map("count", 5, "window", "1m"));
        RuleSpec notCheckout = pinned("not-checkout", "service.name", map("ne", "checkout"));
        RuleIndex index = index(status, slow, notCheckout);
        Telemetry t = Telemetry.log(T0, "cart", "ERROR", "x").attr("http.response.status_code", "500");
        assertEquals(List.of("not-checkout", "status-500"), candidates(index, t));
        Telemetry s = span(T0, "cart", 250);
        assertEquals(List.of("slow"), candidates(index, s), "duration_ms: 250 compares numbers, so it is not indexed");
    }

    @Test
    void aSequenceIsFiledUnderTheSignalsOfItsStepsSoOtherSignalsNeverMeetIt() {
        RuleSpec burstThenDeploy = sequence(
                "burst-then-deploy",
                map("name", "errors", "match", map("signal", "log", "severity_number", map("gte", 17))),
                map("name", "deploy", "match", map("signal", "event", "name", "deployment.finished")));
        RuleSpec anyStep = sequence(
                "then-any",
                map("name", "errors", "match", map("signal", "log")),
                map("name", "anything", "match", map("service.name", "checkout")));
        RuleIndex index = index(burstThenDeploy, anyStep);
        Telemetry error = Telemetry.log(T0, "checkout", "ERROR", "boom");
        error.severityNumber = 17;
        assertEquals(List.of("burst-then-deploy", "then-any"), candidates(index, error));
        assertEquals(
                List.of("burst-then-deploy", "then-any"),
                candidates(index, Telemetry.event(T0, "checkout", "deployment.finished")));
        assertEquals(List.of("then-any"), candidates(index, span(T0, "checkout", 5)), "no step takes a span");
        assertEquals(
                List.of("then-any"),
                candidates(index, Telemetry.metric(T0, "checkout", "cpu", 0.5)),
                "a step that pins no signal takes a metric");
    }

    @Test
    void everyRuleThatMatchesARecordIsACandidate() {
        List<RuleSpec> specs = new ArrayList<>();
        String[] services = {"checkout", "cart", "payments", "auth"};
        for (int i = 0; i < 40; i++) {
            specs.add(pinned("r" + i, "service.name", services[i % services.length]));
            specs.add(pinned("a" + i, "event.action", i % 2 == 0 ? "login" : List.of("login", "logout")));
        }
        List<CompiledRule> rules = RuleCompiler.compileAll(specs);
        RuleIndex index = new RuleIndex(rules);
        for (String service : services) {
            for (String action : new String[] {"login", "logout", "sudo"}) {
                Telemetry t = Telemetry.log(T0, service, "INFO", "x").attr("event.action", action);
                List<String> found = candidates(index, t);
                for (CompiledRule r : rules) {
                    if (r.filter.test(t)) {
                        assertTrue(found.contains(r.id()), r.id() + " matches " + t + " but was not found");
                    }
                }
            }
        }
    }

    @Test
    void rulesThatShareAnActionButPinTheirOwnServiceAreFiledUnderTheirService() {
        List<RuleSpec> specs = new ArrayList<>();
        for (int i = 0; i < 50; i++) { // a pack: one action, a rule per service
            specs.add(rule(
                    "login-" + i,
                    "frequency",
                    map("signal", "log", "event.action", "ssh_login", "service.name", "service-" + i),
                    map("count", 5, "window", "1m")));
        }
        specs.add(pinned("any-login", "event.action", "ssh_login"));
        specs.add(rule(
                "login-or-sudo-on-3",
                "frequency",
                map("signal", "log", "event.action", List.of("ssh_login", "sudo"), "service.name", "service-3"),
                map("count", 5, "window", "1m")));
        List<CompiledRule> rules = RuleCompiler.compileAll(specs);
        RuleIndex index = new RuleIndex(rules);
        Telemetry login = Telemetry.log(T0, "service-3", "INFO", "x").attr("event.action", "ssh_login");
        assertEquals(List.of("any-login", "login-3", "login-or-sudo-on-3"), candidates(index, login));
        Telemetry sudo = Telemetry.log(T0, "service-3", "INFO", "x").attr("event.action", "sudo");
        assertEquals(
                List.of("login-3", "login-or-sudo-on-3"),
                candidates(index, sudo),
                "a candidate by its service; its filter then turns the action down");
        Telemetry elsewhere = Telemetry.log(T0, "checkout", "INFO", "x").attr("event.action", "ssh_login");
        assertEquals(List.of("any-login"), candidates(index, elsewhere));
        for (Telemetry t : List.of(login, sudo, elsewhere)) {
            List<String> found = candidates(index, t);
            for (CompiledRule r : rules) {
                assertTrue(
                        !r.filter.test(t) || found.contains(r.id()), r.id() + " matches " + t + " but was not found");
            }
        }
    }

    @Test
    void aFieldOfFewValuesIsNotChosenForItsFewRules() {
        List<RuleSpec> specs = new ArrayList<>();
        String[] actions = {
            "ssh_login",
            "sudo",
            "user_created",
            "user_deleted",
            "passwd",
            "su",
            "cron",
            "login",
            "logout",
            "chown",
            "mount",
            "reboot"
        };
        for (String action : actions) { // a pack: a rule per action, two more also pinning an outcome
            specs.add(pinned(action, "event.action", action));
        }
        specs.add(rule(
                "new-key",
                "frequency",
                map("signal", "log", "event.action", "ssh_login", "event.outcome", "success"),
                map("count", 5, "window", "1m")));
        specs.add(rule(
                "failed-login",
                "frequency",
                map("signal", "log", "event.action", "ssh_login", "event.outcome", "failure"),
                map("count", 5, "window", "1m")));
        RuleIndex index = index(specs.toArray(new RuleSpec[0]));
        Telemetry sudo = Telemetry.log(T0, "host", "INFO", "x")
                .attr("event.action", "sudo")
                .attr("event.outcome", "success");
        // One rule pins event.outcome: success and three pin event.action: ssh_login, but records spread over twelve
        // actions and only two outcomes: filed under the outcome, new-key would meet every successful record.
        assertEquals(List.of("sudo"), candidates(index, sudo));
        Telemetry login = Telemetry.log(T0, "host", "INFO", "x")
                .attr("event.action", "ssh_login")
                .attr("event.outcome", "success");
        assertEquals(List.of("failed-login", "new-key", "ssh_login"), candidates(index, login));
    }

    @Test
    void aRecordThatMatchesNoRuleAllocatesNothing() {
        List<RuleSpec> specs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            specs.add(pinned("r" + i, "service.name", "service-" + i));
        }
        RuleIndex index = index(specs.toArray(new RuleSpec[0]));
        Telemetry t = Telemetry.log(T0, "checkout", "ERROR", "boom");
        List<CompiledRule> reused = new ArrayList<>();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < 20_000; i++) { // warm up, so the measured loop runs compiled code
            reused.clear();
            index.candidates(t, reused);
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            reused.clear();
            index.candidates(t, reused);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertEquals(0, reused.size());
        // A few bytes of slack for the measurement itself; one allocation per record would be megabytes.
        assertTrue(allocated < 10_000, allocated + " bytes allocated for 100,000 records that match no rule");
    }
}
