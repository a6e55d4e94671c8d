package io.vigil.sink.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where an output's basic-auth password comes from: a file ({@code <prefix>-password-file}, what a secrets mount or
 * the secured local stack gives) or an environment variable ({@code $VIGIL_<PREFIX>_PASSWORD}). Never a flag: flags
 * show in process lists and in the job's parameters. The password is read when the job is submitted, so a missing or
 * empty file fails there, naming the setting; messages name the file, never its content.
 */
public final class BasicAuthPassword {
    private BasicAuthPassword() {}

    /**
     * The password of {@code <prefix>-user}, or null after adding a problem when there is none.
     *
     * @param prefix the output's settings prefix, e.g. {@code search}
     */
    public static String read(String prefix, String user, Map<String, String> settings, List<String> problems) {
        String fileKey = prefix + "-password-file";
        String env = "VIGIL_" + prefix.toUpperCase(java.util.Locale.ROOT) + "_PASSWORD";
        String file = settings.getOrDefault(fileKey, "").trim();
        if (!file.isEmpty()) {
            Path p = Path.of(file);
            if (!Files.isRegularFile(p)) {
                problems.add(fileKey + " '" + file + "': " + (Files.exists(p) ? "is not a file" : "no such file")
                        + "; give the file holding the password of " + prefix + "-user " + user);
                return null;
            }
            String password;
            try {
                password = Files.readString(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
                problems.add(fileKey + " '" + file + "' cannot be read: "
                        + e.getClass().getSimpleName());
                return null;
            }
            // `echo secret > file` adds a newline that is no part of the password.
            password = password.endsWith("\r\n")
                    ? password.substring(0, password.length() - 2)
                    : password.endsWith("\n") ? password.substring(0, password.length() - 1) : password;
            if (password.isEmpty()) {
                problems.add(
                        fileKey + " '" + file + "' is empty; it must hold the password of " + prefix + "-user " + user);
                return null;
            }
            return password;
        }
        String password = System.getenv(env);
        if (password == null) {
            problems.add(prefix + "-user " + user + " needs its password in " + fileKey + " (a file) or $" + env);
        }
        return password;
    }

    /** Adds a problem when {@code <prefix>-password-file} is given without {@code <prefix>-user}. */
    public static void checkUnused(String prefix, Map<String, String> settings, List<String> problems) {
        if (!settings.getOrDefault(prefix + "-password-file", "").isBlank()) {
            problems.add(prefix + "-password-file is set but " + prefix + "-user is not; give " + prefix
                    + "-user or drop " + prefix + "-password-file");
        }
    }
}
