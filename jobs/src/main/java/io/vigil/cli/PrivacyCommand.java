package io.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.ingest.CanonicalJsonDecoder;
import io.vigil.ingest.IngestLimits;
import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import io.vigil.model.TelemetryJson;
import io.vigil.privacy.PolicyLoader;
import io.vigil.privacy.PrivacyPolicy;
import io.vigil.privacy.PrivacyPolicy.Stage;
import io.vigil.privacy.PrivacySettings;
import io.vigil.privacy.Pseudonyms;
import io.vigil.privacy.Redactor;
import io.vigil.rules.RuleException;
import io.vigil.rules.RuleUpdate;
import io.vigil.rules.kafka.RuleTopic;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil privacy test|push}: what a privacy policy does to sample records, without a job (like {@code rules
 * test}), and publishing a policy to a running job.
 */
@Command(
        name = "privacy",
        mixinStandardHelpOptions = true,
        description = "Check what a privacy policy does to sample records, or publish it to a running job.",
        subcommands = {PrivacyCommand.Test.class, PrivacyCommand.Push.class})
public final class PrivacyCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(
            name = "test",
            mixinStandardHelpOptions = true,
            description = {
                "Show what POLICY does to each record of SAMPLES (canonical JSON lines): the record as detection sees "
                        + "it and as every output gets it; a line that is not a record shows as its redacted dead "
                        + "letter bytes.",
                "With --expect, compare each output with the line of the same number in FILE and exit 1 on a "
                        + "difference."
            })
    public static final class Test implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "POLICY", description = "privacy policy YAML")
        Path policy;

        @Parameters(index = "1", paramLabel = "SAMPLES", description = "records, one canonical JSON per line")
        Path samples;

        @Option(
                names = "--expect",
                paramLabel = "FILE",
                description = "expected outputs: per sample line, the record (JSON) or dead letter bytes as text")
        Path expect;

        @Option(
                names = "--key-file",
                paramLabel = "FILE",
                description =
                        "hash key (else $" + PrivacySettings.DEFAULT_KEY_ENV + ", else a random key for this " + "run)")
        Path keyFile;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                return test(out, err);
            } finally {
                out.flush();
                err.flush();
            }
        }

        private int test(PrintWriter out, PrintWriter err) throws IOException {
            if (!Files.isRegularFile(samples)) {
                throw new CommandLine.ParameterException(spec.commandLine(), samples + ": no such samples file");
            }
            PrivacyPolicy p;
            try {
                p = PolicyLoader.load(policy);
            } catch (RuleException e) {
                err.println(e.getMessage());
                return 1;
            }
            Pseudonyms pseudonyms = null;
            if (p.usesHash()) {
                String env = System.getenv(PrivacySettings.DEFAULT_KEY_ENV);
                if (keyFile != null || env != null && !env.isEmpty()) {
                    try {
                        pseudonyms = new PrivacySettings(
                                        p, keyFile == null ? null : keyFile.toString(), PrivacySettings.DEFAULT_KEY_ENV)
                                .pseudonyms(p);
                    } catch (IllegalStateException e) {
                        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
                    }
                } else if (expect != null) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "the policy hashes values: --expect needs the key they were made with (--key-file or $"
                                    + PrivacySettings.DEFAULT_KEY_ENV + ")");
                } else {
                    byte[] k = new byte[32];
                    new SecureRandom().nextBytes(k);
                    pseudonyms = new Pseudonyms(k, p.hashLength);
                    out.println("(hashing with a random key for this run: give --key-file for stable pseudonyms)");
                }
            }
            Map<String, Long> counts = new TreeMap<>();
            Redactor r = new Redactor(p, pseudonyms, (g, n) -> counts.merge(g + " " + n, 1L, Long::sum));
            List<String> expected = expect == null ? null : Files.readAllLines(expect, StandardCharsets.UTF_8);
            CanonicalJsonDecoder decoder = new CanonicalJsonDecoder(IngestLimits.defaults());
            ObjectMapper json = new ObjectMapper();
            List<String> lines = Files.readAllLines(samples, StandardCharsets.UTF_8);
            int n = 0;
            int failed = 0;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                n++;
                List<Ingested> decoded = new ArrayList<>();
                decoder.decode(line.getBytes(StandardCharsets.UTF_8), samples + ":" + (i + 1), decoded::add);
                String got;
                out.println("# " + samples + ":" + (i + 1));
                if (decoded.size() == 1 && !decoded.get(0).isDead()) {
                    String before = TelemetryJson.write(r.telemetry(decoded.get(0).telemetry, Stage.BEFORE_DETECTION));
                    got = TelemetryJson.write(r.telemetry(decoded.get(0).telemetry, Stage.OUTPUTS));
                    out.println("  detection sees: " + before);
                    out.println("  outputs get:    " + got);
                } else {
                    DeadLetter d = r.deadLetter(new DeadLetter(
                            line.getBytes(StandardCharsets.UTF_8), samples + ":" + (i + 1), "json", "sample", ""));
                    got = new String(d.raw, StandardCharsets.UTF_8);
                    out.println("  not a record; dead letter bytes (" + p.deadLetters.id + "): " + got);
                }
                if (expected != null) {
                    String want = n - 1 < expected.size() ? expected.get(n - 1) : null;
                    if (want == null || !same(json, want, got)) {
                        failed++;
                        err.println(
                                "FAIL " + samples + ":" + (i + 1) + "\n  expected: " + want + "\n  got:      " + got);
                    }
                }
            }
            if (!counts.isEmpty()) {
                out.println("counts: " + counts);
            }
            if (expected != null) {
                out.println((failed == 0 ? "SUCCESS: " : "FAILED: ") + (n - failed) + " of " + n + " sample(s) as "
                        + "expected");
                return failed == 0 ? 0 : 1;
            }
            return 0;
        }

        private static boolean same(ObjectMapper json, String want, String got) {
            try {
                JsonNode a = json.readTree(want);
                JsonNode b = json.readTree(got);
                if (a != null && b != null && a.isContainerNode()) {
                    return a.equals(b);
                }
            } catch (IOException e) {
                // not JSON: compared as text
            }
            return want.equals(got);
        }
    }

    @Command(
            name = "push",
            mixinStandardHelpOptions = true,
            description = "Validate a privacy policy, then publish it on the compacted rules topic (key "
                    + RuleUpdate.PRIVACY_POLICY + "): a running job applies it without a restart. --delete "
                    + RuleUpdate.PRIVACY_POLICY + " goes back to the policy the job started with.")
    public static final class Push extends CompactedTopicPush {
        @Parameters(paramLabel = "POLICY", arity = "0..1", description = "privacy policy YAML")
        Path policy;

        public Push() {
            super(RuleTopic.DEFAULT_TOPIC);
        }

        @Override
        boolean hasInput() {
            return policy != null;
        }

        @Override
        String missingInput() {
            return "give the policy file to publish, or --delete " + RuleUpdate.PRIVACY_POLICY;
        }

        @Override
        String pruneNeedsInput() {
            return "--prune is for rules (vigil rules push); the policy is one entry";
        }

        @Override
        Map<String, String> records(PrintWriter err) throws IOException {
            if (prune) {
                err.println("--prune would delete every rule on the topic; use it with vigil rules push");
                return null;
            }
            String text = Files.readString(policy, StandardCharsets.UTF_8);
            try {
                PolicyLoader.parse(text, policy.toString());
            } catch (RuleException e) {
                err.println(e.getMessage());
                err.println("nothing published");
                return null;
            }
            Map<String, String> records = new LinkedHashMap<>();
            records.put(RuleUpdate.PRIVACY_POLICY, text);
            return records;
        }

        @Override
        String removed() {
            return "deleted (the job goes back to the policy it started with)";
        }
    }
}
