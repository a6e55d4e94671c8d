package io.vigil.detect;

import static io.vigil.detect.Specs.T0;
import static io.vigil.detect.Specs.errors;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.Telemetry;
import io.vigil.privacy.PolicyLoader;
import io.vigil.privacy.PrivacyFunction;
import io.vigil.privacy.PrivacySettings;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The router applies the privacy policy's before-detection rules itself: the detectors and every other stage (its
 * {@link RuleRouter#TELEMETRY} output) see the same redacted record, and a policy pushed on the rules topic takes over,
 * survives a restore and goes away again as it did in a privacy operator of its own.
 */
class RuleRouterPrivacyTest {
    private static final String STARTING = "detectors:\n  email: {action: placeholder}\n";
    /** Pushed: emails stay, the user name is masked. */
    private static final String PUSHED =
            "fields:\n  user.name: {action: mask, keep_prefix: 1, where: before_detection}\n";

    private static BroadcastOperatorTestHarness<Telemetry, RuleUpdate, Routed> router(
            OperatorSubtaskState restored, RuleSpec... rules) throws Exception {
        PrivacySettings settings = new PrivacySettings(PolicyLoader.parse(STARTING, "_privacy.yaml"), null, null);
        var h = new BroadcastOperatorTestHarness<>(
                new CoBroadcastWithNonKeyedOperator<>(
                        new RuleRouter(new RuleBook(List.of(rules)), settings),
                        List.of(RuleBook.RULES, PrivacyFunction.POLICY)),
                1,
                1,
                0);
        if (restored != null) h.initializeState(restored);
        h.open();
        return h;
    }

    private static Telemetry login(long ts) {
        return Telemetry.log(ts, "auth", "ERROR", "password reset for bob.smith@example.com failed")
                .attr("user.name", "alice");
    }

    /** What the detectors got and what the other stages got, as "body | user.name" each. */
    private static List<String> seen(BroadcastOperatorTestHarness<Telemetry, RuleUpdate, Routed> h) {
        List<String> out = new ArrayList<>();
        for (Routed r : h.extractOutputValues())
            out.add("detectors: " + r.record.body + " | " + r.record.attributes.get("user.name"));
        for (StreamRecord<Telemetry> t : h.getSideOutput(RuleRouter.TELEMETRY)) {
            out.add("others: " + t.getValue().body + " | "
                    + t.getValue().attributes.get("user.name"));
        }
        return out;
    }

    @Test
    void detectorsAndOtherStagesSeeTheRecordAsTheBeforeDetectionRulesLeftIt() throws Exception {
        var h = router(null, errors());
        h.processElement(login(T0), T0);
        assertEquals(
                List.of(
                        "detectors: password reset for <email> failed | alice",
                        "others: password reset for <email> failed | alice"),
                seen(h));
        // a record no rule wants still reaches the other stages, redacted
        h.processElement(Telemetry.log(T0, "auth", "INFO", "hello bob@example.com"), T0);
        assertEquals(1, h.extractOutputValues().size());
        assertEquals(2, h.getSideOutput(RuleRouter.TELEMETRY).size());
        assertEquals(
                "hello <email>",
                new ArrayList<>(h.getSideOutput(RuleRouter.TELEMETRY)).get(1).getValue().body);
        h.close();
    }

    @Test
    void aPushedPolicyTakesOverSurvivesARestoreAndItsDeletionGoesBack() throws Exception {
        var h = router(null, errors());
        h.processBroadcastElement(new RuleUpdate(RuleUpdate.PRIVACY_POLICY, PUSHED), T0);
        h.processBroadcastElement(new RuleUpdate(RuleUpdate.PRIVACY_POLICY, "fields: [not, a, map]"), T0); // ignored
        h.processElement(login(T0), T0);
        assertEquals(
                List.of(
                        "detectors: password reset for bob.smith@example.com failed | a****",
                        "others: password reset for bob.smith@example.com failed | a****"),
                seen(h));
        OperatorSubtaskState saved = h.snapshot(1L, T0);
        h.close();

        var restored = router(saved, errors());
        restored.processElement(login(T0 + 1), T0 + 1);
        assertEquals(
                List.of(
                        "detectors: password reset for bob.smith@example.com failed | a****",
                        "others: password reset for bob.smith@example.com failed | a****"),
                seen(restored));
        restored.processBroadcastElement(RuleUpdate.deletion(RuleUpdate.PRIVACY_POLICY), T0 + 2);
        restored.getSideOutput(RuleRouter.TELEMETRY).clear();
        restored.getOutput().clear();
        restored.processElement(login(T0 + 3), T0 + 3);
        assertEquals(
                List.of(
                        "detectors: password reset for <email> failed | alice",
                        "others: password reset for <email> failed | alice"),
                seen(restored));
        restored.close();
    }
}
