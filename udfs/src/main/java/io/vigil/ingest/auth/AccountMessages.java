package io.vigil.ingest.auth;

import static io.vigil.ingest.auth.AuthMessages.event;
import static io.vigil.ingest.auth.AuthMessages.put;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shadow-utils account tools' lines (formats in shadow's src/useradd.c, usermod.c, userdel.c, groupadd.c,
 * gpasswd.c, passwd.c), category {@code iam}. The account changed is {@code user.target.name}, the group
 * {@code group.name}; {@code user.name} is who made the change where the tool says (gpasswd, passwd).
 *
 * <ul>
 *   <li>{@code user_created}: "new user: name=bob, UID=1002, GID=1002, home=/home/bob, shell=/bin/bash, from=..."
 *   <li>{@code group_created}: "new group: name=ops, GID=1003", "group added to /etc/group: name=ops, GID=1003"
 *   <li>{@code user_added_to_group}: "add 'bob' to group 'sudo'", "add 'bob' to shadow group 'sudo'", "user bob
 *       added by alice to group sudo"
 *   <li>{@code user_removed_from_group}: "delete 'bob' from group 'sudo'", "user bob removed by alice from group x"
 *   <li>{@code user_deleted}: "delete user 'bob'"
 *   <li>{@code user_changed}: usermod's "change user 'bob' ...", "change user name 'a' to 'b'", "lock user 'bob'
 *       password", "unlock user 'bob' password"
 *   <li>{@code password_changed}: "password for 'bob' changed by 'root'"
 * </ul>
 */
final class AccountMessages {
    private static final Pattern NEW_USER = Pattern.compile("^new user: name=([^,\\s]+)(?:, UID=(\\d+))?");
    private static final Pattern NEW_GROUP =
            Pattern.compile("^(?:new group|group added to \\S+): name=([^,\\s]+)(?:, GID=(\\d+))?");
    private static final Pattern ADD_TO_GROUP = Pattern.compile("^add '([^']*)' to (?:shadow )?group '([^']*)'");
    private static final Pattern GPASSWD_ADD = Pattern.compile("^user (\\S+) added by (\\S+) to group (\\S+)");
    private static final Pattern DELETE_FROM_GROUP =
            Pattern.compile("^delete '([^']*)' from (?:shadow )?group '([^']*)'");
    private static final Pattern GPASSWD_REMOVE = Pattern.compile("^user (\\S+) removed by (\\S+) from group (\\S+)");
    private static final Pattern DELETE_USER = Pattern.compile("^delete user '([^']*)'");
    private static final Pattern CHANGE_USER =
            Pattern.compile("^(?:change user (?:name )?|lock user |unlock user )'([^']*)'");
    private static final Pattern PASSWORD = Pattern.compile("^password for '([^']*)' changed by '([^']*)'");

    private AccountMessages() {}

    static boolean read(String msg, Map<String, String> attrs) {
        Matcher m;
        if ((m = NEW_USER.matcher(msg)).find()) {
            event(attrs, "iam", "user_created", "success");
            put(attrs, "user.target.name", m.group(1));
            put(attrs, "user.target.id", m.group(2));
        } else if ((m = NEW_GROUP.matcher(msg)).find()) {
            event(attrs, "iam", "group_created", "success");
            put(attrs, "group.name", m.group(1));
            put(attrs, "group.id", m.group(2));
        } else if ((m = ADD_TO_GROUP.matcher(msg)).find()) {
            event(attrs, "iam", "user_added_to_group", "success");
            put(attrs, "user.target.name", m.group(1));
            put(attrs, "group.name", m.group(2));
        } else if ((m = GPASSWD_ADD.matcher(msg)).find()) {
            event(attrs, "iam", "user_added_to_group", "success");
            put(attrs, "user.target.name", m.group(1));
            put(attrs, "user.name", m.group(2));
            put(attrs, "group.name", m.group(3));
        } else if ((m = DELETE_FROM_GROUP.matcher(msg)).find()) {
            event(attrs, "iam", "user_removed_from_group", "success");
            put(attrs, "user.target.name", m.group(1));
            put(attrs, "group.name", m.group(2));
        } else if ((m = GPASSWD_REMOVE.matcher(msg)).find()) {
            event(attrs, "iam", "user_removed_from_group", "success");
            put(attrs, "user.target.name", m.group(1));
            put(attrs, "user.name", m.group(2));
            put(attrs, "group.name", m.group(3));
        } else if ((m = DELETE_USER.matcher(msg)).find()) {
            event(attrs, "iam", "user_deleted", "success");
            put(attrs, "user.target.name", m.group(1));
        } else if ((m = CHANGE_USER.matcher(msg)).find()) {
            event(attrs, "iam", "user_changed", "success");
            put(attrs, "user.target.name", m.group(1));
        } else if ((m = PASSWORD.matcher(msg)).find()) {
            event(attrs, "iam", "password_changed", "success");
            put(attrs, "user.target.name", m.group(1));
            put(attrs, "user.name", m.group(2));
        } else {
            return false;
        }
        return true;
    }
}
