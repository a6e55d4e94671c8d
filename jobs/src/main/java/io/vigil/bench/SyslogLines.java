package io.vigil.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The syslog case of {@code bench ingest}: generated /var/log/auth.log lines of an internet-facing host (BSD format,
 * mostly sshd failures, some successes, PAM, sudo, cron and logind), and the baseline they are measured against, a
 * plain regular expression that cuts a line into timestamp, host, program, pid and message and does nothing else.
 */
final class SyslogLines {
    private SyslogLines() {}

    private static final String[] MONTHS = {"Nov", "Dec"};
    private static final String[] USERS = {"root", "admin", "ubuntu", "test", "oracle", "postgres", "git", "user"};
    private static final String[] STAFF = {"alice", "bob", "deploy"};

    /** The baseline: RFC 3164 cut into its fields (what a grok/regex pipeline does before anything else). */
    private static final Pattern SPLIT = Pattern.compile(
            "^(\\w{3}) +(\\d{1,2}) (\\d{2}:\\d{2}:\\d{2}) (\\S+) ([^:\\[\\s]+)(?:\\[(\\d+)\\])?: (.*)$");

    /** Splits one line (bytes, as the decoder gets them) and returns a checksum of the fields. */
    static long split(byte[] line) {
        Matcher m = SPLIT.matcher(new String(line, StandardCharsets.UTF_8));
        if (!m.matches()) {
            throw new IllegalStateException(
                    "benchmark line does not split: " + new String(line, StandardCharsets.UTF_8));
        }
        long sum = 0;
        for (int g = 1; g <= m.groupCount(); g++) {
            String field = m.group(g);
            sum += field == null ? 0 : field.length();
        }
        return sum;
    }

    static List<byte[]> generate(int n, long seed) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>(n);
        long second = 0;
        for (int i = 0; i < n; i++) {
            second += r.nextInt(3);
            String ts = String.format(
                    Locale.ROOT,
                    "%s %2d %02d:%02d:%02d",
                    MONTHS[(int) (second / 86_400 / 28) % 2],
                    1 + (int) (second / 86_400) % 28,
                    (second / 3600) % 24,
                    (second / 60) % 60,
                    second % 60);
            String ip = (1 + r.nextInt(222)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
            int port = 1024 + r.nextInt(64_000);
            int pid = 1000 + r.nextInt(60_000);
            String user = USERS[r.nextInt(USERS.length)];
            String staff = STAFF[r.nextInt(STAFF.length)];
            int kind = r.nextInt(100);
            String program;
            String message;
            if (kind < 40) {
                program = "sshd[" + pid + "]";
                message = "Failed password for " + (r.nextBoolean() ? "invalid user " : "") + user + " from " + ip
                        + " port " + port + " ssh2";
            } else if (kind < 52) {
                program = "sshd[" + pid + "]";
                message = "Invalid user " + user + " from " + ip + " port " + port;
            } else if (kind < 62) {
                program = "sshd[" + pid + "]";
                message =
                        "Connection closed by authenticating user " + user + " " + ip + " port " + port + " [preauth]";
            } else if (kind < 68) {
                program = "sshd[" + pid + "]";
                message = "Accepted publickey for " + staff + " from " + ip + " port " + port
                        + " ssh2: ED25519 SHA256:q2bFf0mK8N0wqYvYtq7x4v1bDk9pBf7Rr6bq0wC9s1E";
            } else if (kind < 76) {
                program = "sshd[" + pid + "]";
                message = "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost="
                        + ip + "  user=" + user;
            } else if (kind < 82) {
                program = "sudo";
                message = "   " + staff + " : TTY=pts/0 ; PWD=/home/" + staff
                        + " ; USER=root ; COMMAND=/usr/bin/systemctl " + "restart nginx";
            } else if (kind < 92) {
                program = "CRON[" + pid + "]";
                message = "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)";
            } else {
                program = "systemd-logind[" + (400 + r.nextInt(100)) + "]";
                message = "New session " + r.nextInt(9000) + " of user " + staff + ".";
            }
            out.add((ts + " bastion " + program + ": " + message).getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }
}
