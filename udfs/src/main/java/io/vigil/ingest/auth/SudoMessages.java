package io.vigil.ingest.auth;

import static io.vigil.ingest.auth.AuthMessages.event;
import static io.vigil.ingest.auth.AuthMessages.put;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * sudo's syslog lines: "USER : [REASON ; ]TTY=t ; PWD=d ; USER=runas ; [GROUP=g ; ]COMMAND=cmd" (sudo's
 * lib/eventlog/eventlog.c builds the "KEY=value ; " list, the "%s : %s" line and the reasons come from
 * plugins/sudoers/logging.c). {@code user.name} is who ran sudo, {@code user.effective.name} whom it ran as.
 *
 * <ul>
 *   <li>{@code sudo_command}, success: no reason, the command ran;
 *   <li>{@code sudo_auth_failure}, failure: "N incorrect password attempt(s)" ({@code sudo.attempts}: N);
 *   <li>{@code sudo_denied}, failure: "user NOT in sudoers", "user NOT authorized on host", "command not allowed";
 *   <li>{@code sudo_failure}, failure: any other reason (e.g. "a password is required").
 * </ul>
 */
final class SudoMessages {
    private static final Pattern LINE = Pattern.compile("^(\\S+) : (.*)$", Pattern.DOTALL);
    /** The first "KEY=" sudo writes after the reason; the reason is what comes before it. */
    private static final Pattern FIRST_KEY =
            Pattern.compile("(?:^|; )(?:HOST|TTY|CHROOT|PWD|CWD|USER|GROUP|TSID|ENV|COMMAND)=");

    private static final Pattern ATTEMPTS = Pattern.compile("^(\\d+) incorrect password attempts?");

    private SudoMessages() {}

    static boolean read(String msg, Map<String, String> attrs) {
        Matcher line = LINE.matcher(msg);
        if (!line.matches()) {
            return false;
        }
        String rest = line.group(2);
        Matcher key = FIRST_KEY.matcher(rest);
        if (!key.find()) {
            return false;
        }
        int fieldsAt = key.start() == 0 ? 0 : key.start() + 2;
        String reason = rest.substring(0, key.start()).strip();
        if (reason.endsWith(";")) {
            reason = reason.substring(0, reason.length() - 1).strip();
        }
        fields(rest.substring(fieldsAt), attrs);
        put(attrs, "user.name", line.group(1));
        if (reason.isEmpty()) {
            event(attrs, "authentication", "sudo_command", "success");
            return true;
        }
        attrs.put("sudo.reason", reason);
        Matcher attempts = ATTEMPTS.matcher(reason);
        if (attempts.find()) {
            event(attrs, "authentication", "sudo_auth_failure", "failure");
            attrs.put("sudo.attempts", attempts.group(1));
        } else if (reason.contains("NOT in sudoers")
                || reason.contains("NOT authorized on host")
                || reason.contains("command not allowed")) {
            event(attrs, "authentication", "sudo_denied", "failure");
        } else {
            event(attrs, "authentication", "sudo_failure", "failure");
        }
        return true;
    }

    /** "TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash -i": COMMAND is last and may hold " ; ". */
    private static void fields(String list, Map<String, String> attrs) {
        int at = 0;
        while (at < list.length()) {
            int eq = list.indexOf('=', at);
            if (eq < 0) {
                return;
            }
            String name = list.substring(at, eq);
            if (name.equals("COMMAND")) {
                put(attrs, "sudo.command", list.substring(eq + 1));
                return;
            }
            int end = list.indexOf(" ; ", eq);
            String value = list.substring(eq + 1, end < 0 ? list.length() : end);
            switch (name) {
                case "TTY":
                    put(attrs, "sudo.tty", value);
                    break;
                case "PWD":
                case "CWD":
                    put(attrs, "process.working_directory", value);
                    break;
                case "USER":
                    put(attrs, "user.effective.name", value);
                    break;
                case "GROUP":
                    put(attrs, "group.effective.name", value);
                    break;
                case "HOST":
                    put(attrs, "sudo.host", value);
                    break;
                default:
                    break;
            }
            if (end < 0) {
                return;
            }
            at = end + 3;
        }
    }
}
