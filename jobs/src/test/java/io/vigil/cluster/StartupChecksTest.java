package io.vigil.cluster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vigil.sink.notify.WebhookPayload;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up checks without a Kafka broker: a server that does not answer only warns (it may come up after the
 * job), an HTTP server (search, Alertmanager, webhook receiver) that refuses the credentials fails the submission
 * naming the settings. The refusals by a real
 * broker, a real TLS proxy and a real Prometheus are in SecureStackIT.
 */
class StartupChecksTest {
    @TempDir
    Path tmp;

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Map<String, String> settings(int kafkaPort) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap-servers", "127.0.0.1:" + kafkaPort);
        s.put("topics", "telemetry=json");
        s.put("rules-dir", tmp.toString());
        return s;
    }

    @Test
    void serversThatDoNotAnswerOnlyWarn() throws Exception {
        Map<String, String> s = settings(closedPort());
        s.put("search-url", "http://127.0.0.1:" + closedPort());
        s.put("prometheus-url", "http://127.0.0.1:" + closedPort() + "/api/v1/write");
        s.put("webhook-url", "http://127.0.0.1:" + closedPort() + "/hooks/vigil");
        VigilJobConfig c = VigilJobConfig.parse(s);
        assertDoesNotThrow(() -> StartupChecks.run(c, Duration.ofSeconds(2)));
    }

    @Test
    void credentialsAServerRefusesFailTheSubmissionNamingTheSettingsNotTheSecret() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        server.start();
        try {
            Path password = tmp.resolve("search.password");
            Files.writeString(password, "wrong-s3cret\n");
            Map<String, String> s = settings(closedPort());
            s.put("search-url", "http://127.0.0.1:" + server.getAddress().getPort());
            s.put("search-user", "vigil");
            s.put("search-password-file", password.toString());
            s.put("alertmanager-url", "http://127.0.0.1:" + server.getAddress().getPort());
            s.put("alertmanager-user", "vigil");
            s.put("alertmanager-password-file", password.toString());
            VigilJobConfig c = VigilJobConfig.parse(s);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> StartupChecks.run(c, Duration.ofSeconds(2)));
            assertTrue(e.getMessage().contains("answered HTTP 401"), e.getMessage());
            assertTrue(e.getMessage().contains("search-user / search-password-file"), e.getMessage());
            assertTrue(e.getMessage().contains("alertmanager-user / alertmanager-password-file"), e.getMessage());
            assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aWebhookReceiverThatRefusesTheCredentialsFailsTheSubmission() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hooks/vigil", exchange -> {
            exchange.sendResponseHeaders(403, -1);
            exchange.close();
        });
        server.start();
        try {
            Path password = tmp.resolve("webhook.password");
            Files.writeString(password, "wrong-s3cret\n");
            Map<String, String> s = settings(closedPort());
            s.put("webhook-url", "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/vigil");
            s.put("webhook-user", "vigil");
            s.put("webhook-password-file", password.toString());
            VigilJobConfig c = VigilJobConfig.parse(s);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> StartupChecks.run(c, Duration.ofSeconds(2)));
            assertTrue(e.getMessage().contains("webhook-url http://127.0.0.1:"), e.getMessage());
            assertTrue(e.getMessage().contains("answered HTTP 403"), e.getMessage());
            assertTrue(e.getMessage().contains("webhook-user / webhook-password-file"), e.getMessage());
            assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theWebhookProbeIsSignedWithTheOutputsSecret() throws Exception {
        // A receiver that accepts only requests signed with its key (over the body, empty for the probe).
        String key = "hook-key";
        String expected = WebhookPayload.signature(key.getBytes(StandardCharsets.UTF_8), new byte[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            boolean signed = expected.equals(exchange.getRequestHeaders().getFirst(WebhookPayload.SIGNATURE_HEADER));
            exchange.sendResponseHeaders(signed ? 405 : 401, -1);
            exchange.close();
        });
        server.start();
        try {
            Path secret = tmp.resolve("webhook.secret");
            Map<String, String> s = settings(closedPort());
            s.put("webhook-url", "http://127.0.0.1:" + server.getAddress().getPort());
            s.put("webhook-secret-file", secret.toString());

            Files.writeString(secret, key + "\n");
            VigilJobConfig right = VigilJobConfig.parse(s);
            assertDoesNotThrow(() -> StartupChecks.run(right, Duration.ofSeconds(2)));

            Files.writeString(secret, "another-key\n");
            VigilJobConfig wrong = VigilJobConfig.parse(s);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> StartupChecks.run(wrong, Duration.ofSeconds(2)));
            assertTrue(e.getMessage().contains("answered HTTP 401"), e.getMessage());
            assertTrue(e.getMessage().contains("signed with webhook-secret-file"), e.getMessage());
        } finally {
            server.stop(0);
        }
    }
}
