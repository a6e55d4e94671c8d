package io.vigil.sink.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsServer;
import io.vigil.sink.tls.TestCertificates;
import io.vigil.sink.tls.TlsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The search client's TLS settings against a real HTTPS server (the JDK's HttpsServer) with a private CA and
 * certificates made by {@code keytool}, answering {@code _bulk} as OpenSearch does. The stack's OpenSearch runs
 * without its security plugin, so this is where TLS is tested.
 */
class BulkClientTlsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static TestCertificates certs;
    private HttpsServer server;
    private final List<String> indexed = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.get();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void start(boolean needClientAuth) throws Exception {
        server = certs.server(needClientAuth, "/_bulk", this::bulk);
    }

    /** Indexes every document: {@code errors:false} and one item per document, as OpenSearch answers. */
    private void bulk(HttpExchange ex) throws IOException {
        String[] lines = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("\n");
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < lines.length; i += 2) {
            String id = MAPPER.readTree(lines[i]).path("index").path("_id").asText();
            synchronized (indexed) {
                indexed.add(id);
            }
            items.append(i == 0 ? "" : ",")
                    .append("{\"index\":{\"_id\":\"")
                    .append(id)
                    .append("\",\"status\":201}}");
        }
        byte[] b = ("{\"took\":1,\"errors\":false,\"items\":[" + items + "]}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private SearchConfig config(String host, Consumer<TlsSettings> tls) {
        SearchConfig c =
                SearchConfig.of("https://" + host + ":" + server.getAddress().getPort());
        c.maxRetries = 1;
        c.initialBackoff = Duration.ofMillis(1);
        c.maxBackoff = Duration.ofMillis(5);
        tls.accept(c.tls);
        return c.validate();
    }

    private static List<BulkItem> docs() {
        return List.of(
                new BulkItem("vigil-alerts-2026.11.26", "a1", "{\"n\":1}".getBytes(StandardCharsets.UTF_8)),
                new BulkItem("vigil-alerts-2026.11.26", "a2", "{\"n\":2}".getBytes(StandardCharsets.UTF_8)));
    }

    private IOException fails(SearchConfig c) throws IOException {
        try (BulkClient client = new BulkClient(c)) {
            return assertThrows(IOException.class, () -> client.deliver(docs()));
        }
    }

    private void delivers(SearchConfig c) throws Exception {
        try (BulkClient client = new BulkClient(c)) {
            assertEquals(2, client.deliver(docs()).indexed);
        }
        assertEquals(List.of("a1", "a2"), indexed);
    }

    @Test
    void withoutTheCaSettingTheConnectionFailsWithAClearTlsError() throws Exception {
        start(false);
        IOException e = fails(config("127.0.0.1", t -> {}));
        assertTrue(e.getMessage().startsWith("search: TLS with [https://127.0.0.1:"), e.getMessage());
        assertTrue(e.getMessage().contains("PKIX path building failed"), e.getMessage());
        assertTrue(e.getMessage().contains("check search-ca-cert"), e.getMessage());
        assertTrue(indexed.isEmpty());
    }

    @Test
    void withThePrivateCaDocumentsAreWritten() throws Exception {
        start(false);
        delivers(config("127.0.0.1", t -> t.caCert = certs.caPem.toString()));
    }

    @Test
    void aHostTheCertificateDoesNotNameIsRefusedUnlessHostnameVerificationIsSkipped() throws Exception {
        start(false);
        IOException e = fails(config("localhost", t -> t.caCert = certs.caPem.toString()));
        assertTrue(e.getMessage().contains("search: TLS with [https://localhost:"), e.getMessage());
        assertTrue(e.getMessage().contains("localhost"), e.getMessage());
        assertTrue(indexed.isEmpty());
        delivers(config("localhost", t -> {
            t.caCert = certs.caPem.toString();
            t.skipHostnameVerify = true;
        }));
    }

    @Test
    void skippingHostnameVerificationStillChecksTheChain() throws Exception {
        start(false);
        IOException e = fails(config("localhost", t -> t.skipHostnameVerify = true)); // JVM trust store: no test CA
        assertTrue(e.getMessage().contains("PKIX path building failed"), e.getMessage());
    }

    @Test
    void aServerThatNeedsAClientCertificateTakesOnlyClientsWithOne() throws Exception {
        start(true);
        IOException e = fails(config("127.0.0.1", t -> t.caCert = certs.caPem.toString()));
        // TLS 1.3: the server closes the connection after the handshake; an alert read first gives a TLS error. Both
        // messages point at the client-certificate settings.
        assertTrue(
                e.getMessage().contains("wants client certificates, give search-client-cert")
                        || e.getMessage().contains("search-client-cert/search-client-key if the cluster wants"),
                e.getMessage());
        assertTrue(indexed.isEmpty(), "no document reached a server that wants a client certificate");
        delivers(config("127.0.0.1", t -> {
            t.caCert = certs.caPem.toString();
            t.clientCert = certs.clientPem.toString();
            t.clientKey = certs.clientKeyPem.toString();
        }));
    }

    @Test
    void aPkcs12KeystoreServesAsClientCertificateToo() throws Exception {
        start(true);
        delivers(config("127.0.0.1", t -> {
            t.caCert = certs.caPem.toString();
            t.keystore = certs.clientP12.toString();
            t.keystorePassword = TestCertificates.PASSWORD;
        }));
    }

    private static String invalid(Consumer<TlsSettings> tls) {
        SearchConfig c = SearchConfig.of("https://127.0.0.1:9200");
        tls.accept(c.tls);
        return assertThrows(IllegalArgumentException.class, c::validate).getMessage();
    }

    @Test
    void wrongSettingsAreRefusedAtValidationNamingTheKeyTheFileAndTheProblem() throws Exception {
        String missing = certs.dir.resolve("nope.pem").toString();
        String m = invalid(t -> t.caCert = missing);
        assertEquals(
                "search-ca-cert '" + missing + "': no such file (the path is read where the job runs, on every "
                        + "TaskManager)",
                m);

        m = invalid(t -> t.caCert = certs.clientP12.toString());
        assertTrue(m.startsWith("search-ca-cert '" + certs.clientP12 + "' is not a PEM certificate file"), m);

        Path broken = certs.variant("broken.pem", certs.caPem, "M", "*");
        m = invalid(t -> t.caCert = broken.toString());
        assertTrue(m.startsWith("search-ca-cert '" + broken + "' is not a valid PEM certificate"), m);

        m = invalid(t -> {
            t.clientCert = certs.clientPem.toString();
            t.clientKey = certs.otherKeyPem.toString();
        });
        assertTrue(
                m.startsWith("search-client-key '" + certs.otherKeyPem + "' does not match the certificate in "
                        + "search-client-cert"),
                m);

        Path pkcs1 = certs.variant("pkcs1.pem", certs.clientKeyPem, "PRIVATE KEY", "RSA PRIVATE KEY");
        m = invalid(t -> {
            t.clientCert = certs.clientPem.toString();
            t.clientKey = pkcs1.toString();
        });
        assertTrue(m.contains("is a RSA PRIVATE KEY (PKCS#1/SEC1) file; convert it to PKCS#8"), m);

        m = invalid(t -> {
            t.clientCert = certs.clientPem.toString();
            t.clientKey = certs.clientPem.toString();
        });
        assertTrue(m.contains("is not a PEM private key"), m);

        m = invalid(t -> t.clientCert = certs.clientPem.toString());
        assertTrue(
                m.startsWith(
                        "search-client-cert '" + certs.clientPem + "' needs its private key in " + "search-client-key"),
                m);

        m = invalid(t -> {
            t.keystore = certs.clientP12.toString();
            t.keystorePassword = "wrong";
        });
        assertTrue(m.startsWith("search-keystore '" + certs.clientP12 + "' cannot be opened as PKCS#12"), m);

        SearchConfig plain = SearchConfig.of("http://127.0.0.1:9200");
        plain.tls.caCert = certs.caPem.toString();
        m = assertThrows(IllegalArgumentException.class, plain::validate).getMessage();
        assertTrue(m.contains("no URL is https://"), m);
    }
}
