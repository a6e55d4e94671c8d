package io.vigil.ingest.auth;

import static io.vigil.ingest.auth.AuthMessages.event;
import static io.vigil.ingest.auth.AuthMessages.put;
import static io.vigil.ingest.auth.AuthMessages.source;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenSSH's authentication messages (7.x to 9.x wordings; format strings in openssh-portable's auth.c, auth2.c and
 * packet.c). {@code event.action} tells the kinds apart, so a rule counting login attempts does not count the
 * "Invalid user" line and the "Failed password for invalid user" line of one attempt twice:
 *
 * <ul>
 *   <li>{@code ssh_login}: "Failed|Accepted METHOD for [invalid user ]USER from ADDR port N ssh2[: KEYTYPE FP]";
 *   <li>{@code ssh_invalid_user}: "Invalid user USER from ADDR [port N]";
 *   <li>{@code ssh_max_auth_tries}: "maximum authentication attempts exceeded for ..." and "Disconnecting ...: Too
 *       many authentication failures" (a client used up MaxAuthTries on one connection);
 *   <li>{@code ssh_break_in_attempt}: the reverse-DNS "POSSIBLE BREAK-IN ATTEMPT" lines;
 *   <li>{@code ssh_disconnect}: "Connection closed by", "Disconnected from", "Received disconnect from", "Connection
 *       reset by", with the user when sshd knew it ("authenticating user root", "invalid user admin").
 * </ul>
 */
final class SshdMessages {
    private static final Pattern LOGIN = Pattern.compile(
            "^(Failed|Accepted) (\\S+) for (invalid user )?(.*?) from (\\S+) port (\\d+)(?: ssh2)?(?:: (\\S+) (\\S+))?");
    private static final Pattern INVALID_USER = Pattern.compile("^Invalid user (.*?) from (\\S+)(?: port (\\d+))?");
    private static final Pattern MAX_TRIES = Pattern.compile("^(?:error: )?maximum authentication attempts exceeded for"
            + " (invalid user )?(.*?) from (\\S+) port (\\d+)");
    private static final Pattern TOO_MANY = Pattern.compile("^Disconnecting(?: (?:(invalid|authenticating) )?user"
            + " (\\S+))? (\\S+) port (\\d+): Too many authentication failures");
    /** OpenSSH before 7.5 wrote neither address nor port here; the pid ties it to the connection's other lines. */
    private static final Pattern TOO_MANY_OLD =
            Pattern.compile("^Disconnecting: Too many authentication failures(?: for (invalid user )?(\\S+))?");

    private static final Pattern BREAK_IN_REVERSE = Pattern.compile(
            "^reverse mapping checking getaddrinfo for \\S+ \\[(\\S+)\\] failed.*POSSIBLE BREAK-IN ATTEMPT");
    private static final Pattern BREAK_IN_ADDRESS = Pattern.compile(
            "^Address (\\S+) maps to \\S+, but this does not map back to the address.*POSSIBLE BREAK-IN ATTEMPT");
    private static final Pattern DISCONNECT =
            Pattern.compile("^(?:Disconnected from|Received disconnect from|Connection closed by|Connection reset by)"
                    + "(?: (?:(invalid|authenticating) )?user (\\S+))? (\\S+) port (\\d+)");

    private SshdMessages() {}

    /** Adds the message's authentication attributes to {@code attrs}; false when the message is not one of them. */
    static boolean read(String msg, Map<String, String> attrs) {
        Matcher m = LOGIN.matcher(msg);
        if (m.find()) {
            event(attrs, "authentication", "ssh_login", m.group(1).equals("Accepted") ? "success" : "failure");
            attrs.put("ssh.auth.method", m.group(2));
            invalid(attrs, m.group(3) != null);
            put(attrs, "user.name", m.group(4));
            source(attrs, m.group(5), m.group(6));
            if (m.group(8) != null && m.group(8).contains(":")) {
                // "RSA SHA256:..." after a public-key login: which key was used (see the ssh-new-key rule).
                attrs.put("ssh.auth.key.type", m.group(7));
                attrs.put("ssh.auth.key.fingerprint", m.group(8));
            }
            return true;
        }
        m = INVALID_USER.matcher(msg);
        if (m.find()) {
            event(attrs, "authentication", "ssh_invalid_user", "failure");
            invalid(attrs, true);
            put(attrs, "user.name", m.group(1));
            source(attrs, m.group(2), m.group(3));
            return true;
        }
        m = MAX_TRIES.matcher(msg);
        if (m.find()) {
            event(attrs, "authentication", "ssh_max_auth_tries", "failure");
            invalid(attrs, m.group(1) != null);
            put(attrs, "user.name", m.group(2));
            source(attrs, m.group(3), m.group(4));
            return true;
        }
        m = TOO_MANY.matcher(msg);
        if (m.find()) {
            event(attrs, "authentication", "ssh_max_auth_tries", "failure");
            invalid(attrs, "invalid".equals(m.group(1)));
            put(attrs, "user.name", m.group(2));
            source(attrs, m.group(3), m.group(4));
            return true;
        }
        m = TOO_MANY_OLD.matcher(msg);
        if (m.find()) {
            event(attrs, "authentication", "ssh_max_auth_tries", "failure");
            invalid(attrs, m.group(1) != null);
            put(attrs, "user.name", m.group(2));
            return true;
        }
        m = BREAK_IN_REVERSE.matcher(msg);
        if (!m.find()) {
            m = BREAK_IN_ADDRESS.matcher(msg);
            if (!m.find()) {
                m = null;
            }
        }
        if (m != null) {
            event(attrs, "authentication", "ssh_break_in_attempt", null);
            source(attrs, m.group(1), null);
            return true;
        }
        m = DISCONNECT.matcher(msg);
        if (m.find()) {
            event(attrs, "authentication", "ssh_disconnect", null);
            invalid(attrs, "invalid".equals(m.group(1)));
            put(attrs, "user.name", m.group(2));
            source(attrs, m.group(3), m.group(4));
            return true;
        }
        return false;
    }

    private static void invalid(Map<String, String> attrs, boolean invalid) {
        if (invalid) {
            attrs.put("user.invalid", "true");
        }
    }
}
