package io.vigil.cli;

import io.vigil.rules.CompiledRule;
import io.vigil.rules.RuleCodec;
import io.vigil.rules.RuleLocations;
import io.vigil.rules.RuleProblem;
import io.vigil.rules.RuleValidator;
import io.vigil.rules.kafka.RuleTopic;
import io.vigil.rules.kafka.RuleUpdateDeserializer;
import io.vigil.rules.testing.RuleTestRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil rules validate|test|push|import-sigma}: what {@code promtool check rules} and {@code promtool test rules} are for
 * Prometheus, plus publishing to the running job. Exit 0 on success, 1 when rules or tests fail, 2 on a wrong flag.
 */
@Command(
        name = "rules",
        description = "Check, test and publish detection rules.",
        subcommands = {
            RulesCommand.Validate.class,
            RulesCommand.Test.class,
            RulesCommand.Push.class,
            ImportSigmaCommand.class
        })
public final class RulesCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Prints problems as file:line:col: message (hint); returns the exit code. */
    static int report(RuleValidator.Report r, PrintWriter out, PrintWriter err) {
        for (RuleProblem p : r.problems) {
            err.println(p);
        }
        if (r.files.isEmpty()) {
            err.println("no rule files found");
            return 1;
        }
        if (!r.ok()) {
            err.println(r.problems.size() + " problem(s) in " + r.files.size() + " file(s)");
            return 1;
        }
        out.println("OK: " + r.rules.size() + " rule(s) in " + r.files.size() + " file(s)");
        return 0;
    }

    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            description = "Parse, type-check and lint rule files; print each problem as file:line:col: message.")
    public static final class Validate implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(
                paramLabel = "PATH",
                arity = "0..*",
                defaultValue = "rules",
                description = "rule files or folders (default: ${DEFAULT-VALUE})")
        List<Path> paths;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int code = report(RuleValidator.validate(paths), out, err);
            out.flush();
            err.flush();
            return code;
        }
    }

    @Command(
            name = "test",
            mixinStandardHelpOptions = true,
            description = "Run rule unit tests (*.test.yaml): input telemetry through the real detectors in a local "
                    + "Flink job, in event time; prints expected against got for each failure.")
    public static final class Test implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(
                paramLabel = "FILE",
                arity = "0..*",
                defaultValue = "rules/tests",
                description = "test files or folders holding *.test.yaml (default: ${DEFAULT-VALUE})")
        List<Path> paths;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<Path> files = new ArrayList<>();
            for (Path p : paths) {
                if (Files.isDirectory(p)) {
                    try (Stream<Path> s = Files.walk(p)) {
                        s.filter(f -> f.getFileName().toString().endsWith(".test.yaml"))
                                .sorted()
                                .forEach(files::add);
                    }
                } else if (Files.isRegularFile(p)) {
                    files.add(p);
                } else {
                    err.println(p + ": no such test file or folder");
                    err.flush();
                    return 1;
                }
            }
            if (files.isEmpty()) {
                err.println("no *.test.yaml files in " + paths);
                err.flush();
                return 1;
            }
            int cases = 0;
            int passed = 0;
            boolean ok = true;
            try (RuleTestRunner runner = RuleTestRunner.start()) {
                for (Path f : files) {
                    RuleTestRunner.Result r = runner.test(f);
                    cases += r.cases;
                    passed += r.passed;
                    if (r.ok()) {
                        out.println("PASS " + f + " (" + r.cases + " test(s))");
                    } else {
                        ok = false;
                        out.println("FAIL " + f + " (" + r.passed + " of " + r.cases + " test(s) passed)");
                        r.failures.forEach(err::println);
                    }
                    out.flush();
                    err.flush();
                }
            }
            out.println((ok ? "SUCCESS: " : "FAILED: ") + passed + " of " + cases + " test(s) passed in " + files.size()
                    + " file(s)");
            out.flush();
            return ok ? 0 : 1;
        }
    }

    @Command(
            name = "push",
            mixinStandardHelpOptions = true,
            description = "Validate rules, then publish them to the compacted rules topic a running job reads "
                    + "(hot reload): key = rule id, value = rule JSON, tombstone = deleted.")
    public static final class Push extends CompactedTopicPush {
        @Parameters(paramLabel = "PATH", arity = "0..*", description = "rule files or folders to publish")
        List<Path> paths = new ArrayList<>();

        public Push() {
            super(RuleTopic.DEFAULT_TOPIC);
        }

        @Override
        boolean hasInput() {
            return !paths.isEmpty();
        }

        @Override
        String missingInput() {
            return "give rule files or folders to publish, or --delete RULE_ID";
        }

        @Override
        String pruneNeedsInput() {
            return "--prune needs the rule files or folders that hold every rule to keep";
        }

        @Override
        Map<String, String> records(PrintWriter err) throws IOException {
            RuleValidator.Report r = RuleValidator.validate(paths);
            for (CompiledRule c : r.rules) {
                if (!c.kind.hotReloadable(c.spec)) {
                    r.problems.add(RuleLocations.problem(
                            c.spec, "kind", RuleUpdateDeserializer.notHotReloadable(c.spec), null));
                }
            }
            if (!r.ok()) {
                r.problems.forEach(err::println);
                err.println("nothing published: " + r.problems.size() + " problem(s)");
                return null;
            }
            Map<String, String> records = new LinkedHashMap<>();
            r.rules.forEach(c -> records.put(c.id(), RuleCodec.toJson(c.spec)));
            return records;
        }

        @Override
        String changed() {
            return "changed (its state resets)";
        }

        @Override
        String removed() {
            return "deleted";
        }
    }
}
