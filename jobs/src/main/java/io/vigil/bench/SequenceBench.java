package io.vigil.bench;

import io.vigil.detect.DetectorOperator;
import io.vigil.detect.FixedRuleRouter;
import io.vigil.detect.Routed;
import io.vigil.detect.RuleBook;
import io.vigil.detect.RuleRouter;
import io.vigil.detect.sequence.SequenceKind;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleCompiler;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSpec;
import io.vigil.rules.RuleUpdate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil bench sequence}: the starter brute-force rule ({@code rules/security/ssh-brute-force.yaml}) over bursts
 * of failed logins that each end in a success, run on Flink CEP and on the keyed sequence state machine that replaces
 * it in the shared detector operator (the rule router and the detector operator, as the job runs them), in the same run
 * on the same records. Reports records/s of each and the ratio, for several burst lengths and for noisy addresses
 * that fail for longer than the rule's window (many partial matches per key). Both must raise the same alerts, or the
 * bench fails.
 */
@Command(
        name = "sequence",
        mixinStandardHelpOptions = true,
        description = "Records/s of the brute-force sequence rule in the detector operator vs Flink CEP, "
                + "for bursts of increasing length, in the same run.")
public final class SequenceBench implements Callable<Integer> {
    @Option(
            names = "--rule",
            defaultValue = "rules/security/ssh-brute-force.yaml",
            paramLabel = "FILE",
            description =
                    "a sequence rule (the brute-force shape: at_least N then one record) (default: ${DEFAULT-VALUE})")
    Path rule;

    @Option(
            names = "--bursts",
            defaultValue = "20,100,400",
            split = ",",
            description = "failed logins per burst (default: ${DEFAULT-VALUE})")
    List<Integer> bursts;

    @Option(
            names = "--records",
            defaultValue = "4000",
            description = "about this many records per case (default: ${DEFAULT-VALUE})")
    int records;

    @Option(
            names = "--rounds",
            defaultValue = "2",
            description = "runs per case; the best is reported (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(
            names = "--noisy",
            defaultValue = "20",
            paramLabel = "MINUTES",
            description = "then four addresses failing once a second for this long before a success each "
                    + "(0: not run) (default: ${DEFAULT-VALUE})")
    int noisyMinutes;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || records < 1 || bursts.stream().anyMatch(b -> b < 1)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--rounds, --records and every --bursts value must be at least 1");
        }
        if (noisyMinutes < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--noisy must be 0 (not run) or a number of minutes, not " + noisyMinutes);
        }
        List<RuleSpec> specs = RuleLoader.load(List.of(rule));
        if (specs.size() != 1 || !"sequence".equals(specs.get(0).kind)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--rule must be one file holding one sequence rule; " + rule + " holds " + specs.size());
        }
        CompiledRule compiled = RuleCompiler.compile(specs.get(0));
        System.out.printf(
                Locale.ROOT, "rule: %s, %d runs per case, best reported, parallelism 1%n", compiled.id(), rounds);
        System.out.printf(
                Locale.ROOT, "%-10s %10s %14s %14s %8s%n", "burst", "records", "CEP rec/s", "keyed rec/s", "ratio");
        for (int burst : bursts) {
            measure(String.valueOf(burst), bursts(burst, Math.max(1, records / (burst + 1))), compiled);
        }
        if (noisyMinutes > 0) {
            measure("noisy " + noisyMinutes + "m", noisy(noisyMinutes), compiled);
        }
        return 0;
    }

    /** One row: the best records/s of each engine over {@link #rounds} runs on {@code input}, and their ratio. */
    private void measure(String label, List<Telemetry> input, CompiledRule compiled) throws Exception {
        double[] best = new double[2];
        TreeSet<String> reference = null;
        for (int round = 0; round < rounds; round++) {
            for (int engine = 0; engine < 2; engine++) {
                TreeSet<String> ids = new TreeSet<>();
                long ms = run(compiled, input, engine == 1, ids);
                double perSecond = input.size() / (Math.max(1, ms) / 1e3);
                if (reference == null) {
                    reference = ids;
                } else if (!reference.equals(ids)) {
                    throw new IllegalStateException("CEP and the detector operator disagree at " + label);
                }
                best[engine] = Math.max(best[engine], perSecond);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%-10s %,10d %,14.0f %,14.0f %8.2f%n",
                label,
                input.size(),
                best[0],
                best[1],
                best[1] / best[0]);
    }

    /** Event time of the first generated record: the demo's start. */
    private static final long START = TelemetryGenerator.DEFAULT_START.toEpochMilli();

    /**
     * Four addresses that each fail once a second for {@code minutes}, interleaved, then each succeed once: a noisy
     * key keeps a partial match per failure within the rule's {@code within} (300 for the starter rule's 5 minutes),
     * which every record moves on, and each address's success completes the oldest one.
     */
    static List<Telemetry> noisy(int minutes) {
        List<Telemetry> out = new ArrayList<>();
        long t = START;
        int failures = minutes * 60;
        for (int i = 0; i < failures * 4; i++) {
            out.add(login(t + i * 250L, "198.51.100." + (i % 4), "failure"));
        }
        for (int k = 0; k < 4; k++) {
            out.add(login(t + failures * 1000L + k, "198.51.100." + k, "success"));
        }
        return out;
    }

    /**
     * {@code n} bursts from different addresses, one after the other: {@code burst} failed logins spread over four
     * minutes, then a success, so every burst is one match of a 5-minute rule.
     */
    static List<Telemetry> bursts(int burst, int n) {
        List<Telemetry> out = new ArrayList<>();
        long t = START;
        long step = Math.max(1, 240_000L / burst);
        for (int b = 0; b < n; b++) {
            String ip = "203.0." + (b / 250) + "." + (b % 250);
            for (int i = 0; i < burst; i++) {
                out.add(login(t, ip, "failure"));
                t += step;
            }
            out.add(login(t, ip, "success"));
            t += 1000;
        }
        return out;
    }

    static Telemetry login(long t, String ip, String outcome) {
        return Telemetry.log(t, "sshd", "INFO", outcome + " password for root from " + ip)
                .attr("event.category", "authentication")
                .attr("event.action", "ssh_login")
                .attr("event.outcome", outcome)
                .attr("source.ip", ip)
                .attr("user.name", "root");
    }

    /** Alert ids of the running bench job: it runs in this JVM's MiniCluster, so a static set can gather them. */
    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

    /**
     * One bounded run at parallelism 1 with per-record watermarks; adds the alert ids to {@code ids} and returns the
     * job's net runtime in ms (without starting the MiniCluster, which would dwarf small cases).
     */
    static long run(CompiledRule rule, List<Telemetry> input, boolean keyed, Set<String> ids) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        DataStream<Telemetry> telemetry = env.fromData(input)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Telemetry>forMonotonousTimestamps()
                        .withTimestampAssigner((r, ts) -> r.timestamp));
        SEEN.clear();
        DataStream<Alert> alerts =
                keyed ? detectors(telemetry, rule) : new SequenceKind().attach(telemetry, List.of(rule));
        alerts.map(SequenceBench::seen).name("alert ids").sinkTo(new DiscardingSink<>());
        long ms = env.execute("bench sequence").getNetRuntime(TimeUnit.MILLISECONDS);
        ids.addAll(SEEN);
        if (ids.isEmpty()) {
            throw new IllegalStateException("no alert: the bursts should each match " + rule.id());
        }
        return ms;
    }

    /** The rule router and the detector operator, wired as {@code DetectionJob} wires them, for one fixed rule. */
    private static DataStream<Alert> detectors(DataStream<Telemetry> telemetry, CompiledRule rule) {
        RuleBook book = new RuleBook(List.of(rule.spec));
        DataStream<RuleUpdate> none = telemetry.flatMap(new NoUpdates(), TypeInformation.of(RuleUpdate.class));
        return telemetry
                .process(new FixedRuleRouter(new RuleRouter(book)), TypeInformation.of(Routed.class))
                .keyBy(r -> r.key, Types.STRING)
                .connect(none.broadcast())
                .transform("Detectors", TypeInformation.of(Alert.class), new DetectorOperator(book));
    }

    /** The rule-update stream of a bench whose rule is fixed: emits nothing. */
    private static final class NoUpdates implements FlatMapFunction<Telemetry, RuleUpdate> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(Telemetry value, Collector<RuleUpdate> out) {}
    }

    private static String seen(Alert a) {
        SEEN.add(a.id);
        return a.id;
    }
}
