package io.vigil.rules.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.GraphRuleKind;
import io.vigil.rules.Params;
import io.vigil.rules.RuleCodec;
import io.vigil.rules.RuleKinds;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** What the job makes of each kind of record on the rules topic. */
class RuleUpdateDeserializerTest {
    private final List<RuleUpdate> out = new ArrayList<>();
    private final Collector<RuleUpdate> collector = new Collector<>() {
        @Override
        public void collect(RuleUpdate u) {
            out.add(u);
        }

        @Override
        public void close() {}
    };

    private static RuleSpec rule(String id) {
        RuleSpec s = new RuleSpec();
        s.id = id;
        s.name = id;
        s.kind = "frequency";
        s.params.put("count", 5L);
        s.params.put("window", "1m");
        return s;
    }

    private void read(String key, String value) {
        new RuleUpdateDeserializer()
                .deserialize(
                        new ConsumerRecord<>(
                                "vigil-rules",
                                0,
                                0,
                                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                                value == null ? null : value.getBytes(StandardCharsets.UTF_8)),
                        collector);
    }

    @Test
    void aRuleBecomesAnUpdateAndATombstoneOrEmptyValueADeletion() {
        String json = RuleCodec.toJson(rule("a"));
        read("a", json);
        read("a", null);
        read("b", "");
        assertEquals(3, out.size());
        assertEquals("a", out.get(0).ruleId);
        assertEquals(json, out.get(0).specJson);
        assertTrue(out.get(1).isDeletion());
        assertEquals("b", out.get(2).ruleId);
        assertNull(out.get(2).specJson);
    }

    @Test
    void recordsThatCannotBeAnUpdateAreDropped() {
        read(null, RuleCodec.toJson(rule("a")));
        read("a", "{not json");
        read("a", "{\"colour\": \"red\"}");
        read("b", RuleCodec.toJson(rule("a")));
        assertEquals(List.of(), out);
        assertTrue(
                RuleUpdateDeserializer.check("b", RuleCodec.toJson(rule("a"))).contains("'b'"));
    }

    @Test
    void aRuleThatDoesNotCompileStillReachesTheOperatorsWhichKeepThePreviousVersion() {
        RuleSpec bad = rule("a");
        bad.params.put("count", 0L);
        read("a", RuleCodec.toJson(bad));
        assertEquals(1, out.size());
    }

    @Test
    void aRuleOfAGraphKindIsRefusedWithWhatToDoInstead() {
        GraphRuleKind sequence = new GraphRuleKind() {
            @Override
            public String name() {
                return "sequence";
            }

            @Override
            public void check(RuleSpec spec, Params params) {}

            @Override
            public DataStream<Alert> attach(DataStream<Telemetry> telemetry, List<CompiledRule> rules) {
                throw new UnsupportedOperationException();
            }
        };
        RuleSpec s = rule("seq");
        s.kind = "sequence";
        String why = RuleUpdateDeserializer.check(
                "seq", RuleCodec.toJson(s), k -> k.equals("sequence") ? sequence : RuleKinds.get(k));
        assertTrue(
                why.contains(
                        "rules of kind sequence with a strict, any, consecutive or optional step (Flink CEP) are compiled into the job graph"),
                why);
        assertTrue(why.contains("bin/vigil deploy"), why);
        assertNull(RuleUpdateDeserializer.check(
                "a", RuleCodec.toJson(rule("a")), k -> k.equals("sequence") ? sequence : RuleKinds.get(k)));
    }
}
