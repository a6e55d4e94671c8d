package io.vigil.sink.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsServer;
import io.vigil.sink.tls.TestCertificates;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The remote-write client (the JDK's HTTP client) with the same TLS settings as the search sink, against a real
 * HTTPS server with certificates made by {@code keytool}. The JDK client has no hostname-verifier hook, so the
 * skip flag is checked here separately.
 */
class RemoteWriteClientTlsTest {
    private static TestCertificates certs;
    private HttpsServer server;
    private final AtomicInteger writes = new AtomicInteger();

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.get();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void start(boolean needClientAuth) throws Exception {
        server = certs.server(needClientAuth, "/api/v1/write", ex -> {
            ex.getRequestBody().readAllBytes();
            writes.incrementAndGet();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
    }

    private RemoteWriteConfig config(String host) {
        RemoteWriteConfig c = RemoteWriteConfig.of(
                "https://" + host + ":" + server.getAddress().getPort() + "/api/v1/write");
        c.maxRetries = 1;
        c.initialBackoff = Duration.ofMillis(1);
        c.maxBackoff = Duration.ofMillis(5);
        return c;
    }

    private static RemoteWriteClient.Result send(RemoteWriteConfig c) throws Exception {
        return new RemoteWriteClient(c.validate()).send(new byte[] {1, 2, 3}, 1);
    }

    @Test
    void thePrivateCaIsTrustedOnlyWhenGiven() throws Exception {
        start(false);
        IOException e = assertThrows(IOException.class, () -> send(config("127.0.0.1")));
        assertTrue(e.getMessage().startsWith("prometheus: TLS with https://127.0.0.1:"), e.getMessage());
        assertTrue(e.getMessage().contains("check prometheus-ca-cert"), e.getMessage());
        RemoteWriteConfig c = config("127.0.0.1");
        c.tls.caCert = certs.caPem.toString();
        assertEquals(RemoteWriteClient.Result.SENT, send(c));
        assertEquals(1, writes.get());
    }

    @Test
    void aHostTheCertificateDoesNotNameIsRefusedUnlessHostnameVerificationIsSkipped() throws Exception {
        start(false);
        RemoteWriteConfig c = config("localhost");
        c.tls.caCert = certs.caPem.toString();
        IOException e = assertThrows(IOException.class, () -> send(c));
        assertTrue(e.getMessage().startsWith("prometheus: TLS with https://localhost:"), e.getMessage());
        assertEquals(0, writes.get());
        c.tls.skipHostnameVerify = true;
        assertEquals(RemoteWriteClient.Result.SENT, send(c));
        assertEquals(1, writes.get());
    }

    @Test
    void aClientCertificateIsSentWhenTheReceiverNeedsOne() throws Exception {
        start(true);
        RemoteWriteConfig c = config("127.0.0.1");
        c.tls.caCert = certs.caPem.toString();
        assertThrows(IOException.class, () -> send(c));
        assertEquals(0, writes.get());
        c.tls.clientCert = certs.clientPem.toString();
        c.tls.clientKey = certs.clientKeyPem.toString();
        assertEquals(RemoteWriteClient.Result.SENT, send(c));
        assertEquals(1, writes.get());
    }
}
