package io.vigil.ingest.auth;

import static io.vigil.ingest.auth.AuthMessages.event;
import static io.vigil.ingest.auth.AuthMessages.put;
import static io.vigil.ingest.auth.AuthMessages.source;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pam_unix's messages, whichever program loaded PAM (formats in linux-pam's modules/pam_unix/support.c,
 * pam_unix_sess.c and passverify.c). The PAM service ({@code pam_unix(sshd:auth)}: sshd) goes to {@code pam.service}.
 *
 * <ul>
 *   <li>{@code pam_auth_failure}: "authentication failure; logname= uid= euid= tty= ruser= rhost= [ user=]"; the
 *       same attempt as sshd's own "Failed password" line, so login-counting rules count only one of them;
 *   <li>{@code pam_user_unknown}: "check pass; user unknown";
 *   <li>{@code session_open} / {@code session_close}: "session opened for user U(uid=N) by L(uid=M)", older
 *       "session opened for user U by (uid=M)", "session closed for user U";
 *   <li>{@code password_changed}: "password changed for U" (category iam, the account in {@code user.target.name}).
 * </ul>
 */
final class PamMessages {
    private static final Pattern PAM = Pattern.compile("^pam_unix\\(([^:)]+):(\\w+)\\): (.*)$", Pattern.DOTALL);
    private static final Pattern AUTH_FAILURE =
            Pattern.compile("^authentication failure;.*?\\bruser=(\\S*)" + " rhost=(\\S*)(?:\\s+user=(\\S+))?");
    private static final Pattern SESSION_OPENED =
            Pattern.compile("^session opened for user ([^\\s(]+)(?:\\(uid=\\d+\\))? by ([^\\s(]*)");
    private static final Pattern SESSION_CLOSED = Pattern.compile("^session closed for user (\\S+)");
    private static final Pattern PASSWORD_CHANGED = Pattern.compile("^password changed for (\\S+)");

    private PamMessages() {}

    static boolean read(String msg, Map<String, String> attrs) {
        Matcher pam = PAM.matcher(msg);
        if (!pam.matches()) {
            return false;
        }
        String service = pam.group(1);
        String text = pam.group(3);
        Matcher m;
        if ((m = AUTH_FAILURE.matcher(text)).find()) {
            event(attrs, "authentication", "pam_auth_failure", "failure");
            source(attrs, m.group(2), null);
            put(attrs, "user.name", m.group(3));
            put(attrs, "pam.ruser", m.group(1));
        } else if (text.startsWith("check pass; user unknown")) {
            event(attrs, "authentication", "pam_user_unknown", "failure");
        } else if ((m = SESSION_OPENED.matcher(text)).find()) {
            event(attrs, "session", "session_open", "success");
            put(attrs, "user.name", m.group(1));
        } else if ((m = SESSION_CLOSED.matcher(text)).find()) {
            event(attrs, "session", "session_close", null);
            put(attrs, "user.name", m.group(1));
        } else if ((m = PASSWORD_CHANGED.matcher(text)).find()) {
            event(attrs, "iam", "password_changed", "success");
            put(attrs, "user.target.name", m.group(1));
        } else {
            return false;
        }
        attrs.put("pam.service", service);
        return true;
    }
}
