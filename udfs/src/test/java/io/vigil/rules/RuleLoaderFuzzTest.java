package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based fuzzing of the rule loader (issue 15): the repository's rule files damaged by a few mutations (bytes
 * flipped, inserted, deleted, YAML-significant characters, truncation, deep nesting, tags, anchors, long numbers,
 * invalid UTF-8) must load as rules or as problems at a place in the file with a message, never with an exception.
 * CI runs {@code jqwik.tries.default} tries (see {@code junit-platform.properties}); a long run raises it with
 * {@code -Djqwik.tries.default=100000}. The {@link #HANG} bound is a hang detector, not a speed assertion.
 */
class RuleLoaderFuzzTest {
    static final Duration HANG = Duration.ofSeconds(60);

    private static Path dir;

    @BeforeContainer
    static void tempDir() throws IOException {
        dir = Files.createTempDirectory("rule-fuzz");
    }

    @AfterContainer
    static void removeTempDir() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted((a, b) -> b.compareTo(a)).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }

    static List<byte[]> ruleFiles() {
        try (Stream<Path> s = Files.walk(Path.of("..", "rules"))) {
            List<byte[]> out = new ArrayList<>();
            for (Path p : s.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml"))
                    .sorted()
                    .collect(Collectors.toList())) {
                out.add(Files.readAllBytes(p));
            }
            assertFalse(out.isEmpty(), "the repository's rules are the samples");
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pieces of YAML that stress a loader: nesting, tags, anchors and aliases, long scalars, odd documents. */
    static final List<String> HOSTILE_YAML = List.of(
            "[".repeat(3000),
            "{a: ".repeat(2000),
            "- ".repeat(2000) + "x",
            "!!binary aGVsbG8=",
            "!!python/object:os.system [ls]",
            "&a [*a, *a]",
            "a: &x {b: *x}",
            "*undefined",
            "9".repeat(5000),
            "0x" + "f".repeat(3000),
            "1e999999999",
            "-.inf",
            ".nan",
            "\n---\n",
            "\n...\n",
            "%YAML 1.2\n---\n",
            "? [a, b]\n: c",
            "{[1]: 2}",
            "\t",
            "\"\\uD800\"",
            "'" + "x".repeat(20_000) + "'",
            "|\n" + "  line\n".repeat(2000),
            "<<: *base",
            "id: [a",
            "\u0000",
            "\uFEFF");

    /** One damage to a rule file; positions are fractions of its length. */
    static final class Mutation {
        final int kind;
        final double where;
        final int size;
        final int pick;

        Mutation(int kind, double where, int size, int pick) {
            this.kind = kind;
            this.where = where;
            this.size = size;
            this.pick = pick;
        }

        byte[] apply(byte[] b) {
            if (b.length == 0) {
                return b;
            }
            int at = Math.min(b.length - 1, (int) (where * b.length));
            switch (kind) {
                case 0: {
                    byte[] out = b.clone();
                    out[at] ^= (byte) (1 << (pick & 7));
                    return out;
                }
                case 1: {
                    byte[] junk = new byte[size];
                    new Random(pick).nextBytes(junk);
                    return splice(b, at, 0, junk);
                }
                case 2:
                    return splice(b, at, Math.min(size, b.length - at), new byte[0]);
                case 3:
                    return Arrays.copyOf(b, at);
                case 4: {
                    byte[] special = ":-[]{}&*!|>#'\"?%@`\n\t ,".getBytes(StandardCharsets.US_ASCII);
                    byte[] out = b.clone();
                    out[at] = special[Math.floorMod(pick, special.length)];
                    return out;
                }
                case 5: {
                    String y = HOSTILE_YAML.get(Math.floorMod(pick, HOSTILE_YAML.size()));
                    return splice(b, at, 0, y.getBytes(StandardCharsets.UTF_8));
                }
                case 6:
                    return splice(b, at, 0, new byte[] {(byte) 0xC0, (byte) 0xAF});
                default: { // a value replaced by a hostile one: after the next ": "
                    int colon = at;
                    while (colon + 1 < b.length && !(b[colon] == ':' && b[colon + 1] == ' ')) {
                        colon++;
                    }
                    int end = colon + 2;
                    while (end < b.length && b[end] != '\n') {
                        end++;
                    }
                    if (colon + 2 > b.length) {
                        return b;
                    }
                    String y = HOSTILE_YAML.get(Math.floorMod(pick, HOSTILE_YAML.size()));
                    return splice(b, colon + 2, end - colon - 2, y.getBytes(StandardCharsets.UTF_8));
                }
            }
        }

        @Override
        public String toString() {
            return "Mutation{kind=" + kind + ", where=" + where + ", size=" + size + ", pick=" + pick + "}";
        }
    }

    static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    /** A damaged rule file, shown with what was done to it. */
    static final class Mutant {
        final byte[] bytes;
        final List<Mutation> how;

        Mutant(byte[] sample, List<Mutation> how) {
            byte[] b = sample;
            for (Mutation m : how) {
                b = m.apply(b);
            }
            this.bytes = b;
            this.how = how;
        }

        @Override
        public String toString() {
            return how + " (" + bytes.length + " bytes): "
                    + new String(bytes, 0, Math.min(bytes.length, 400), StandardCharsets.ISO_8859_1);
        }
    }

    @Provide
    Arbitrary<Mutant> ruleMutants() {
        Arbitrary<Mutation> mutation = Combinators.combine(
                        Arbitraries.integers().between(0, 7),
                        Arbitraries.doubles().between(0, 1).ofScale(4),
                        Arbitraries.integers().between(1, 16),
                        Arbitraries.integers())
                .as(Mutation::new);
        return Arbitraries.oneOf(
                Combinators.combine(
                                Arbitraries.of(ruleFiles()),
                                mutation.list().ofMinSize(1).ofMaxSize(4))
                        .as(Mutant::new),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(512).map(b -> new Mutant(b, List.of())));
    }

    @Property(edgeCases = EdgeCasesMode.NONE) // edge cases of the mutations (all at byte 0, ...) say little
    void damagedRuleFilesLoadAsRulesOrProblems(@ForAll("ruleMutants") Mutant in) throws IOException {
        Path f = dir.resolve("fuzz.yaml");
        Files.write(f, in.bytes);
        List<RuleSpec> specs = new ArrayList<>();
        List<RuleProblem> problems = new ArrayList<>();
        // Any exception fails the property: a bad rule file is a list of problems at file:line.
        assertTimeoutPreemptively(HANG, () -> RuleLoader.read(f, specs, problems), "loading hangs: " + in);
        long lines = 1
                + new String(in.bytes, StandardCharsets.ISO_8859_1)
                        .chars()
                        .filter(c -> c == '\n')
                        .count();
        for (RuleProblem p : problems) {
            assertEquals(f.toString(), p.file);
            assertTrue(p.line >= 1 && p.line <= lines + 1, "line " + p.line + " of " + lines + ": " + p + " in " + in);
            assertTrue(p.column >= 1, p + " in " + in);
            assertNotNull(p.message);
            assertFalse(p.message.isBlank(), "a problem says what is wrong: " + in);
        }
        for (RuleSpec s : specs) {
            assertTrue(s.source.startsWith(f + ":"), s.source);
        }
    }

    @Example
    void aBinaryValueIsAProblemAtItsPlace() throws IOException {
        // Found by this fuzzer: !!binary made the loader throw IllegalStateException, naming neither file nor line.
        Path f = dir.resolve("binary.yaml");
        Files.writeString(f, "id: x\nkind: threshold\nparams:\n  bound: !!binary aGVsbG8=\n");
        List<RuleProblem> problems = new ArrayList<>();
        RuleLoader.read(f, new ArrayList<>(), problems);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals(4, problems.get(0).line);
        assertEquals("a binary value (!!binary) cannot be part of a rule", problems.get(0).message);
    }

    @Example
    void hostileYamlAloneIsAProblemOrNothing() throws IOException {
        for (String y : HOSTILE_YAML) {
            damagedRuleFilesLoadAsRulesOrProblems(new Mutant(y.getBytes(StandardCharsets.UTF_8), List.of()));
            damagedRuleFilesLoadAsRulesOrProblems(
                    new Mutant(("id: x\nkind: threshold\nparams: " + y).getBytes(StandardCharsets.UTF_8), List.of()));
        }
    }
}
