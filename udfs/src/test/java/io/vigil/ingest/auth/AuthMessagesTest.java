package io.vigil.ingest.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.ingest.Decoders;
import io.vigil.ingest.TelemetryDecoder;
import io.vigil.model.Ingested;
import io.vigil.model.Telemetry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Auth log lines as the programs write them, each built from the format string in the program's source (cited at
 * each test), decoded through the syslog decoder, with the attributes they must give.
 */
class AuthMessagesTest {
    private static final TelemetryDecoder SYSLOG = Decoders.forFormat("syslog:year=2026,zone=UTC");

    /** The one record a line decodes to. */
    static Telemetry line(String program, String msg) {
        List<Ingested> out = new ArrayList<>();
        String l = "Nov  2 04:05:02 web-1 " + program + "[4242]: " + msg;
        SYSLOG.decode(l.getBytes(StandardCharsets.UTF_8), "test", out::add);
        assertEquals(1, out.size(), l);
        assertFalse(out.get(0).isDead(), l);
        return out.get(0).telemetry;
    }

    /** The line's attributes without the syslog ones every line has. */
    static Map<String, String> attrs(String program, String msg) {
        Map<String, String> a = new LinkedHashMap<>(line(program, msg).attributes);
        assertEquals(program, a.remove("process.name"));
        assertEquals("4242", a.remove("process.pid"));
        return a;
    }

    private static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    // openssh-portable auth.c auth_log(): "%s %s%s%s for %s%.100s from %.200s port %d ssh2%s%s", the last two the
    // ": " and format_method_key()'s "KEYTYPE SHA256:..." for a public key.
    @Test
    void sshLogins() {
        assertEquals(
                map(
                        "event.category", "authentication",
                        "event.action", "ssh_login",
                        "event.outcome", "success",
                        "ssh.auth.method", "publickey",
                        "user.name", "deploy",
                        "source.ip", "198.51.100.20",
                        "source.port", "50122",
                        "ssh.auth.key.type", "ED25519",
                        "ssh.auth.key.fingerprint", "SHA256:Vd0Lw0ZqT4jq8mvGxq1cD3Yx8rB3Qm8lWcXc2oN6Z1k"),
                attrs(
                        "sshd",
                        "Accepted publickey for deploy from 198.51.100.20 port 50122 ssh2: ED25519"
                                + " SHA256:Vd0Lw0ZqT4jq8mvGxq1cD3Yx8rB3Qm8lWcXc2oN6Z1k"));
        Map<String, String> kbd = attrs(
                "sshd", "Failed keyboard-interactive/pam for invalid user oracle from 203.0.113.9 port 4022 ssh2");
        assertEquals("failure", kbd.get("event.outcome"));
        assertEquals("keyboard-interactive/pam", kbd.get("ssh.auth.method"));
        assertEquals("oracle", kbd.get("user.name"));
        assertEquals("true", kbd.get("user.invalid"));
        // auth.c: "Invalid user %.100s from %.100s port %d"
        assertEquals(
                map(
                        "event.category", "authentication",
                        "event.action", "ssh_invalid_user",
                        "event.outcome", "failure",
                        "user.invalid", "true",
                        "user.name", "x",
                        "source.ip", "203.0.113.9",
                        "source.port", "4021"),
                attrs("sshd", "Invalid user x from 203.0.113.9 port 4021"));
    }

    // auth.c auth_maxtries_exceeded(): error("maximum authentication attempts exceeded for %s%.100s from %.200s port
    // %d ssh2") then ssh_packet_disconnect(ssh, "Too many authentication failures"), which packet.c logs as
    // "Disconnecting %s: %.100s" with sshpkt_fmt_connection_id()'s "PREAMBLE ADDR port N"; auth2.c sets the preamble
    // to "authenticating user %s" or "invalid user %s". The privilege-separated child's lines end in " [preauth]".
    @Test
    void maxAuthTries() {
        Map<String, String> max = attrs(
                "sshd",
                "error: maximum authentication attempts exceeded for root from 203.0.113.45 port 51236 ssh2 [preauth]");
        assertEquals("ssh_max_auth_tries", max.get("event.action"));
        assertEquals("failure", max.get("event.outcome"));
        assertEquals("root", max.get("user.name"));
        assertEquals("203.0.113.45", max.get("source.ip"));
        assertEquals("51236", max.get("source.port"));
        Map<String, String> invalid = attrs(
                "sshd",
                "error: maximum authentication attempts exceeded for invalid user admin from 203.0.113.45 port 51237"
                        + " ssh2 [preauth]");
        assertEquals("true", invalid.get("user.invalid"));
        assertEquals("admin", invalid.get("user.name"));
        Map<String, String> too = attrs(
                "sshd",
                "Disconnecting authenticating user root 203.0.113.45 port 51236: Too many authentication failures"
                        + " [preauth]");
        assertEquals("ssh_max_auth_tries", too.get("event.action"));
        assertEquals("root", too.get("user.name"));
        assertEquals("203.0.113.45", too.get("source.ip"));
        assertEquals(
                "ssh_max_auth_tries",
                attrs("sshd", "Disconnecting: Too many authentication failures for root [preauth]")
                        .get("event.action"));
    }

    // packet.c sshpkt_vfatal(): "Connection closed by %s", "Disconnected from %s", "Connection reset by %s" with
    // sshpkt_fmt_connection_id(); ssh_packet_read_poll2(): "Received disconnect from %s port %d:%u: %.400s".
    @Test
    void disconnects() {
        Map<String, String> closed =
                attrs("sshd", "Connection closed by authenticating user root 203.0.113.45 port 22 [preauth]");
        assertEquals(
                map(
                        "event.category", "authentication",
                        "event.action", "ssh_disconnect",
                        "user.name", "root",
                        "source.ip", "203.0.113.45",
                        "source.port", "22"),
                closed);
        Map<String, String> invalid =
                attrs("sshd", "Disconnected from invalid user admin 203.0.113.45 port 5 [preauth]");
        assertEquals("ssh_disconnect", invalid.get("event.action"));
        assertEquals("admin", invalid.get("user.name"));
        assertEquals("true", invalid.get("user.invalid"));
        Map<String, String> received =
                attrs("sshd", "Received disconnect from 203.0.113.45 port 51244:11: Bye Bye [preauth]");
        assertEquals("ssh_disconnect", received.get("event.action"));
        assertEquals("51244", received.get("source.port"));
        assertEquals(
                "ssh_disconnect",
                attrs("sshd", "Connection reset by 203.0.113.45 port 4000 [preauth]")
                        .get("event.action"));
    }

    // linux-pam modules/pam_unix/support.c: "authentication failure; logname=%s uid=%d euid=%d tty=%s ruser=%s rhost=%s
    // %s%s" (the last two " user=" and the user, hence two spaces); pam_unix_sess.c: "session opened for user
    // %s(uid=%s) by %s(uid=%lu)", "session closed for user %s"; passverify.c: "password changed for %s".
    @Test
    void pam() {
        assertEquals(
                map(
                        "event.category", "authentication",
                        "event.action", "pam_auth_failure",
                        "event.outcome", "failure",
                        "source.ip", "1.2.3.4",
                        "user.name", "root",
                        "pam.service", "sshd"),
                attrs(
                        "sshd",
                        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4"
                                + "  user=root"));
        Map<String, String> sudo = attrs(
                "sudo",
                "pam_unix(sudo:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 ruser=alice"
                        + " rhost=  user=alice");
        assertEquals("pam_auth_failure", sudo.get("event.action"));
        assertEquals("alice", sudo.get("user.name"));
        assertEquals("sudo", sudo.get("pam.service"));
        assertFalse(sudo.containsKey("source.ip"));
        Map<String, String> opened =
                attrs("su", "pam_unix(su-l:session): session opened for user root(uid=0) by alice(uid=1000)");
        assertEquals("session_open", opened.get("event.action"));
        assertEquals("session", opened.get("event.category"));
        assertEquals("root", opened.get("user.name"));
        assertEquals(
                "session_close",
                attrs("sshd", "pam_unix(sshd:session): session closed for user alice")
                        .get("event.action"));
        Map<String, String> pw = attrs("passwd", "pam_unix(passwd:chauthtok): password changed for bob");
        assertEquals("password_changed", pw.get("event.action"));
        assertEquals("bob", pw.get("user.target.name"));
        assertEquals(
                "pam_user_unknown",
                attrs("sshd", "pam_unix(sshd:auth): check pass; user unknown").get("event.action"));
    }

    // sudo lib/eventlog/eventlog.c: reason then " ; ", "TTY=%s ; ", "PWD=%s ; ", "USER=%s ; ", "COMMAND=%s"; the
    // syslog line is "%s : %s" (user, that list); plugins/sudoers/logging.c: "%u incorrect password attempts",
    // "user NOT in sudoers", "command not allowed". sudo pads the user name with spaces in syslog.
    @Test
    void sudo() {
        assertEquals(
                map(
                        "sudo.tty", "pts/0",
                        "process.working_directory", "/home/alice",
                        "user.effective.name", "root",
                        "sudo.command", "/bin/bash",
                        "user.name", "alice",
                        "event.category", "authentication",
                        "event.action", "sudo_command",
                        "event.outcome", "success"),
                attrs("sudo", "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash"));
        Map<String, String> args = attrs(
                "sudo",
                "alice : TTY=pts/1 ; PWD=/srv ; USER=postgres ; COMMAND=/usr/bin/psql -c 'select 1 ; select 2'");
        assertEquals("postgres", args.get("user.effective.name"));
        assertEquals("/usr/bin/psql -c 'select 1 ; select 2'", args.get("sudo.command"));
        Map<String, String> wrong = attrs(
                "sudo",
                "  mallory : 3 incorrect password attempts ; TTY=pts/2 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh");
        assertEquals("sudo_auth_failure", wrong.get("event.action"));
        assertEquals("failure", wrong.get("event.outcome"));
        assertEquals("3", wrong.get("sudo.attempts"));
        assertEquals("mallory", wrong.get("user.name"));
        assertEquals("root", wrong.get("user.effective.name"));
        Map<String, String> denied =
                attrs("sudo", "mallory : user NOT in sudoers ; TTY=pts/2 ; PWD=/tmp ; USER=root ; COMMAND=/usr/bin/id");
        assertEquals("sudo_denied", denied.get("event.action"));
        assertEquals("user NOT in sudoers", denied.get("sudo.reason"));
        assertEquals(
                "sudo_denied",
                attrs("sudo", "bob : command not allowed ; TTY=pts/3 ; PWD=/ ; USER=root ; COMMAND=/bin/su")
                        .get("event.action"));
        assertFalse(attrs("sudo", "unable to resolve host web-1").containsKey("event.action"));
    }

    // util-linux login-utils/su-common.c: "%s(to %s) %s on %s" with "" or "FAILED SU "; shadow src/su.c:
    // "+ %s %s:%s" and "- %s %s:%s" (tty, caller, target).
    @Test
    void su() {
        assertEquals(
                map(
                        "event.category", "authentication",
                        "event.action", "su",
                        "event.outcome", "success",
                        "user.effective.name", "root",
                        "user.name", "alice",
                        "su.tty", "pts/0"),
                attrs("su", "(to root) alice on pts/0"));
        Map<String, String> failed = attrs("su", "FAILED SU (to root) mallory on pts/4");
        assertEquals("failure", failed.get("event.outcome"));
        assertEquals("mallory", failed.get("user.name"));
        Map<String, String> shadow = attrs("su", "- pts/4 mallory:root");
        assertEquals("failure", shadow.get("event.outcome"));
        assertEquals("root", shadow.get("user.effective.name"));
        assertEquals("success", attrs("su", "+ pts/0 alice:root").get("event.outcome"));
    }

    // shadow src/useradd.c: "new user: name=%s, UID=%u, GID=%u, home=%s, shell=%s, from=%s", "new group: name=%s,
    // GID=%u", "add '%s' to group '%s'", "add '%s' to shadow group '%s'"; groupadd.c: "group added to %s: name=%s,
    // GID=%u"; usermod.c: "change user '%s' password", "change user name '%s' to '%s'", "lock user '%s' password";
    // userdel.c: "delete user '%s'\n", "delete '%s' from group '%s'\n"; gpasswd.c: "user %s added by %s to group %s%s";
    // passwd.c: "password for '%s' changed by '%s'".
    @Test
    void accountChanges() {
        assertEquals(
                map(
                        "event.category", "iam",
                        "event.action", "user_created",
                        "event.outcome", "success",
                        "user.target.name", "bob",
                        "user.target.id", "1002"),
                attrs(
                        "useradd",
                        "new user: name=bob, UID=1002, GID=1002, home=/home/bob, shell=/bin/bash, from=/dev/pts/0"));
        Map<String, String> group = attrs("groupadd", "group added to /etc/group: name=ops, GID=1003");
        assertEquals("group_created", group.get("event.action"));
        assertEquals("ops", group.get("group.name"));
        assertEquals(
                "group_created",
                attrs("useradd", "new group: name=bob, GID=1002").get("event.action"));
        Map<String, String> sudoers = attrs("usermod", "add 'bob' to group 'sudo'");
        assertEquals("user_added_to_group", sudoers.get("event.action"));
        assertEquals("bob", sudoers.get("user.target.name"));
        assertEquals("sudo", sudoers.get("group.name"));
        assertEquals(
                "wheel", attrs("usermod", "add 'bob' to shadow group 'wheel'").get("group.name"));
        Map<String, String> gpasswd = attrs("gpasswd", "user bob added by alice to group sudo");
        assertEquals("user_added_to_group", gpasswd.get("event.action"));
        assertEquals("alice", gpasswd.get("user.name"));
        assertEquals("sudo", gpasswd.get("group.name"));
        assertEquals(
                "user_changed", attrs("usermod", "change user 'bob' password").get("event.action"));
        assertEquals(
                "user_changed",
                attrs("usermod", "change user name 'bob' to 'rob'").get("event.action"));
        assertEquals(
                "user_changed", attrs("usermod", "lock user 'bob' password").get("event.action"));
        assertEquals("user_deleted", attrs("userdel", "delete user 'bob'").get("event.action"));
        assertEquals(
                "user_removed_from_group",
                attrs("userdel", "delete 'bob' from group 'sudo'").get("event.action"));
        Map<String, String> pw = attrs("passwd", "password for 'bob' changed by 'root'");
        assertEquals("password_changed", pw.get("event.action"));
        assertEquals("bob", pw.get("user.target.name"));
        assertEquals("root", pw.get("user.name"));
        assertFalse(attrs("useradd", "failed adding user 'bob', exit code: 9").containsKey("event.action"));
    }

    // systemd src/login/logind-session.c: LOG_MESSAGE("New session %s of user %s."), "Removed session %s."
    @Test
    void logindSessions() {
        assertEquals(
                map(
                        "event.category", "session",
                        "event.action", "session_start",
                        "event.outcome", "success",
                        "session.id", "12",
                        "user.name", "alice"),
                attrs("systemd-logind", "New session 12 of user alice."));
        Map<String, String> removed = attrs("systemd-logind", "Removed session 12.");
        assertEquals("session_end", removed.get("event.action"));
        assertEquals("12", removed.get("session.id"));
    }

    @Test
    void aProgramOnlyReadsItsOwnMessages() {
        // A web app logging a user-supplied string that looks like sshd's must not become an authentication event.
        assertFalse(attrs("nginx", "Failed password for root from 203.0.113.45 port 1 ssh2")
                .containsKey("event.action"));
        assertFalse(attrs("bash", "new user: name=bob, UID=1").containsKey("event.action"));
        assertTrue(AuthMessages.read("sshd", "Invalid user a from 192.0.2.1", new LinkedHashMap<>()));
        assertFalse(AuthMessages.read(null, "Invalid user a from 192.0.2.1", new LinkedHashMap<>()));
    }
}
