package io.vigil.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.model.Alert;
import io.vigil.model.Ingested;
import io.vigil.model.Telemetry;
import io.vigil.rules.RuleSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CEL condition that fails on odd records (a map key they lack) is isolated: each such record becomes a dead letter
 * with reason rule_error and the rule's id, the rule goes on with the records it can read, and the job finishes.
 * Runs with generic types disabled, so the CEL filter path adds no Kryo fallback.
 */
class CelRuleIsolationTest {
    @TempDir
    Path out;

    @Test
    void recordsThatBreakAConditionBecomeDeadLettersAndTheRuleGoesOn() throws Exception {
        RuleSpec rule = new RuleSpec();
        rule.id = "root-logins";
        rule.name = "root logins";
        rule.kind = "frequency";
        rule.match.put("signal", "log");
        rule.where = "attributes['user.name'] == 'root'"; // no guard: records without user.name fail
        rule.keyBy.add("host.name");
        rule.params.put("count", 5L);
        rule.params.put("window", "1m");

        long t0 = 1_767_225_600_000L;
        List<Ingested> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(Ingested.of(Telemetry.log(t0 + i * 1000L, "sshd", "INFO", "Accepted password for root")
                    .res("host.name", "bastion-1")
                    .attr("user.name", "root")));
            if (i < 3) {
                records.add(Ingested.of(Telemetry.log(t0 + i * 1000L + 500, "sshd", "INFO", "no user here")
                        .res("host.name", "bastion-1")));
            }
        }
        TelemetrySource source = (env, watermarks) ->
                env.fromData(records, TypeInformation.of(Ingested.class)).assignTimestampsAndWatermarks(watermarks);
        JobRun run = JobRun.run(source, RuleSource.of(List.of(rule)), out);

        assertEquals(1, run.firing().size(), run.alerts.toString());
        Alert a = run.firing().get(0);
        assertEquals("root-logins", a.ruleId);
        assertEquals("bastion-1", a.keyFields.get("host.name"));
        assertEquals(3, run.deadLetters.size(), run.deadLetters.toString());
        for (JsonNode d : run.deadLetters) {
            assertEquals(DetectionJob.RULE_ERROR, d.get("reason").asText(), d.toString());
            assertEquals("rule:root-logins", d.get("origin").asText(), d.toString());
            assertTrue(d.get("detail").asText().contains("user.name"), d.toString());
        }
    }
}
