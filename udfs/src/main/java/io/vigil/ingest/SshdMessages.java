package io.vigil.ingest;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the authentication events in OpenSSH's log messages into ECS attributes ({@code event.category:
 * authentication}, {@code event.action}, {@code event.outcome}, {@code user.name}, {@code source.ip},
 * {@code source.port}). Messages it does not know stay plain log records: sshd writes many harmless lines.
 *
 * <p>{@code event.action} tells the kinds apart, so a rule counting login attempts does not count the "Invalid user"
 * line and the "Failed password for invalid user" line of one attempt twice: ssh_login (Failed/Accepted),
 * ssh_invalid_user, pam_auth_failure, ssh_break_in_attempt, ssh_disconnect.
 */
final class SshdMessages {
    private static final Pattern LOGIN =
            Pattern.compile("^(Failed|Accepted) (\\S+) for (invalid user )?(.*?) from (\\S+) port (\\d+)");
    private static final Pattern INVALID_USER = Pattern.compile("^Invalid user (.*?) from (\\S+)(?: port (\\d+))?");
    private static final Pattern PAM_FAILURE =
            Pattern.compile("^pam_unix\\(sshd:auth\\): authentication failure;.*?\\brhost=(\\S*)(?:\\s+user=(\\S+))?");
    private static final Pattern BREAK_IN_REVERSE = Pattern.compile(
            "^reverse mapping checking getaddrinfo for \\S+ \\[(\\S+)\\] failed.*POSSIBLE BREAK-IN ATTEMPT");
    private static final Pattern BREAK_IN_ADDRESS = Pattern.compile(
            "^Address (\\S+) maps to \\S+, but this does not map back to the address.*POSSIBLE BREAK-IN ATTEMPT");
    private static final Pattern DISCONNECT =
            Pattern.compile("^(?:Disconnected from|Received disconnect from|Connection closed by|Connection reset by)"
                    + "(?: (?:invalid|authenticating) user (\\S+))? (\\S+) port (\\d+)");

    private SshdMessages() {}

    /** Adds the message's authentication attributes to {@code attrs}; false when the message is not one of them. */
    static boolean read(String msg, Map<String, String> attrs) {
        Matcher m = LOGIN.matcher(msg);
        if (m.find()) {
            auth(attrs, "ssh_login", m.group(1).equals("Accepted") ? "success" : "failure");
            attrs.put("ssh.auth.method", m.group(2));
            if (m.group(3) != null) {
                attrs.put("user.invalid", "true");
            }
            user(attrs, m.group(4));
            source(attrs, m.group(5), m.group(6));
            return true;
        }
        m = INVALID_USER.matcher(msg);
        if (m.find()) {
            auth(attrs, "ssh_invalid_user", "failure");
            attrs.put("user.invalid", "true");
            user(attrs, m.group(1));
            source(attrs, m.group(2), m.group(3));
            return true;
        }
        m = PAM_FAILURE.matcher(msg);
        if (m.find()) {
            auth(attrs, "pam_auth_failure", "failure");
            source(attrs, m.group(1), null);
            user(attrs, m.group(2));
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
            auth(attrs, "ssh_break_in_attempt", null);
            source(attrs, m.group(1), null);
            return true;
        }
        m = DISCONNECT.matcher(msg);
        if (m.find()) {
            auth(attrs, "ssh_disconnect", null);
            user(attrs, m.group(1));
            source(attrs, m.group(2), m.group(3));
            return true;
        }
        return false;
    }

    private static void auth(Map<String, String> attrs, String action, String outcome) {
        attrs.put("event.category", "authentication");
        attrs.put("event.action", action);
        if (outcome != null) {
            attrs.put("event.outcome", outcome);
        }
    }

    private static void user(Map<String, String> attrs, String user) {
        if (user != null && !user.isEmpty()) {
            attrs.put("user.name", user);
        }
    }

    /** An address goes to source.ip; a host name (sshd prints one when UseDNS is on) to source.domain. */
    private static void source(Map<String, String> attrs, String host, String port) {
        if (host != null && !host.isEmpty()) {
            boolean ip = host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
            attrs.put(ip ? "source.ip" : "source.domain", host);
        }
        if (port != null) {
            attrs.put("source.port", port);
        }
    }
}
