package io.vigil.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vigil.privacy.PrivacyPolicy.Stage;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Redaction is idempotent and never lets a secret through: free text made of ordinary words and secrets of every
 * kind, in any order and with any separators, comes out without the raw secret, and redacting the result again changes
 * nothing.
 */
class RedactionPropertiesTest {
    private static final String EVERYTHING = String.join(
            "\n",
            "detectors:",
            "  jwt: {action: placeholder}",
            "  bearer: {action: hash}",
            "  password: {action: placeholder}",
            "  api_key: {action: hash}",
            "  email: {action: hash}",
            "  card: {action: placeholder}",
            "  iban: {action: placeholder}",
            "  ipv6: {action: hash}",
            "  ipv4: {action: placeholder}",
            "");

    /** A secret as it appears in text: the text around it and the raw value that must not survive. */
    record Secret(String text, String raw) {}

    @Provide
    Arbitrary<Secret> secrets() {
        Arbitrary<String> user =
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(3).ofMaxLength(10);
        Arbitrary<String> word =
                Arbitraries.strings().alpha().numeric().ofMinLength(6).ofMaxLength(16);
        Arbitrary<String> digits15 = Arbitraries.strings().numeric().ofLength(14);
        return Arbitraries.oneOf(
                Combinators.combine(user, user).as((a, b) -> plain(a + "." + b + "@" + b + ".example.com")),
                digits15.map(d -> plain(withLuhn("4" + d))),
                digits15.map(d -> {
                    String c = withLuhn("5" + d);
                    return plain(c.substring(0, 4) + " " + c.substring(4, 8) + " " + c.substring(8, 12) + " "
                            + c.substring(12));
                }),
                word.map(w -> new Secret("Authorization: Bearer " + w + "x9", w + "x9")),
                word.map(w -> new Secret("https://svc:" + w + "@db.example.com/x", w)),
                word.map(w -> new Secret("?user=x&password=" + w + "&next=1", w)),
                word.map(w -> plain("ghp_" + w + w + "abcdefgh")),
                word.map(w -> plain("eyJhbGciOiJIUzI1NiJ9.eyJ" + w + "xxxxxxx." + w)),
                Arbitraries.integers().between(1, 254).map(o -> plain("10." + o + ".77." + o)),
                Arbitraries.integers().between(1, 0xfffe).map(o -> plain("2001:db8:" + Integer.toHexString(o) + "::1")),
                Arbitraries.of("DE89370400440532013000", "GB82WEST12345698765432", "FR1420041010050500013M02606")
                        .map(RedactionPropertiesTest::plain));
    }

    @Provide
    Arbitrary<String> filler() {
        return Arbitraries.of(
                "login", "failed", "for", "user", "from", "GET", "/api/v1/cart", "200", "took", "12ms", "");
    }

    @Provide
    Arbitrary<String> separators() {
        return Arbitraries.of(" ", ", ", "; ", " | ", "\t", " (", ") ", "\n", "=\"");
    }

    @Property(tries = 300)
    void redactionNeverLeaksAndIsIdempotent(
            @ForAll @Size(max = 6) List<@From("secrets") Secret> secrets,
            @ForAll @Size(max = 8) List<@From("filler") String> words,
            @ForAll("separators") String sep) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.max(secrets.size(), words.size()); i++) {
            if (i < words.size()) {
                b.append(words.get(i)).append(sep);
            }
            if (i < secrets.size()) {
                b.append(secrets.get(i).text()).append(sep);
            }
        }
        String text = b.toString();
        Redactor r = RedactorTest.redactor(EVERYTHING);
        String once = r.scan(text, Stage.OUTPUTS);
        for (Secret s : secrets) {
            assertFalse(once.contains(s.raw()), () -> "'" + s.raw() + "' survived in: " + once);
        }
        assertEquals(once, r.scan(once, Stage.OUTPUTS), "redacting twice changes nothing");
    }

    @Property(tries = 200)
    void fieldActionsAreIdempotent(@ForAll("secrets") Secret s) {
        String policy = String.join(
                "\n",
                "fields:",
                "  a: {action: hash}",
                "  b: {action: mask, keep_prefix: 2, keep_suffix: 2}",
                "  c: {action: generalize}",
                "");
        Redactor r = RedactorTest.redactor(policy);
        for (String f : List.of("a", "b", "c")) {
            String once = r.value(f, s.raw(), Stage.OUTPUTS);
            assertEquals(once, r.value(f, once, Stage.OUTPUTS), f);
            if (!f.equals("c") || Generalize.value(s.raw()) == null) {
                assertFalse(once.equals(s.raw()) && s.raw().length() > 4, f + " kept " + s.raw());
            }
        }
    }

    private static Secret plain(String s) {
        return new Secret(s, s);
    }

    /** {@code prefix} (15 digits) with the Luhn check digit appended. */
    static String withLuhn(String prefix) {
        for (int d = 0; d < 10; d++) {
            String c = prefix + d;
            if (Checksums.luhn(c, 0, c.length())) {
                return c;
            }
        }
        throw new AssertionError("no check digit for " + prefix);
    }
}
