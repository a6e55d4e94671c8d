package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.generator.GeneratorSource;
import io.vigil.generator.TelemetryGenerator;
import io.vigil.job.RuleSource;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.PhysicalTransformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The demo's job graph (the repository's rules, so the graph kinds are compiled in, and every output the demo can
 * write to) gives every operator an explicit uid, as the cluster job's does ({@code KafkaDetectionJobGraphTest}): a
 * stateful operator added to the shared graph without one fails this build.
 */
class DemoJobGraphTest {
    @Test
    void everyOperatorOfTheDemoHasAnExplicitUid(@TempDir Path out) {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo)
                .parseArgs(
                        "--rules",
                        "../rules",
                        "--search-url",
                        "http://127.0.0.1:9200",
                        "--prometheus-url",
                        "http://127.0.0.1:9090/api/v1/write");
        RuleSource rules = RuleSource.directory(demo.run.ruleDirs().toArray(Path[]::new));
        assertTrue(
                rules.initial().size() >= 10,
                "the repository's rules: " + rules.initial().size());
        GeneratorSource source = new GeneratorSource(
                new TelemetryGenerator(42, Instant.parse("2026-11-02T00:00:00Z"), Duration.ofHours(1)));
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        StreamExecutionEnvironment env = new LocalRun("demo", source, rules, out, 2, true, quiet, quiet)
                .with(demo.results, demo.run.ruleDirs().get(0))
                .graph();

        List<String> missing = new ArrayList<>();
        int operators = 0;
        Set<Integer> seen = new HashSet<>();
        List<Transformation<?>> todo = new ArrayList<>(env.getTransformations());
        while (!todo.isEmpty()) {
            Transformation<?> t = todo.remove(todo.size() - 1);
            if (!seen.add(t.getId())) continue;
            todo.addAll(t.getInputs());
            // Unions, partitionings and side outputs are no operators: they hold no state and take no uid.
            if (t instanceof PhysicalTransformation) {
                operators++;
                if (t.getUid() == null && t.getUserProvidedNodeHash() == null) missing.add(t.getName());
            }
        }
        assertTrue(operators >= 15, "the whole graph was walked: " + operators + " operators");
        assertEquals(List.of(), missing, "operators of the demo without an explicit uid");
    }
}
