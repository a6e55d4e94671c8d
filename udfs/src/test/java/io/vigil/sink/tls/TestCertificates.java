package io.vigil.sink.tls;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * A private CA, a server certificate for {@code 127.0.0.1} (and no other name) and a client certificate, made once
 * per test JVM with the JDK's own {@code keytool}, as an operator would; plus real HTTPS servers using them.
 */
public final class TestCertificates {
    public static final String PASSWORD = "changeit";
    private static TestCertificates made;

    public final Path dir;
    /** PEM of the CA certificate. */
    public final Path caPem;
    /** PKCS#12 with the server's key and its CA-signed certificate (SAN ip:127.0.0.1 only). */
    public final Path serverP12;
    /** PKCS#12, PEM certificate and PEM PKCS#8 key of the client, signed by the CA. */
    public final Path clientP12;

    public final Path clientPem;
    public final Path clientKeyPem;
    /** A key of another pair: does not match {@link #clientPem}. */
    public final Path otherKeyPem;

    private TestCertificates(Path dir) throws Exception {
        this.dir = dir;
        caPem = dir.resolve("ca.pem");
        serverP12 = dir.resolve("server.p12");
        clientP12 = dir.resolve("client.p12");
        clientPem = dir.resolve("client.pem");
        clientKeyPem = dir.resolve("client-key.pem");
        otherKeyPem = dir.resolve("other-key.pem");
        Path ca = dir.resolve("ca.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=Vigil Test CA",
                "-ext",
                "bc:c",
                "-validity",
                "2",
                "-keystore",
                ca.toString());
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-file", caPem.toString());
        signed(ca, serverP12, "server", "CN=vigil-test-server", "SAN=ip:127.0.0.1");
        signed(ca, clientP12, "client", "CN=vigil-test-client", null);
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "client",
                "-keystore",
                clientP12.toString(),
                "-file",
                clientPem.toString());
        writeKeyPem(clientP12, "client", clientKeyPem);
        Path other = dir.resolve("other.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "other",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=other",
                "-validity",
                "2",
                "-keystore",
                other.toString());
        writeKeyPem(other, "other", otherKeyPem);
    }

    public static synchronized TestCertificates get() throws Exception {
        if (made == null) {
            Path dir = Files.createTempDirectory("vigil-tls");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (java.util.stream.Stream<Path> files = Files.list(dir)) {
                    files.forEach(f -> f.toFile().delete());
                } catch (IOException e) {
                    // a temp folder left behind; nothing to fail here
                }
                dir.toFile().delete();
            }));
            made = new TestCertificates(dir);
        }
        return made;
    }

    /** A key pair whose certificate the CA signs (certreq, gencert, then the CA and the reply imported). */
    private void signed(Path ca, Path store, String alias, String dname, String san) throws Exception {
        keytool(
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                dname,
                "-validity",
                "2",
                "-keystore",
                store.toString());
        Path csr = dir.resolve(alias + ".csr");
        Path crt = dir.resolve(alias + "-signed.pem");
        keytool("-certreq", "-alias", alias, "-keystore", store.toString(), "-file", csr.toString());
        List<String> gen = new ArrayList<>(List.of(
                "-gencert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                ca.toString(),
                "-infile",
                csr.toString(),
                "-outfile",
                crt.toString(),
                "-validity",
                "2"));
        if (san != null) {
            gen.addAll(List.of("-ext", san));
        }
        keytool(gen.toArray(new String[0]));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore", store.toString());
        keytool("-importcert", "-alias", alias, "-file", crt.toString(), "-keystore", store.toString());
    }

    /** The PKCS#8 PEM an operator gets from {@code openssl pkcs12 -nocerts -nodes}; keytool cannot export keys. */
    private static void writeKeyPem(Path store, String alias, Path pem) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        byte[] der = ks.getKey(alias, PASSWORD.toCharArray()).getEncoded();
        Files.writeString(
                pem,
                "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(der)
                        + "\n-----END PRIVATE KEY-----\n");
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }

    /**
     * An HTTPS server on 127.0.0.1 with the server certificate; when {@code needClientAuth}, it takes only clients
     * with a certificate signed by the CA.
     */
    public HttpsServer server(boolean needClientAuth, String path, HttpHandler handler) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(serverP12)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD.toCharArray());
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trusted.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setNeedClientAuth(needClientAuth);
                params.setSSLParameters(p);
            }
        });
        server.createContext(path, handler);
        server.start();
        return server;
    }

    /** Copies a file's text with a replacement, for broken-file tests. */
    public Path variant(String name, Path from, String find, String replace) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, Files.readString(from).replace(find, replace));
        return p;
    }
}
