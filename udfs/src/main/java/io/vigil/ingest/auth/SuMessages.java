package io.vigil.ingest.auth;

import static io.vigil.ingest.auth.AuthMessages.event;
import static io.vigil.ingest.auth.AuthMessages.put;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * su's own lines, in both implementations: util-linux ("(to root) alice on pts/0", "FAILED SU (to root) alice on
 * pts/0"; login-utils/su-common.c) and shadow-utils ("+ pts/0 alice:root", "- pts/0 alice:root"; src/su.c). Action
 * {@code su}; {@code user.name} is who ran su, {@code user.effective.name} whom they became.
 */
final class SuMessages {
    private static final Pattern UTIL_LINUX =
            Pattern.compile("^(FAILED (?:SU|RUNUSER) )?\\(to (\\S+)\\) (\\S*) on (\\S+)");
    private static final Pattern SHADOW = Pattern.compile("^([+-]) (\\S+) ([^:\\s]*):(\\S*)$");

    private SuMessages() {}

    static boolean read(String msg, Map<String, String> attrs) {
        Matcher m = UTIL_LINUX.matcher(msg);
        if (m.find()) {
            event(attrs, "authentication", "su", m.group(1) == null ? "success" : "failure");
            put(attrs, "user.effective.name", m.group(2));
            put(attrs, "user.name", m.group(3));
            put(attrs, "su.tty", m.group(4));
            return true;
        }
        m = SHADOW.matcher(msg);
        if (m.find()) {
            event(attrs, "authentication", "su", m.group(1).equals("+") ? "success" : "failure");
            put(attrs, "su.tty", m.group(2));
            put(attrs, "user.name", m.group(3));
            put(attrs, "user.effective.name", m.group(4));
            return true;
        }
        return false;
    }
}
