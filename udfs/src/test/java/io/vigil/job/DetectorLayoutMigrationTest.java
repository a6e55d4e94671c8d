package io.vigil.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Ingested;
import io.vigil.model.Telemetry;
import io.vigil.privacy.PolicyLoader;
import io.vigil.privacy.PrivacyFunction;
import io.vigil.privacy.PrivacySettings;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.shaded.guava33.com.google.common.hash.Hashing;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State saved by the earlier detector layout (one keyed operator, uid {@code detectors}, keyed by rule and key) does not
 * fit the current one (keyed by key group, each rule version in a namespace of its own, uid
 * {@link DetectionJob#DETECTORS_UID}). A savepoint of it is refused with a message naming the operator, unless the
 * job is started with non-restored state allowed: then the detectors start clean and the job runs. The same holds for
 * the privacy operator before detection (uid {@code privacy-before-detection}), whose work the rule router does now.
 */
class DetectorLayoutMigrationTest {
    @TempDir
    Path dir;

    @Test
    void aSavepointOfThePreviousLayoutIsRefusedUnlessTheDetectorsMayStartClean() throws Exception {
        String savepoint = savepointOf(previousLayout());

        Configuration strict = new Configuration();
        strict.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        Exception refused = assertThrows(
                Exception.class,
                () -> JobRun.run(
                        source(),
                        RuleSource.of(List.of(rule())),
                        dir.resolve("strict"),
                        new DetectionConfig(),
                        strict));
        String why = ExceptionUtils.stringifyException(refused);
        assertTrue(why.contains("Cannot map checkpoint/savepoint state for operator " + operatorId("detectors")), why);

        Configuration lenient = new Configuration();
        lenient.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        lenient.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        JobRun run = JobRun.run(
                source(), RuleSource.of(List.of(rule())), dir.resolve("lenient"), new DetectionConfig(), lenient);
        assertEquals(1, run.firing().size(), run.alerts.toString());
    }

    /** The operator id Flink derives from a uid (murmur3_128 of it, as its StreamGraphHasherV2 does). */
    private static String operatorId(String uid) {
        return new OperatorID(Hashing.murmur3_128(0)
                        .newHasher()
                        .putString(uid, StandardCharsets.UTF_8)
                        .hash()
                        .asBytes())
                .toString();
    }

    @Test
    void aSavepointWithThePrivacyOperatorBeforeDetectionIsRefusedUnlessAPushedPolicyMayBeLost() throws Exception {
        StreamExecutionEnvironment old = StreamExecutionEnvironment.createLocalEnvironment(1, new Configuration());
        old.fromSequence(0, Long.MAX_VALUE)
                .uid("split-dead-letters")
                .map(new PreviousPrivacyOperator())
                .uid("privacy-before-detection")
                .sinkTo(new DiscardingSink<>());
        String savepoint = savepointOf(old);
        DetectionConfig config = new DetectionConfig();
        config.privacy = new PrivacySettings(
                PolicyLoader.parse("detectors:\n  email: {action: placeholder}\n", "_privacy.yaml"), null, null);

        Configuration strict = new Configuration();
        strict.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        Exception refused = assertThrows(
                Exception.class,
                () -> JobRun.run(source(), RuleSource.of(List.of(rule())), dir.resolve("strict-p"), config, strict));
        String why = ExceptionUtils.stringifyException(refused);
        assertTrue(
                why.contains(
                        "Cannot map checkpoint/savepoint state for operator " + operatorId("privacy-before-detection")),
                why);

        Configuration lenient = new Configuration();
        lenient.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        lenient.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        JobRun run = JobRun.run(source(), RuleSource.of(List.of(rule())), dir.resolve("lenient-p"), config, lenient);
        assertEquals(1, run.firing().size(), run.alerts.toString());
    }

    /** The earlier layout: a keyed operator with uid "detectors" keeping the rule version's JSON per key. */
    private static StreamExecutionEnvironment previousLayout() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, new Configuration());
        env.fromSequence(0, Long.MAX_VALUE)
                .uid("split-dead-letters") // a uid the new graph has too, so only the detectors' state is unmapped
                .keyBy(i -> "errors\u001fpayments", Types.STRING)
                .process(new PreviousLayout())
                .uid("detectors")
                .sinkTo(new DiscardingSink<>());
        return env;
    }

    /** Runs a stand-in of an earlier layout and stops it with a savepoint. */
    private String savepointOf(StreamExecutionEnvironment env) throws Exception {
        JobClient job = env.executeAsync("previous layout");
        String target = dir.resolve("savepoints").toUri().toString();
        // A savepoint needs every task running; the job reports RUNNING before its tasks are. Try until one is taken.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return job.stopWithSavepoint(false, target, SavepointFormatType.CANONICAL)
                        .get();
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no savepoint of the previous layout within 60 s", e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Keeps what the earlier operator kept per key: the JSON of the rule version. */
    static final class PreviousLayout extends KeyedProcessFunction<String, Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(Long value, Context ctx, Collector<Long> out) throws Exception {
            ValueState<String> version =
                    getRuntimeContext().getState(new ValueStateDescriptor<>("vigil.ruleVersion", Types.STRING));
            version.update("{\"id\":\"errors\"}");
        }
    }

    /** Keeps what the earlier privacy operator kept: a pushed policy, in its broadcast state. */
    static final class PreviousPrivacyOperator implements MapFunction<Long, Long>, CheckpointedFunction {
        private static final long serialVersionUID = 1L;

        @Override
        public Long map(Long value) {
            return value;
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            context.getOperatorStateStore()
                    .getBroadcastState(PrivacyFunction.POLICY)
                    .put(RuleUpdate.PRIVACY_POLICY, "detectors:\n  email: {action: drop}\n");
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {}
    }

    private static RuleSpec rule() {
        RuleSpec rule = new RuleSpec();
        rule.id = "errors";
        rule.name = "payments errors";
        rule.kind = "frequency";
        rule.severity = "high";
        rule.match.put("signal", "log");
        rule.match.put("severity", "ERROR");
        rule.keyBy.add("service.name");
        rule.params.put("count", 5L);
        rule.params.put("window", "1m");
        return rule;
    }

    private static TelemetrySource source() {
        long t0 = 1_767_225_600_000L;
        List<Ingested> records = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            records.add(Ingested.of(Telemetry.log(t0 + i * 1000L, "payments", "ERROR", "upstream timeout")));
        }
        records.add(Ingested.of(Telemetry.log(t0 + Duration.ofMinutes(5).toMillis(), "payments", "INFO", "ok")));
        return (env, watermarks) ->
                env.fromData(records, TypeInformation.of(Ingested.class)).assignTimestampsAndWatermarks(watermarks);
    }
}
