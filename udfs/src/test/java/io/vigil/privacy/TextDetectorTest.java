package io.vigil.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextDetectorTest {
    /** The texts one detector alone matches in {@code s}. */
    static List<String> found(TextDetector d, String s) {
        Spans spans = new Spans();
        d.find(s, spans);
        List<String> out = new ArrayList<>();
        for (int k : spans.byStart()) {
            out.add(s.substring(spans.start(k), spans.end(k)));
        }
        return out;
    }

    @Test
    void theShapeMarksEachAnchorOnlyWhereItStandsForOne() {
        assertEquals(8, TextDetector.shape("id 4111-222 x9") & TextDetector.DIGITS);
        assertEquals(255, TextDetector.shape("1".repeat(300)) & TextDetector.DIGITS, "the count stops at 255");
        assertShape("token=x", TextDetector.EQ_COLON, true);
        assertShape("a: b", TextDetector.EQ_COLON, true);
        assertShape("plain text", TextDetector.EQ_COLON, false);
        assertShape("Bearer abc", TextDetector.B_WORD, true);
        assertShape("use basic auth", TextDetector.B_WORD, true);
        assertShape("x-bearer", TextDetector.B_WORD, true);
        assertShape("xBearer abc", TextDetector.B_WORD, false);
        assertShape("9bearer", TextDetector.B_WORD, false);
        assertShape("AKIA0000", TextDetector.KEY_WORD, true);
        assertShape("key ghp_x", TextDetector.KEY_WORD, true);
        assertShape("xAKIA0000", TextDetector.KEY_WORD, false);
        assertShape("_AKIA0000", TextDetector.KEY_WORD, false);
        assertShape("-AKIA0000", TextDetector.KEY_WORD, false);
        assertShape("\u00e9AKIA0000", TextDetector.KEY_WORD, true);
        assertShape("DE89 3704", TextDetector.IBAN_ANCHOR, true);
        assertShape("De89 3704", TextDetector.IBAN_ANCHOR, false);
        assertShape("D\u00c989", TextDetector.IBAN_ANCHOR, false);
    }

    private static void assertShape(String text, int flag, boolean set) {
        assertEquals(set, (TextDetector.shape(text) & flag) != 0, text);
    }

    @Test
    void luhnAcceptsTestCardNumbersAndRejectsOneDigitOff() {
        assertTrue(Checksums.luhn("4111111111111111", 0, 16));
        assertTrue(Checksums.luhn("5555-5555-5555-4444", 0, 19));
        assertTrue(Checksums.luhn("378282246310005", 0, 15));
        assertFalse(Checksums.luhn("4111111111111112", 0, 16));
        assertFalse(Checksums.luhn("5555555555554443", 0, 16));
    }

    @Test
    void ibanChecksumAcceptsRealIbansAndRejectsAChangedDigit() {
        assertTrue(Checksums.iban("DE89370400440532013000", 0, 22));
        assertTrue(Checksums.iban("GB82 WEST 1234 5698 7654 32", 0, 27));
        assertTrue(Checksums.iban("FR1420041010050500013M02606", 0, 27));
        assertFalse(Checksums.iban("DE89370400440532013001", 0, 22));
        assertFalse(Checksums.iban("GB82WEST12345698765433", 0, 22));
    }

    @Test
    void cardsAreFoundTogetherOrGroupedOnlyWhenTheyCheck() {
        assertEquals(
                List.of("4111111111111111", "5555 5555 5555 4444", "3782-822463-10005"),
                found(
                        TextDetector.CARD,
                        "paid with 4111111111111111, then 5555 5555 5555 4444 and amex 3782-822463-10005."));
        // fails Luhn; epoch milliseconds; part of a longer number; an order id with letters
        assertEquals(
                List.of(),
                found(
                        TextDetector.CARD,
                        "card 4111111111111112 at 1764806400000 id 41111111111111110000 ord4111111111111111"));
    }

    @Test
    void ibansAreFoundWithTheirCheckDigitsRightOnly() {
        assertEquals(
                List.of("DE89370400440532013000", "GB82 WEST 1234 5698 7654 32"),
                found(TextDetector.IBAN, "to DE89370400440532013000 from GB82 WEST 1234 5698 7654 32 EUR"));
        assertEquals(List.of(), found(TextDetector.IBAN, "to DE89370400440532013001 or XX00 1234"));
    }

    @Test
    void jwtsNeedThreeSegmentsAndAJsonHeader() {
        String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.dGhpcyBpcyBub3QgYSBzaWc";
        String unsigned = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJib2IifQ.";
        assertEquals(List.of(jwt, unsigned), found(TextDetector.JWT, "token=" + jwt + " and " + unsigned + " end"));
        assertEquals(List.of(), found(TextDetector.JWT, "eyJhbGciOiJIUzI1NiJ9 alone, eyJshort.eyJshort.x"));
    }

    @Test
    void bearerAndBasicCredentialsAreFoundAfterTheirScheme() {
        assertEquals(
                List.of("mF_9.B5f-4.1JqM", "dXNlcjpwYXNz"),
                found(TextDetector.BEARER, "Authorization: Bearer mF_9.B5f-4.1JqM; basic dXNlcjpwYXNz"));
        assertEquals(List.of(), found(TextDetector.BEARER, "the bearer of bad news; Bearer <token>"));
    }

    @Test
    void passwordsInUrlsAndQueryStringsAreFound() {
        assertEquals(
                List.of("s3cr3t!", "hunter2", "x y"),
                found(
                        TextDetector.PASSWORD,
                        "GET https://bob:s3cr3t!@db.example.com/x?user=bob&password=hunter2 {\"db_password\": \"x y\"}"));
        assertEquals(
                List.of(), found(TextDetector.PASSWORD, "https://bob@example.com/?pass_count=3 password=<password>"));
    }

    @Test
    void apiKeysOfCommonShapesAndTokenParametersAreFound() {
        assertEquals(
                List.of(
                        "AKIAIOSFODNN7EXAMPLE",
                        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
                        "abc123",
                        "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
                found(
                        TextDetector.API_KEY,
                        "aws AKIAIOSFODNN7EXAMPLE gh ghp_16C7e42F292c6912E7710c838347Ae178B4a ?access_token=abc123"
                                + " stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc"));
        assertEquals(List.of(), found(TextDetector.API_KEY, "task-runner AKIA12 ghp_short tokens=3"));
    }

    @Test
    void emailsNeedADomainWithATopLevelDomain() {
        assertEquals(
                List.of("alice.smith+tag@mail.example.co.uk", "bob@example.org"),
                found(TextDetector.EMAIL, "from <alice.smith+tag@mail.example.co.uk> to bob@example.org."));
        assertEquals(List.of(), found(TextDetector.EMAIL, "user@localhost, @handle, a@b.c1, git@"));
    }

    @Test
    void ipAddressesOfBothFamiliesAreFoundButNotVersionsOrTimes() {
        assertEquals(
                List.of("10.0.0.1", "192.168.1.254"), found(TextDetector.IPV4, "from 10.0.0.1:22 to 192.168.1.254."));
        assertEquals(List.of(), found(TextDetector.IPV4, "version 1.2.3.4.5, 256.1.1.1, 10.0.0"));
        assertEquals(
                List.of("2001:db8::1", "fe80::1ff:fe23:4567:890a", "::ffff:10.1.2.3"),
                found(TextDetector.IPV6, "peer 2001:db8::1 link fe80::1ff:fe23:4567:890a mapped ::ffff:10.1.2.3"));
        assertEquals(List.of(), found(TextDetector.IPV6, "at 12:30:45, std::vector, aa:bb:cc:dd:ee:ff"));
    }

    @Test
    void generalizeKeepsTheNetworkAndTheMinute() {
        assertEquals("10.1.2.0", Generalize.value("10.1.2.77"));
        assertEquals("2001:db8:1::", Generalize.value("2001:0db8:0001:0002::5"));
        assertEquals("1764806400000", Generalize.value("1764806459999"));
        assertEquals("2026-12-04T10:15:00Z", Generalize.value("2026-12-04T10:15:42.123Z"));
        assertEquals(null, Generalize.value("alice"));
    }
}
