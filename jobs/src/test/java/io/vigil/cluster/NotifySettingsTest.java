package io.vigil.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster job's Alertmanager and webhook settings. */
class NotifySettingsTest {
    @TempDir
    Path tmp;

    private Map<String, String> valid() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap-servers", "127.0.0.1:9092");
        s.put("topics", "telemetry=json");
        s.put("rules-dir", tmp.toString());
        return s;
    }

    @Test
    void alertmanagerAndWebhookAreOptional() {
        VigilJobConfig c = VigilJobConfig.parse(valid());
        assertNull(c.alertmanager);
        assertNull(c.webhook);
    }

    @Test
    void settingsAreParsed() throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "abc\n");
        Path secret = Files.writeString(tmp.resolve("secret"), "s3cret\n");
        Map<String, String> s = valid();
        s.put("alertmanager-url", "http://am-1:9093, http://am-2:9093");
        s.put("alertmanager-resend-interval", "30s");
        s.put("alertmanager-bearer-token-file", token.toString());
        s.put("alertmanager-generator-url", "https://git.example.com/rules/{rule}.yaml");
        s.put("webhook-url", "https://hooks.example.com/vigil");
        s.put("webhook-secret-file", secret.toString());
        VigilJobConfig c = VigilJobConfig.parse(s);
        assertEquals(List.of("http://am-1:9093", "http://am-2:9093"), c.alertmanager.urls);
        assertEquals(Duration.ofSeconds(30), c.alertmanager.resendInterval);
        assertEquals(token.toString(), c.alertmanager.bearerTokenFile);
        assertEquals(List.of("https://hooks.example.com/vigil"), c.webhook.urls);
        assertEquals(secret.toString(), c.webhook.secretFile);
    }

    @Test
    void wrongValuesAreEachNamedWithWhatIsRight() {
        Map<String, String> s = valid();
        s.put("alertmanager-url", "127.0.0.1:9093");
        s.put("webhook-secret-file", tmp.resolve("missing").toString());
        List<String> problems =
                assertThrows(VigilJobConfig.InvalidConfigException.class, () -> VigilJobConfig.parse(s)).problems;
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("alertmanager-url: '127.0.0.1:9093' must be an http://"), problems.get(0));
        assertTrue(problems.get(1).contains("webhook-secret-file is set but webhook-url is not"), problems.get(1));

        Map<String, String> t = valid();
        t.put("alertmanager-url", "https://am:9093");
        t.put("alertmanager-resend-interval", "soon");
        t.put("alertmanager-bearer-token-file", tmp.resolve("none").toString());
        problems = assertThrows(VigilJobConfig.InvalidConfigException.class, () -> VigilJobConfig.parse(t)).problems;
        assertTrue(problems.get(0).contains("alertmanager-resend-interval 'soon'"), problems.toString());
        assertTrue(problems.get(1).contains("alertmanager-bearer-token-file"), problems.toString());
    }

    @Test
    void theBasicAuthPasswordComesFromAFileAsTheOtherOutputsDo() throws Exception {
        Path password = Files.writeString(tmp.resolve("alertmanager.password"), "pa55-word\n");
        Map<String, String> s = valid();
        s.put("alertmanager-url", "https://am:9093");
        s.put("alertmanager-user", "vigil");
        s.put("alertmanager-password-file", password.toString());
        VigilJobConfig c = VigilJobConfig.parse(s);
        assertEquals("vigil", c.alertmanager.username);
        assertEquals("pa55-word", c.alertmanager.password);

        Map<String, String> t = valid();
        t.put("webhook-url", "https://hooks.example.com/vigil");
        t.put("webhook-user", "vigil");
        t.put("webhook-password-file", tmp.resolve("missing").toString());
        t.put("alertmanager-password-file", password.toString());
        List<String> problems =
                assertThrows(VigilJobConfig.InvalidConfigException.class, () -> VigilJobConfig.parse(t)).problems;
        assertTrue(
                problems.stream().anyMatch(p -> p.contains("alertmanager-password-file is set but alertmanager-url")),
                problems.toString());
        assertTrue(
                problems.stream().anyMatch(p -> p.startsWith("webhook-password-file '" + tmp.resolve("missing"))),
                problems.toString());
        assertTrue(problems.stream().noneMatch(p -> p.contains("pa55")), problems.toString());
    }
}
