package io.vigil.privacy;

import io.vigil.rules.RuleException;
import io.vigil.rules.RuleUpdate;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The privacy policy an operator applies while the job runs: the one it started with until an update keyed {@link
 * RuleUpdate#PRIVACY_POLICY} on the rules' broadcast stream brings another ({@code vigil privacy push}); the pushed
 * YAML is kept in the operator's broadcast state {@link PrivacyFunction#POLICY}, so it survives a restore. An invalid
 * update is logged with its problems and the running policy stays; a deletion goes back to the starting policy.
 *
 * <p>Shared by {@link PrivacyFunction} (one operator per output family) and the rule router, which applies the {@code
 * before_detection} rules itself so that records do not cross a network edge between the two.
 *
 * <p>Counts every action and detector match as metrics of the operator that holds it: {@code
 * privacy.action.<action>.applied} and {@code privacy.detector.<detector>.matches} (Flink's key/value groups, so
 * reporters label them).
 */
public final class LivePolicy implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LivePolicy.class);

    private final PrivacySettings settings;

    private transient Redactor redactor;
    /** The pushed policy text the redactor was built from; null: the policy the job started with. */
    private transient String pushed;

    private transient Redactor.Tally tally;

    public LivePolicy(PrivacySettings settings) {
        this.settings = settings;
    }

    /** Starts with the job's own policy; call from the operator's {@code open}. */
    public void open(MetricGroup operator) {
        MetricGroup privacy = operator.addGroup("privacy");
        Map<String, Counter> counters = new HashMap<>();
        tally = (group, name) -> counters.computeIfAbsent(
                        group + "/" + name,
                        k -> privacy.addGroup(group, name).counter(group.equals("detector") ? "matches" : "applied"))
                .inc();
        use(null);
    }

    /** The redactor of the policy in force, per record. */
    public Redactor redactor(ReadOnlyBroadcastState<String, String> state) throws Exception {
        // After a restore the broadcast state holds the pushed policy while the redactor was built from the file's.
        String current = state.get(RuleUpdate.PRIVACY_POLICY);
        if (current != null ? !current.equals(pushed) : pushed != null) {
            use(current);
        }
        return redactor;
    }

    /** Takes a policy update from the rules' broadcast stream; other updates are not its business. */
    public void update(RuleUpdate update, BroadcastState<String, String> state) throws Exception {
        if (!RuleUpdate.PRIVACY_POLICY.equals(update.ruleId)) {
            return;
        }
        if (update.isDeletion()) {
            state.remove(RuleUpdate.PRIVACY_POLICY);
            LOG.info("Privacy policy deleted from the rules topic; back to {}", settings.policy.source);
            use(null);
            return;
        }
        try {
            PrivacyPolicy p = PolicyLoader.parse(update.specJson, "rules topic " + RuleUpdate.PRIVACY_POLICY);
            if (p.usesHash()) {
                settings.key(); // fails here, not per record, when the new policy needs a key the job cannot read
            }
        } catch (RuleException | IllegalStateException e) {
            LOG.warn("Ignoring an invalid privacy policy update; the running policy stays: {}", e.getMessage());
            return;
        }
        state.put(RuleUpdate.PRIVACY_POLICY, update.specJson);
        use(update.specJson);
        LOG.info("Privacy policy changed (pushed on the rules topic)");
    }

    private void use(String text) {
        PrivacyPolicy p = text == null ? settings.policy : PolicyLoader.parse(text, "rules topic");
        redactor = new Redactor(p, settings.pseudonyms(p), tally);
        pushed = text;
    }
}
