package io.vigil.sink.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS settings of an HTTP sink, beyond the JVM's trust store: a PEM bundle of CA certificates to trust instead of it,
 * a client certificate (PEM certificate chain plus PEM PKCS#8 key, or a PKCS#12 keystore), and an explicit opt-in to
 * skip hostname verification. One type for every sink that speaks HTTPS (search and Prometheus remote write), so the
 * settings are named, checked and applied the same way.
 *
 * <p>Files are paths read where the writer runs (like Flink's own {@code security.ssl.*} settings), so a rotated
 * certificate is picked up on restart; {@link #validate()} reads them at job submission too, so a wrong file fails
 * there with a message naming the setting, the file and what is wrong.
 */
public final class TlsSettings implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TlsSettings.class);
    private static final Pattern PEM =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    /** Names the settings in messages: {@code search} gives {@code search-ca-cert}, ... */
    public final String keyPrefix;
    /** PEM file of CA certificates to trust instead of the JVM's trust store; null = the JVM's trust store. */
    public String caCert;
    /** PEM file of the client certificate (and its chain), with {@link #clientKey}. */
    public String clientCert;
    /** PEM file of the client's unencrypted PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}). */
    public String clientKey;
    /** PKCS#12 keystore with the client's key and certificate, instead of {@link #clientCert}/{@link #clientKey}. */
    public String keystore;

    public String keystorePassword;
    /** Accept a certificate that does not name the host connected to (chain still checked). Test setups only. */
    public boolean skipHostnameVerify;

    public TlsSettings(String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    /**
     * Reads the settings named by this prefix ({@code <prefix>-ca-cert}, {@code -client-cert}, {@code -client-key},
     * {@code -keystore}, {@code -tls-skip-hostname-verify}; the keystore password from
     * {@code $VIGIL_<PREFIX>_KEYSTORE_PASSWORD}), the same for every output. Files are checked later by
     * {@link #validate()}. Returns false after adding a problem when a value is wrong in itself.
     */
    public boolean read(Map<String, String> settings, List<String> problems) {
        caCert = blankToNull(settings.get(key("ca-cert")));
        clientCert = blankToNull(settings.get(key("client-cert")));
        clientKey = blankToNull(settings.get(key("client-key")));
        keystore = blankToNull(settings.get(key("keystore")));
        boolean ok = true;
        if (keystore != null) {
            String env = "VIGIL_" + keyPrefix.toUpperCase(Locale.ROOT) + "_KEYSTORE_PASSWORD";
            keystorePassword = System.getenv(env);
            if (keystorePassword == null) {
                problems.add(key("keystore") + " '" + keystore + "' needs its password in $" + env);
                ok = false;
            }
        }
        String skip = settings.getOrDefault(key("tls-skip-hostname-verify"), "false")
                .trim()
                .toLowerCase(Locale.ROOT);
        if (!skip.equals("true") && !skip.equals("false")) {
            problems.add(key("tls-skip-hostname-verify") + " '" + settings.get(key("tls-skip-hostname-verify"))
                    + "' must be true or false");
            ok = false;
        }
        skipHostnameVerify = skip.equals("true");
        return ok;
    }

    /**
     * Adds a problem for each of this output's TLS settings that is given although its URL setting ({@code urlKey})
     * is not: such a setting would silently do nothing.
     */
    public void checkUnused(Map<String, String> settings, String urlKey, List<String> problems) {
        for (String suffix : List.of("ca-cert", "client-cert", "client-key", "keystore", "tls-skip-hostname-verify")) {
            if (!settings.getOrDefault(key(suffix), "").isEmpty()) {
                problems.add(
                        key(suffix) + " is set but " + urlKey + " is not; give " + urlKey + " or drop " + key(suffix));
            }
        }
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** Whether anything differs from the JVM's defaults. */
    public boolean isSet() {
        return caCert != null || clientCert != null || clientKey != null || keystore != null || skipHostnameVerify;
    }

    /** The setting's name as users write it: {@code search-ca-cert}. */
    public String key(String suffix) {
        return keyPrefix + "-" + suffix;
    }

    /** Reads every file and builds the context once; throws IllegalArgumentException naming the setting and file. */
    public TlsSettings validate() {
        sslContext();
        return this;
    }

    /**
     * The SSL context these settings describe, or null when nothing is set (the client's default then applies).
     * Logs a WARN when hostname verification is off, as that accepts any server with a certificate from the CA.
     */
    public SSLContext sslContext() {
        if (!isSet()) {
            return null;
        }
        if (clientCert != null && keystore != null) {
            throw new IllegalArgumentException(key("client-cert") + " and " + key("keystore")
                    + ": give either a PEM client certificate and key or a PKCS#12 keystore, not both");
        }
        if ((clientCert == null) != (clientKey == null)) {
            throw new IllegalArgumentException(
                    clientCert == null
                            ? key("client-key") + " '" + clientKey + "' needs its certificate in " + key("client-cert")
                            : key("client-cert") + " '" + clientCert + "' needs its private key in "
                                    + key("client-key"));
        }
        try {
            TrustManager[] trust = trustManagers();
            KeyManager[] keys = keystore != null ? keystoreKeyManagers() : clientCert != null ? pemKeyManagers() : null;
            if (skipHostnameVerify) {
                LOG.warn(
                        "{} is set: the certificate's host name is not checked, so any server with a certificate "
                                + "from a trusted CA is accepted; use it for tests only",
                        key("tls-skip-hostname-verify"));
                trust = new TrustManager[] {new ChainOnlyTrustManager(x509(trust))};
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(keyPrefix + " TLS: the JVM cannot build a TLS context: " + e, e);
        }
    }

    private TrustManager[] trustManagers() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (caCert == null) {
            tmf.init((KeyStore) null); // the JVM's trust store
        } else {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            try {
                ks.load(null, null);
            } catch (IOException e) {
                throw new GeneralSecurityException(e);
            }
            int n = 0;
            for (X509Certificate c : certificates(key("ca-cert"), caCert)) {
                ks.setCertificateEntry("ca-" + n++, c);
            }
            tmf.init(ks);
        }
        return tmf.getTrustManagers();
    }

    private KeyManager[] keystoreKeyManagers() throws GeneralSecurityException {
        String what = key("keystore") + " '" + keystore + "'";
        byte[] bytes = read(key("keystore"), keystore);
        char[] password = keystorePassword == null ? new char[0] : keystorePassword.toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(new ByteArrayInputStream(bytes), password);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    what + " cannot be opened as PKCS#12 with the given password (" + rootMessage(e)
                            + "); check the file and its password",
                    e);
        }
        boolean hasKey = false;
        for (String alias : Collections.list(ks.aliases())) {
            hasKey |= ks.isKeyEntry(alias);
        }
        if (!hasKey) {
            throw new IllegalArgumentException(what + " holds no private key entry, only certificates; "
                    + "put the client's key and certificate in it");
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        try {
            kmf.init(ks, password);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    what + ": its key cannot be read with the keystore password (" + rootMessage(e) + ")", e);
        }
        return kmf.getKeyManagers();
    }

    private KeyManager[] pemKeyManagers() throws GeneralSecurityException {
        List<X509Certificate> chain = certificates(key("client-cert"), clientCert);
        PrivateKey key = privateKey(chain.get(0));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        char[] password = "vigil".toCharArray(); // only guards this in-memory store
        ks.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        return kmf.getKeyManagers();
    }

    /**
     * The client key. The JDK reads certificates from PEM but has no reader for PEM private keys; stripping the PEM
     * armour and decoding base64 gives the PKCS#8 DER that {@link PKCS8EncodedKeySpec} takes, a few lines that spare
     * a dependency (Bouncy Castle's PEMParser) for one call. The key's algorithm is the certificate's.
     */
    private PrivateKey privateKey(X509Certificate cert) {
        String what = key("client-key") + " '" + clientKey + "'";
        String text = new String(read(key("client-key"), clientKey), StandardCharsets.US_ASCII);
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            if (type.equals("PRIVATE KEY")) {
                byte[] der;
                try {
                    der = Base64.getMimeDecoder().decode(m.group(2));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(what + ": the PRIVATE KEY block is not valid base64", e);
                }
                String alg = cert.getPublicKey().getAlgorithm();
                PrivateKey key;
                try {
                    key = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (GeneralSecurityException e) {
                    throw new IllegalArgumentException(
                            what + " is not a PKCS#8 " + alg + " key matching the " + alg + " certificate in "
                                    + key("client-cert") + " (" + rootMessage(e) + ")",
                            e);
                }
                checkPair(key, cert, what);
                return key;
            }
            if (type.equals("ENCRYPTED PRIVATE KEY")) {
                throw new IllegalArgumentException(what + " is encrypted; give an unencrypted PKCS#8 key "
                        + "(openssl pkcs8 -topk8 -nocrypt) in a file only the job can read, or a PKCS#12 keystore in "
                        + key("keystore"));
            }
            if (type.endsWith(" PRIVATE KEY")) {
                throw new IllegalArgumentException(what + " is a " + type + " (PKCS#1/SEC1) file; convert it to PKCS#8 "
                        + "with: openssl pkcs8 -topk8 -nocrypt -in " + clientKey + " -out key-pkcs8.pem");
            }
        }
        throw new IllegalArgumentException(what + " is not a PEM private key: no -----BEGIN PRIVATE KEY----- block");
    }

    /** A key that does not belong to the certificate would only fail later, in every handshake: check it here. */
    private void checkPair(PrivateKey key, X509Certificate cert, String what) {
        String alg;
        switch (key.getAlgorithm()) {
            case "RSA":
                alg = "SHA256withRSA";
                break;
            case "EC":
                alg = "SHA256withECDSA";
                break;
            case "EdDSA":
            case "Ed25519":
                alg = "Ed25519";
                break;
            default:
                return; // no signature to test it with; the handshake will tell
        }
        try {
            byte[] probe = "vigil key check".getBytes(StandardCharsets.US_ASCII);
            Signature sign = Signature.getInstance(alg);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(alg);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            if (!verify.verify(signature)) {
                throw new IllegalArgumentException(
                        what + " does not match the certificate in " + key("client-cert") + " '" + clientCert + "' ("
                                + cert.getSubjectX500Principal() + "): give that certificate's key");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    what + " cannot be checked against " + key("client-cert") + ": " + rootMessage(e), e);
        }
    }

    private static List<X509Certificate> certificates(String key, String file) {
        String what = key + " '" + file + "'";
        byte[] bytes = read(key, file);
        if (!new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(what + " is not a PEM certificate file: no -----BEGIN CERTIFICATE----- "
                    + "block (a DER file converts with: openssl x509 -inform der -in FILE -out FILE.pem)");
        }
        Collection<? extends Certificate> certs;
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (CertificateException | IOException e) {
            throw new IllegalArgumentException(what + " is not a valid PEM certificate: " + rootMessage(e), e);
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : certs) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(what + " holds no certificate");
        }
        return out;
    }

    private static byte[] read(String key, String file) {
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(
                    key + " '" + file + "': " + (Files.exists(p) ? "is not a file" : "no such file")
                            + " (the path is read where the job runs, on every TaskManager)");
        }
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new IllegalArgumentException(key + " '" + file + "' cannot be read: " + e, e);
        }
    }

    private static X509TrustManager x509(TrustManager[] managers) {
        for (TrustManager m : managers) {
            if (m instanceof X509TrustManager) {
                return (X509TrustManager) m;
            }
        }
        throw new IllegalStateException("the JVM's trust manager factory made no X509TrustManager");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /**
     * Checks the server's chain but not its host name. The JDK's HTTP client has no hostname-verifier hook (only a
     * JVM-wide system property): it leaves the host check to an {@link X509ExtendedTrustManager}'s engine/socket
     * methods, so this one answers them with the chain-only check. The Apache client gets a no-op verifier as well.
     */
    static final class ChainOnlyTrustManager extends X509ExtendedTrustManager {
        private final X509TrustManager chain;

        ChainOnlyTrustManager(X509TrustManager chain) {
            this.chain = chain;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType) throws CertificateException {
            chain.checkServerTrusted(certs, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType, Socket socket)
                throws CertificateException {
            chain.checkServerTrusted(certs, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
                throws CertificateException {
            chain.checkServerTrusted(certs, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType) throws CertificateException {
            chain.checkClientTrusted(certs, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType, Socket socket)
                throws CertificateException {
            chain.checkClientTrusted(certs, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
                throws CertificateException {
            chain.checkClientTrusted(certs, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return chain.getAcceptedIssuers();
        }
    }
}
