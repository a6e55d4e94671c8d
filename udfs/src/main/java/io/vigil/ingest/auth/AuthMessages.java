package io.vigil.ingest.auth;

import java.util.Map;
import java.util.Set;

/**
 * Reads the security events in a Linux host's auth log (sshd, PAM, sudo, su, the shadow-utils account tools,
 * systemd-logind) into attributes named as ECS and OpenTelemetry name them: {@code event.category}
 * ({@code authentication}, {@code session}, {@code iam}), {@code event.action}, {@code event.outcome},
 * {@code user.name} (who acted or tried to log in), {@code user.effective.name} (whom sudo or su ran as),
 * {@code user.target.name} and {@code group.name} (the account an account tool changed), {@code source.ip},
 * {@code source.port}. A message it does not know stays a plain log record: these programs write many harmless lines.
 *
 * <p>Which reader applies is decided by the program (the syslog tag or journald's {@code SYSLOG_IDENTIFIER}), so a
 * user-controlled string elsewhere in a log cannot pose as an sshd event. PAM's {@code pam_unix(service:type)} lines
 * are read for every program, since PAM logs under the name of the program that loaded it.
 */
public final class AuthMessages {
    /** The shadow-utils account tools (useradd, usermod, ...), whose messages {@link AccountMessages} reads. */
    static final Set<String> ACCOUNT_TOOLS = Set.of(
            "useradd", "usermod", "userdel", "groupadd", "groupmod", "groupdel", "gpasswd", "passwd", "chpasswd");

    private AuthMessages() {}

    /**
     * Adds the message's security attributes to {@code attrs}; false when the message is not a security event.
     *
     * @param program the program that wrote the message (syslog tag), or null when unknown
     */
    public static boolean read(String program, String msg, Map<String, String> attrs) {
        if (program == null || msg == null) {
            return false;
        }
        String m = msg.strip();
        if (PamMessages.read(m, attrs)) {
            return true;
        }
        if (program.equals("sshd") || program.startsWith("sshd-")) {
            return SshdMessages.read(m, attrs);
        }
        switch (program) {
            case "sudo":
                return SudoMessages.read(m, attrs);
            case "su":
                return SuMessages.read(m, attrs);
            case "systemd-logind":
                return LogindMessages.read(m, attrs);
            default:
                return ACCOUNT_TOOLS.contains(program) && AccountMessages.read(m, attrs);
        }
    }

    static void event(Map<String, String> attrs, String category, String action, String outcome) {
        attrs.put("event.category", category);
        attrs.put("event.action", action);
        if (outcome != null) {
            attrs.put("event.outcome", outcome);
        }
    }

    /** Puts a non-empty value; "???" is what shadow-utils writes for a name it could not find. */
    static void put(Map<String, String> attrs, String key, String value) {
        if (value != null && !value.isEmpty() && !value.equals("???")) {
            attrs.put(key, value);
        }
    }

    /** An address goes to source.ip; a host name (sshd prints one when UseDNS is on) to source.domain. */
    static void source(Map<String, String> attrs, String host, String port) {
        if (host != null && !host.isEmpty()) {
            boolean ip = host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
            attrs.put(ip ? "source.ip" : "source.domain", host);
        }
        if (port != null) {
            attrs.put("source.port", port);
        }
    }
}
