package io.vigil.ingest.auth;

import static io.vigil.ingest.auth.AuthMessages.event;
import static io.vigil.ingest.auth.AuthMessages.put;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * systemd-logind's session lines ("New session 12 of user alice.", "Removed session 12."; systemd's
 * src/login/logind-session.c): {@code session_start} and {@code session_end}, category {@code session}, the session
 * in {@code session.id}.
 */
final class LogindMessages {
    private static final Pattern NEW = Pattern.compile("^New session (\\S+) of user (\\S+?)\\.?$");
    private static final Pattern REMOVED = Pattern.compile("^Removed session (\\S+?)\\.?$");

    private LogindMessages() {}

    static boolean read(String msg, Map<String, String> attrs) {
        Matcher m = NEW.matcher(msg);
        if (m.find()) {
            event(attrs, "session", "session_start", "success");
            put(attrs, "session.id", m.group(1));
            put(attrs, "user.name", m.group(2));
            return true;
        }
        m = REMOVED.matcher(msg);
        if (m.find()) {
            event(attrs, "session", "session_end", null);
            put(attrs, "session.id", m.group(1));
            return true;
        }
        return false;
    }
}
