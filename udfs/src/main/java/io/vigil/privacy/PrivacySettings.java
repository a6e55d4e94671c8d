package io.vigil.privacy;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The privacy policy a job starts with and where its hash key is: the environment variable {@link #keyEnv} when it is
 * set, else the file {@link #keyFile}. Only the variable's name and the file's path are part of the job graph (and of
 * any configuration dump); each operator reads the key itself when it opens, and the key is never logged.
 */
public final class PrivacySettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The environment variable read for the key unless another is named. */
    public static final String DEFAULT_KEY_ENV = "VIGIL_PRIVACY_KEY";

    /** Shortest key accepted, in bytes. */
    static final int MIN_KEY_BYTES = 16;

    public final PrivacyPolicy policy;
    /** Path of a file holding the key (its bytes, trailing newline ignored); may be null. */
    public final String keyFile;
    /** Name of an environment variable holding the key; may be null. */
    public final String keyEnv;

    public PrivacySettings(PrivacyPolicy policy, String keyFile, String keyEnv) {
        this.policy = policy;
        this.keyFile = keyFile;
        this.keyEnv = keyEnv;
    }

    /**
     * Checks that the key can be read when the policy needs one (on the client, before the job is submitted), so a
     * missing key stops the start with a message naming the settings rather than failing every operator.
     */
    public PrivacySettings validate() {
        if (policy.usesHash()) {
            key();
        }
        return this;
    }

    /** The key, read now; throws naming the settings (never the key) when it cannot be read. */
    public byte[] key() {
        String env = keyEnv == null ? null : System.getenv(keyEnv);
        byte[] k;
        String from;
        if (env != null && !env.isEmpty()) {
            k = env.strip().getBytes(StandardCharsets.UTF_8);
            from = "environment variable " + keyEnv;
        } else if (keyFile != null) {
            try {
                k = new String(Files.readAllBytes(Path.of(keyFile)), StandardCharsets.UTF_8)
                        .strip()
                        .getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the privacy hash key file " + keyFile + " ("
                        + e.getClass().getSimpleName() + "); set --privacy-key-file or the environment variable "
                        + (keyEnv == null ? DEFAULT_KEY_ENV : keyEnv));
            }
            from = "file " + keyFile;
        } else {
            throw new IllegalStateException("the privacy policy " + policy.source + " hashes values but no key was "
                    + "given: set the environment variable " + (keyEnv == null ? DEFAULT_KEY_ENV : keyEnv)
                    + " or --privacy-key-file");
        }
        if (k.length < MIN_KEY_BYTES) {
            throw new IllegalStateException("the privacy hash key in the " + from + " is shorter than " + MIN_KEY_BYTES
                    + " bytes; generate one with: head -c 32 /dev/urandom | xxd -p -c 64");
        }
        return k;
    }

    /** Pseudonyms under the key, or null when the policy hashes nothing (no key needed). */
    public Pseudonyms pseudonyms(PrivacyPolicy p) {
        return p.usesHash() ? new Pseudonyms(key(), p.hashLength) : null;
    }

    /**
     * Writes a new random key (32 bytes, hex) to {@code file} with owner-only permissions (0600) if there is none;
     * the demo's key. Returns whether one was written.
     */
    public static boolean generateKeyIfAbsent(Path file) throws IOException {
        if (Files.exists(file)) {
            return false;
        }
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        Path tmp = Files.createTempFile(
                file.toAbsolutePath().getParent(),
                ".privacy-key",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, HexFormat.of().formatHex(k) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    @Override
    public String toString() {
        return "PrivacySettings{" + policy + ", key from " + (keyEnv == null ? "" : "$" + keyEnv + " or ")
                + (keyFile == null ? "<none>" : keyFile) + "}";
    }
}
