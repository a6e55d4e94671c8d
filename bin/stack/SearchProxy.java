// The secured local stack's front of OpenSearch (bin/stack.sh, `stack up --secure`): terminates TLS with the stack's
// server certificate, checks HTTP basic auth against one user whose password is in a file, and forwards each request
// to the OpenSearch node, which then listens on an internal port only.
//   java bin/stack/SearchProxy.java <port> <upstream URL> <cert.pem> <key.pem> <user> <password file>
// Why a proxy and not OpenSearch's security plugin: the plugin is published only as a distribution zip with its own
// jars, security policy and a security index that securityadmin initialises, all made for an installed distribution;
// the stack assembles OpenSearch from Maven jars on one classpath. The job's side is the same either way: https with
// a private CA and basic auth. Java, run as a single source file like WebhookReceiver.java, because the stack's only
// runtime is the JDK.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

public class SearchProxy {
    static final List<String> FORWARDED = List.of("Content-Type", "Content-Encoding", "Accept");

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String upstream = args[1];
        SSLContext tls = tls(Path.of(args[2]), Path.of(args[3]));
        byte[] expected = ("Basic "
                        + Base64.getEncoder()
                                .encodeToString((args[4] + ":"
                                                + Files.readString(Path.of(args[5]))
                                                        .strip())
                                        .getBytes(StandardCharsets.UTF_8)))
                .getBytes(StandardCharsets.UTF_8);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", exchange -> {
            try (exchange) {
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                // Constant-time comparison: how long a refusal takes says nothing about the password.
                if (auth == null || !MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8), expected)) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"vigil-search\"");
                    reply(
                            exchange,
                            401,
                            "{\"error\":\"authentication required\",\"status\":401}".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                forward(http, upstream, exchange);
            } catch (Exception e) {
                System.err.println("vigil: search proxy: " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getPath() + " failed: " + e);
            }
        });
        server.start();
        System.out.println("vigil: search proxy ready on https://127.0.0.1:" + port + " -> " + upstream);
    }

    static void forward(HttpClient http, String upstream, HttpExchange exchange) throws Exception {
        byte[] body = exchange.getRequestBody().readAllBytes();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(upstream + exchange.getRequestURI()))
                .timeout(Duration.ofSeconds(60))
                .method(
                        exchange.getRequestMethod(),
                        body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String h : FORWARDED) {
            String v = exchange.getRequestHeaders().getFirst(h);
            if (v != null) req.header(h, v);
        }
        HttpResponse<byte[]> r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        for (String h : List.of("Content-Type", "Content-Encoding")) {
            r.headers()
                    .firstValue(h)
                    .ifPresent(v -> exchange.getResponseHeaders().add(h, v));
        }
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(r.statusCode(), -1);
        } else {
            reply(exchange, r.statusCode(), r.body());
        }
    }

    static void reply(HttpExchange exchange, int status, byte[] body) throws java.io.IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The JDK reads PEM certificates but not PEM keys: the key's base64 body is its PKCS#8 DER. */
    static SSLContext tls(Path certFile, Path keyFile) throws Exception {
        List<? extends Certificate> chain;
        try (var in = Files.newInputStream(certFile)) {
            chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
        String pem = Files.readString(keyFile);
        String b64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance(chain.get(0).getPublicKey().getAlgorithm())
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "in-memory".toCharArray(); // guards only this in-memory store
        ks.setKeyEntry("server", key, pw, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
