package io.vigil.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.ingest.Reasons;
import io.vigil.job.DetectionJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter reason table in docs/inputs.md lists exactly the reasons the code can emit: every reason in
 * {@link Reasons}, {@link DetectionJob#RULE_ERROR}, and every reason written as a literal where a {@code DeadLetter} is
 * made (the Kafka deserializer's {@code unknown_topic}, {@code empty_record}, {@code decoder_error}).
 */
class DeadLetterReasonsDocTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z_]+)` \\|");
    private static final Pattern REASON_LITERAL = Pattern.compile("\"([a-z]+(?:_[a-z]+)+)\"");

    @Test
    void theTableAndTheCodeNameTheSameReasons() throws IOException {
        Set<String> documented = documented(Docs.root().resolve("docs/inputs.md"));
        Set<String> emitted = emitted(Docs.root());
        assertTrue(emitted.containsAll(Reasons.ALL) && emitted.contains("unknown_topic"), "scan found " + emitted);

        Set<String> undocumented = new TreeSet<>(emitted);
        undocumented.removeAll(documented);
        Set<String> stale = new TreeSet<>(documented);
        stale.removeAll(emitted);
        assertEquals(Set.of(), undocumented, "reasons the code emits but docs/inputs.md#dead-letters does not list");
        assertEquals(Set.of(), stale, "reasons docs/inputs.md#dead-letters lists but the code never emits");
    }

    @Test
    void theScanReadsLiteralReasonsInsideDeadLetterConstructors() {
        String src = "x(new DeadLetter(\n raw, origin, \"otlp-proto\", \"some_reason\", \"a detail with spaces\"));"
                + " String s = \"not_a_reason_outside\";";
        assertEquals(Set.of("some_reason"), literalReasons(src));
    }

    /** The reasons in the first column of the table under "## Dead letters". */
    static Set<String> documented(Path inputs) throws IOException {
        Set<String> reasons = new TreeSet<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(inputs)) {
            if (line.startsWith("## ")) {
                inSection = line.equals("## Dead letters");
                continue;
            }
            Matcher m = ROW.matcher(line);
            if (inSection && m.find()) {
                reasons.add(m.group(1));
            }
        }
        assertTrue(!reasons.isEmpty(), "no reason table under '## Dead letters' in " + inputs);
        return reasons;
    }

    static Set<String> emitted(Path root) throws IOException {
        Set<String> reasons = new TreeSet<>(Reasons.ALL);
        reasons.add(DetectionJob.RULE_ERROR);
        for (String module : List.of("udfs", "jobs")) {
            try (Stream<Path> s = Files.walk(root.resolve(module).resolve("src/main/java"))) {
                for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".java"))::iterator) {
                    reasons.addAll(literalReasons(Files.readString(p)));
                }
            }
        }
        return reasons;
    }

    /** Literal snake_case strings among the arguments of each {@code new DeadLetter(...)} in {@code source}. */
    static Set<String> literalReasons(String source) {
        Set<String> found = new TreeSet<>();
        int at = source.indexOf("new DeadLetter(");
        while (at >= 0) {
            int start = at + "new DeadLetter(".length();
            int depth = 1;
            int i = start;
            boolean inString = false;
            for (; i < source.length() && depth > 0; i++) {
                char c = source.charAt(i);
                if (c == '"' && source.charAt(i - 1) != '\\') {
                    inString = !inString;
                } else if (!inString && c == '(') {
                    depth++;
                } else if (!inString && c == ')') {
                    depth--;
                }
            }
            Matcher m = REASON_LITERAL.matcher(source.substring(start, i));
            while (m.find()) {
                found.add(m.group(1));
            }
            at = source.indexOf("new DeadLetter(", i);
        }
        return found;
    }
}
