package io.vigil.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link TextDetector#shape} only skips work: a detector whose {@link TextDetector#possible} rules a string out finds
 * nothing in it, so the redactor's output is the same with and without the shape.
 */
class TextShapePropertiesTest {
    /** Pieces of secrets and of the text around them, glued at random, so anchors fall at every position. */
    private static final List<String> PIECES = List.of(
            "Bearer ",
            "basic ",
            "bEaReR\t",
            "Authorization: ",
            "token=",
            "password=",
            "\"secret\": \"",
            "api_key:",
            "https://svc:",
            "@db.example.com",
            "bob@example.org",
            "AKIA",
            "ghp_",
            "xoxb-",
            "sk-",
            "sk_live_",
            "AIza",
            "github_pat_",
            "glpat-",
            "eyJhbGciOiJIUzI1NiJ9.",
            "eyJzdWIiOiIxMjM0NTY3ODkwIn0.",
            "4111 1111 1111 1111",
            "5555-5555-5555-4444",
            "4012888888881881",
            "DE89 3704 0044 0532 0130 00",
            "GB82WEST12345698765432",
            "FR14",
            "10.0.0.1",
            "192.168.1.254",
            "2001:db8::1",
            "::ffff:10.1.2.3",
            "0123456789",
            "ABCDEFGHIJKLMNOP",
            "abcdefghijklmnopqrstuvwxyz",
            "_",
            "-",
            ".",
            "/",
            "?",
            "&",
            "=",
            ":",
            "\"",
            "'",
            " ",
            "\n",
            "é",
            "\uD83D\uDE00");

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.of(PIECES),
                Arbitraries.strings()
                        .withChars("aAbBgGxsrpkKeyJ0123456789=:@._-/ \"'")
                        .ofMaxLength(12));
        return piece.list().ofMaxSize(12).map(l -> String.join("", l));
    }

    @Property(tries = 3000)
    void theShapeOnlySkipsPassesThatWouldFindNothing(@ForAll("texts") String s) {
        int shape = TextDetector.shape(s);
        for (TextDetector d : TextDetector.values()) {
            Spans found = new Spans();
            d.find(s, found);
            assertTrue(d.possible(shape) || found.size() == 0, () -> d.id + " would match in: " + s);
            Spans withShape = new Spans();
            d.find(s, shape, withShape);
            assertEquals(spans(found), spans(withShape), () -> d.id + " with the shape, in: " + s);
        }
    }

    private static List<String> spans(Spans s) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < s.size(); k++) {
            out.add(s.start(k) + ".." + s.end(k));
        }
        return out;
    }

    @Test
    void theShapeSeesEachAnchor() {
        assertTrue(TextDetector.BEARER.possible(TextDetector.shape("Authorization: Bearer abcdefgh12")));
        assertTrue(TextDetector.CARD.possible(TextDetector.shape("card 4111 1111 1111 1111")));
        assertTrue(TextDetector.IBAN.possible(TextDetector.shape("iban GB82WEST12345698765432")));
        assertTrue(TextDetector.API_KEY.possible(TextDetector.shape("key ghp_abcdefghijklmnopqrstuvwxyz")));
        assertTrue(!TextDetector.API_KEY.possible(TextDetector.shape("request served in 12 ms")));
        int plain = TextDetector.shape("upstream timed out after 2000 ms");
        assertEquals(4, plain & TextDetector.DIGITS);
        for (TextDetector d :
                List.of(TextDetector.BEARER, TextDetector.PASSWORD, TextDetector.CARD, TextDetector.IBAN)) {
            assertTrue(!d.possible(plain), d.id + " runs on a line that cannot hold it");
        }
    }
}
