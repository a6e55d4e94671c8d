package io.vigil.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Alert;
import io.vigil.model.DeadLetter;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import io.vigil.privacy.PrivacyPolicy.Stage;
import io.vigil.rules.RuleException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    static final String POLICY = String.join(
            "\n",
            "dead_letters: redact",
            "detectors:",
            "  email: {action: placeholder}",
            "  card: {action: placeholder}",
            "  bearer: {action: placeholder}",
            "  password: {action: placeholder}",
            "  ipv4: {action: hash, where: outputs}",
            "fields:",
            "  user.name: {action: hash, where: outputs}",
            "  source.ip: {action: generalize, where: before_detection}",
            "  card.holder: {action: mask, keep_prefix: 1, keep_suffix: 1}",
            "  http.request.header.*: {action: drop, where: before_detection}",
            "  timestamp: {action: generalize, where: outputs}",
            "");

    static Redactor redactor(String policy) {
        return redactor(policy, new ArrayList<>());
    }

    static Redactor redactor(String policy, List<String> counts) {
        return new Redactor(
                PolicyLoader.parse(policy, "test.yaml"), new Pseudonyms(KEY, 16), (g, n) -> counts.add(g + ":" + n));
    }

    @Test
    void hashIsKeyedStableTruncatedAndPrefixed() {
        Pseudonyms p = new Pseudonyms(KEY, 16);
        String h = p.of("alice");
        assertEquals(h, p.of("alice"));
        assertTrue(h.matches("h:[0-9a-f]{16}"), h);
        assertFalse(h.equals(
                new Pseudonyms("another key of 32 bytes, at least".getBytes(StandardCharsets.UTF_8), 16).of("alice")));
        assertFalse(h.equals(p.of("bob")));
    }

    /**
     * Trace and span ids are random hex, not free text. One that happens to be all decimal digits can pass the card
     * check (4111111111111111 is a valid span id, and the card networks' test number), and a redacted id breaks the
     * correlation of a trace. So no detector rewrites an id, while a field rule still does.
     */
    @Test
    void idsAreNotFreeTextButFieldRulesStillApply() {
        Redactor r = redactor(POLICY);
        assertEquals("<card>", r.scan("4111111111111111", Stage.BEFORE_DETECTION), "as free text it is a card");
        Telemetry span = Telemetry.span(60_000L, "api", "GET /", 5, "ok"); // a whole minute: kept on outputs
        span.traceId = "00000000000000004111111111111111";
        span.spanId = "4111111111111111";
        span.parentSpanId = "5555555555554444";
        assertSame(span, r.telemetry(span, Stage.BEFORE_DETECTION), "ids kept");
        assertSame(span, r.telemetry(span, Stage.OUTPUTS), "ids kept");

        Telemetry notAnId = Telemetry.span(1L, "api", "GET /", 5, "ok");
        notAnId.traceId = "card 4111 1111 1111 1111"; // not an id: scanned as any text is
        assertEquals("card <card>", r.telemetry(notAnId, Stage.BEFORE_DETECTION).traceId);

        Redactor hashing = redactor("fields:\n  span_id: {action: hash, where: before_detection}\n");
        assertTrue(hashing.telemetry(span, Stage.BEFORE_DETECTION).spanId.startsWith("h:"), "a field rule applies");
    }

    /** Values repeat from record to record: each occurrence gives the same text and counts as one. */
    @Test
    void aValueSeenAgainIsRedactedAndCountedAgain() {
        List<String> counts = new ArrayList<>();
        Redactor r = redactor(POLICY, counts);
        for (int i = 0; i < 3; i++) {
            String clean = new String("request served to the client"); // a new instance each time, as records bring
            assertSame(clean, r.scan(clean, Stage.BEFORE_DETECTION));
            assertEquals("login by <email>", r.scan(new String("login by alice@example.com"), Stage.BEFORE_DETECTION));
        }
        assertEquals(3, counts.stream().filter(c -> c.equals("detector:email")).count(), counts.toString());
        // A value first seen clean in one stage is still scanned by the other stage's detectors.
        String ip = "from 10.1.2.3";
        assertSame(ip, r.scan(ip, Stage.BEFORE_DETECTION), "ipv4 is an outputs detector");
        assertTrue(r.scan(ip, Stage.OUTPUTS).startsWith("from <ipv4:h:"), r.scan(ip, Stage.OUTPUTS));
    }

    @Test
    void beforeDetectionAppliesOnlyItsOwnRulesAndKeepsTheRecordWhenNothingChanges() {
        Redactor r = redactor(POLICY);
        Telemetry t = Telemetry.log(1_764_806_459_999L, "auth", "INFO", "login by alice@example.com")
                .attr("user.name", "alice")
                .attr("source.ip", "10.1.2.77")
                .attr("http.request.header.authorization", "Basic dXNlcjpwYXNz");
        Telemetry b = r.telemetry(t, Stage.BEFORE_DETECTION);
        assertEquals("login by <email>", b.body);
        assertEquals("alice", b.attributes.get("user.name"), "hashed on outputs only");
        assertEquals("10.1.2.0", b.attributes.get("source.ip"));
        assertFalse(b.attributes.containsKey("http.request.header.authorization"));
        assertEquals(1_764_806_459_999L, b.timestamp, "timestamp is generalized on outputs only");
        assertEquals("login by alice@example.com", t.body, "the input record is never changed");

        Telemetry plain = Telemetry.metric(1L, "api", "cpu", 0.5);
        assertSame(plain, r.telemetry(plain, Stage.BEFORE_DETECTION));
    }

    @Test
    void outputsApplyEveryRuleAndHideAHashedValueWhereTheBodyRepeatsIt() {
        Redactor r = redactor(POLICY);
        Telemetry t = Telemetry.log(1_764_806_459_999L, "auth", "WARN", "Failed password for alice from 10.9.8.7")
                .attr("user.name", "alice")
                .attr("card.holder", "Alice Smith");
        Telemetry o = r.telemetry(t, Stage.OUTPUTS);
        String alice = new Pseudonyms(KEY, 16).of("alice");
        assertEquals(alice, o.attributes.get("user.name"));
        assertEquals("A*********h", o.attributes.get("card.holder"));
        assertTrue(o.body.startsWith("Failed password for " + alice + " from <ipv4:h:"), o.body);
        assertEquals(1_764_806_400_000L, o.timestamp);
    }

    @Test
    void maskKeepsPrefixAndSuffixOrNothingWhenTooShort() {
        assertEquals("41**********1111", Redactor.mask("4111111111111111", 2, 4));
        assertEquals("***", Redactor.mask("abc", 2, 2));
    }

    @Test
    void alertsHaveTheirKeyMessageAnnotationsLabelsAndEvidenceRedacted() {
        Redactor r = redactor(POLICY);
        Alert a = new Alert();
        a.ruleId = "ssh-failed-login-user";
        a.keyFields.put("host.name", "bastion");
        a.keyFields.put("user.name", "alice");
        a.key = "ssh-failed-login-user\u001fbastion\u001falice";
        a.message = "5 failed logins for alice on bastion (mail alice@example.com)";
        a.annotations.put("summary", "user alice; alice2 is someone else");
        a.labels.put("user.name", "alice");
        a.evidence.add(TelemetryJson.write(
                Telemetry.log(1L, "sshd", "WARN", "Failed password for alice, card 4111 1111 1111 1111")
                        .attr("user.name", "alice")));
        Alert o = r.alert(a);
        String alice = new Pseudonyms(KEY, 16).of("alice");
        assertEquals(alice, o.keyFields.get("user.name"));
        assertEquals("bastion", o.keyFields.get("host.name"));
        assertEquals("ssh-failed-login-user\u001fbastion\u001f" + alice, o.key);
        assertEquals("5 failed logins for " + alice + " on bastion (mail <email>)", o.message);
        assertEquals("user " + alice + "; alice2 is someone else", o.annotations.get("summary"));
        assertEquals(alice, o.labels.get("user.name"));
        String ev = o.evidence.get(0);
        assertFalse(ev.contains("alice\""), ev);
        assertFalse(ev.contains("for alice"), ev);
        assertFalse(ev.contains("4111"), ev);
        assertTrue(ev.contains("<card>"), ev);
    }

    @Test
    void rollupLabelsFollowTheirFieldRule() {
        Redactor r = redactor(POLICY);
        Rollup ro = new Rollup("failed_logins", "sshd", 0, 60_000, 3, 3).label("user.name", "alice");
        assertEquals(new Pseudonyms(KEY, 16).of("alice"), r.rollup(ro).labels.get("user.name"));
    }

    @Test
    void deadLetterBytesAreKeptRedactedOrDropped() {
        String json = "{\"body\":\"call me at bob@example.com\",\"attributes\":{\"user.name\":\"bob\"}}";
        DeadLetter d = new DeadLetter(json.getBytes(StandardCharsets.UTF_8), "file:x:1", "json", "parse_error", "bad");
        String out = new String(redactor(POLICY).deadLetter(d).raw, StandardCharsets.UTF_8);
        assertFalse(out.contains("bob@example.com"), out);
        assertFalse(out.contains("\"bob\""), out);

        DeadLetter text = new DeadLetter(
                "<34>Oct 11 22:14:15 host app: password=hunter2".getBytes(StandardCharsets.UTF_8),
                "o",
                "syslog",
                "parse_error",
                "near password=hunter2");
        DeadLetter t = redactor(POLICY).deadLetter(text);
        assertEquals("<34>Oct 11 22:14:15 host app: password=<password>", new String(t.raw, StandardCharsets.UTF_8));
        assertEquals("near password=<password>", t.detail);

        byte[] binary = {(byte) 0x0a, (byte) 0xff, 'a', '@', 'e', 'x', '.', 'c', 'o', 'm', (byte) 0x80};
        byte[] redacted = redactor(POLICY).deadLetter(new DeadLetter(binary, "o", "otlp-proto", "r", "d")).raw;
        assertEquals("\n\u00ff<email>\u0080", new String(redacted, StandardCharsets.ISO_8859_1));

        String drop = POLICY.replace("dead_letters: redact", "dead_letters: drop");
        assertEquals(0, redactor(drop).deadLetter(new DeadLetter(binary, "o", "x", "r", "d")).raw.length);
        String keep = POLICY.replace("dead_letters: redact", "dead_letters: keep");
        assertSame(binary, redactor(keep).deadLetter(new DeadLetter(binary, "o", "x", "r", "d")).raw);
    }

    @Test
    void actionsAndDetectorMatchesAreCounted() {
        List<String> counts = new ArrayList<>();
        Redactor r = redactor(POLICY, counts);
        r.telemetry(
                Telemetry.log(1L, "a", "INFO", "a@example.com b@example.com").attr("http.request.header.cookie", "x"),
                Stage.BEFORE_DETECTION);
        assertEquals(List.of("action:drop", "detector:email", "detector:email"), counts);
    }

    @Test
    void policyProblemsPointAtFileLineAndColumn() {
        RuleException e = assertThrows(
                RuleException.class,
                () -> PolicyLoader.parse(
                        String.join(
                                "\n",
                                "detectors:",
                                "  emial: {action: placeholder}",
                                "fields:",
                                "  user.name: {action: hsah}",
                                "  timestamp: {action: hash}",
                                "dead_letter: keep"),
                        "p.yaml"));
        String m = e.getMessage();
        assertTrue(m.contains("p.yaml:2:3: unknown detector 'emial' (did you mean 'email'?)"), m);
        assertTrue(m.contains("p.yaml:4:23: 'action' is 'hsah' (one of: drop, mask, hash, generalize)"), m);
        assertTrue(m.contains("p.yaml:5:15: the record's timestamp can only be generalized"), m);
        assertTrue(m.contains("p.yaml:6:1: unknown field 'dead_letter' (did you mean 'dead_letters'?)"), m);
    }

    @Test
    void aPolicyThatHashesNeedsAKeyAndNamesWhereToPutIt() {
        PrivacySettings s = new PrivacySettings(PolicyLoader.parse(POLICY, "p.yaml"), null, "VIGIL_TEST_NO_SUCH_VAR");
        IllegalStateException e = assertThrows(IllegalStateException.class, s::validate);
        assertTrue(e.getMessage().contains("VIGIL_TEST_NO_SUCH_VAR"), e.getMessage());
        assertNull(
                new PrivacySettings(PrivacyPolicy.none(), null, null).validate().pseudonyms(PrivacyPolicy.none()));
    }

    @Test
    void theStarterPolicyIsValid() throws Exception {
        PrivacyPolicy p = PolicyLoader.load(java.nio.file.Path.of("../rules/_privacy.yaml"));
        assertEquals(PrivacyPolicy.DeadLetterBytes.REDACT, p.deadLetters);
        assertEquals(
                PrivacyPolicy.Action.HASH, p.field("user.name", Stage.OUTPUTS).action());
        assertNull(p.field("user.name", Stage.BEFORE_DETECTION));
    }
}
