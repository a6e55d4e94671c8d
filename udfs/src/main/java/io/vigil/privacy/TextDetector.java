package io.vigil.privacy;

import java.util.Locale;

/**
 * The kinds of personal data and secrets found in free text (log bodies, span names, URLs, attribute values), each
 * with the placeholder that replaces a match.
 *
 * <p>Hand-written scanners rather than regular expressions or a library: each one is a single left-to-right pass that
 * first looks for a cheap anchor ({@code @} for an email, {@code eyJ} for a JWT, a digit for a card) and only then
 * reads the surrounding characters, so no input can make it backtrack; and a match is only a match after its check
 * (Luhn for cards, mod-97 for IBANs, octet ranges for addresses), which a pattern cannot express. The PII libraries we
 * looked at are services or Python (Presidio, cloud DLP APIs), not something a Flink operator can call per record.
 *
 * <p>Detectors run in the order declared here and a later one never claims text an earlier one matched: the password
 * in {@code https://bob:pw@example.com} is a password, not the start of an email address.
 */
public enum TextDetector {
    /** A JSON Web Token: three base64url segments, the first one a JSON header ({@code eyJ}). */
    JWT("jwt", "<jwt>") {
        @Override
        void find(String s, Spans out) {
            for (int i = s.indexOf("eyJ"); i >= 0; i = s.indexOf("eyJ", i + 3)) {
                if (i > 0 && base64url(s.charAt(i - 1))) {
                    continue;
                }
                int h = run(s, i, TextDetector::base64url);
                if (h - i < 10 || h >= s.length() || s.charAt(h) != '.') {
                    continue;
                }
                int p = run(s, h + 1, TextDetector::base64url);
                if (p - h - 1 < 10 || p >= s.length() || s.charAt(p) != '.') {
                    continue;
                }
                int end = run(s, p + 1, TextDetector::base64url);
                out.add(this, i, end);
                i = end - 3;
            }
        }
    },
    /** The credentials after an HTTP authorization scheme: {@code Bearer <token>}, {@code Basic <base64>}. */
    BEARER("bearer", "<token>") {
        @Override
        boolean possible(int shape) {
            return (shape & B_WORD) != 0;
        }

        @Override
        void find(String s, Spans out) {
            int n = s.length();
            for (int i = 0; i + 6 < n; i++) {
                char c = s.charAt(i);
                if (c != 'b' && c != 'B' || i > 0 && alnum(s.charAt(i - 1))) {
                    continue;
                }
                int word;
                if (s.regionMatches(true, i, "bearer", 0, 6)) {
                    word = i + 6;
                } else if (s.regionMatches(true, i, "basic", 0, 5)) {
                    word = i + 5;
                } else {
                    continue;
                }
                int t = word;
                while (t < n && s.charAt(t) == ' ') {
                    t++;
                }
                if (t == word) {
                    continue;
                }
                int end = run(s, t, TextDetector::tokenChar);
                if (end - t >= 8 && !Pseudonyms.isReplacement(s, t, end)) {
                    out.add(this, t, end);
                    i = end - 1;
                }
            }
        }
    },
    /**
     * Passwords: the password of a URL's user info ({@code scheme://user:password@host}) and the value of a
     * password-like parameter in a query string, form, JSON or log line ({@code password=}, {@code "secret": "..."}).
     */
    PASSWORD("password", "<password>") {
        @Override
        boolean possible(int shape) {
            return (shape & EQ_COLON) != 0; // "://" and every parameter form have a ':' or a '='
        }

        @Override
        void find(String s, Spans out) {
            for (int i = s.indexOf("://"); i >= 0; i = s.indexOf("://", i + 3)) {
                int start = i + 3;
                int at = -1;
                int colon = -1;
                for (int k = start; k < s.length(); k++) {
                    char c = s.charAt(k);
                    if (c == '@') {
                        at = k;
                        break;
                    }
                    if (c == '/' || c == '?' || c == '#' || c <= ' ' || c == '"' || c == '\'') {
                        break;
                    }
                    if (c == ':' && colon < 0) {
                        colon = k;
                    }
                }
                if (at > 0 && colon > 0 && at > colon + 1 && !Pseudonyms.isReplacement(s, colon + 1, at)) {
                    out.add(this, colon + 1, at);
                }
            }
            parameters(s, out, this, TextDetector::passwordName);
        }
    },
    /**
     * API keys and access tokens: keys of well-known shapes (AWS access key ids, GitHub, GitLab, Slack, Stripe,
     * Google, OpenAI-style {@code sk-}) and the value of token-like parameters ({@code access_token=}, {@code
     * api_key=}).
     */
    API_KEY("api_key", "<api_key>") {
        @Override
        boolean possible(int shape) {
            return (shape & (KEY_WORD | EQ_COLON)) != 0;
        }

        @Override
        void find(String s, Spans out) {
            knownKeys(s, out);
            parameters(s, out, this, TextDetector::tokenName);
        }

        @Override
        void find(String s, int shape, Spans out) {
            // The same two passes in the same order, each only where its anchor occurs.
            if ((shape & KEY_WORD) != 0) {
                knownKeys(s, out);
            }
            if ((shape & EQ_COLON) != 0) {
                parameters(s, out, this, TextDetector::tokenName);
            }
        }

        private void knownKeys(String s, Spans out) {
            int n = s.length();
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c != 'A' && c != 'g' && c != 'x' && c != 's' && c != 'r' && c != 'p'
                        || i > 0 && (alnum(s.charAt(i - 1)) || s.charAt(i - 1) == '_' || s.charAt(i - 1) == '-')) {
                    continue;
                }
                int end = knownKey(s, i);
                if (end > 0) {
                    out.add(this, i, end);
                    i = end - 1;
                }
            }
        }
    },
    /** An email address: a local part, {@code @}, a domain with a dot and a top-level domain of letters. */
    EMAIL("email", "<email>") {
        @Override
        void find(String s, Spans out) {
            int n = s.length();
            for (int at = s.indexOf('@'); at >= 0; at = s.indexOf('@', at + 1)) {
                int l = at;
                while (l > 0 && localChar(s.charAt(l - 1))) {
                    l--;
                }
                while (l < at && s.charAt(l) == '.') {
                    l++;
                }
                if (l == at) {
                    continue;
                }
                int r = at + 1;
                int lastDot = -1;
                while (r < n && (alnum(s.charAt(r)) || s.charAt(r) == '-' || s.charAt(r) == '.')) {
                    if (s.charAt(r) == '.') {
                        lastDot = r;
                    }
                    r++;
                }
                while (r > at + 1 && (s.charAt(r - 1) == '.' || s.charAt(r - 1) == '-')) {
                    r--;
                }
                if (lastDot >= r - 1) {
                    lastDot = s.lastIndexOf('.', r - 1);
                }
                if (lastDot <= at + 1 || r - lastDot - 1 < 2 || !letters(s, lastDot + 1, r)) {
                    continue;
                }
                out.add(this, l, r);
                at = r - 1;
            }
        }
    },
    /**
     * A payment card number: 13 to 19 digits starting with 2 to 6 (the card networks' ranges; epoch milliseconds
     * start with 1), written together or in groups separated by spaces or dashes, that passes the Luhn check.
     */
    CARD("card", "<card>") {
        @Override
        boolean possible(int shape) {
            return (shape & DIGITS) >= 13;
        }

        @Override
        void find(String s, Spans out) {
            int n = s.length();
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    continue;
                }
                if (c < '2' || c > '6' || i > 0 && (alnum(s.charAt(i - 1)) || s.charAt(i - 1) == '.')) {
                    i = run(s, i, TextDetector::digit);
                    continue;
                }
                int end = cardEnd(s, i);
                if (end > 0) {
                    out.add(this, i, end);
                    i = end;
                } else {
                    i = run(s, i, TextDetector::digit);
                }
            }
        }
    },
    /**
     * An IBAN: two capital letters, two check digits and 11 to 30 letters or digits, together or in groups of four,
     * that passes the ISO 13616 mod-97 check.
     */
    IBAN("iban", "<iban>") {
        @Override
        boolean possible(int shape) {
            return (shape & IBAN_ANCHOR) != 0;
        }

        @Override
        void find(String s, Spans out) {
            int n = s.length();
            for (int i = 0; i + 15 <= n; i++) {
                if (!upper(s.charAt(i))
                        || !upper(s.charAt(i + 1))
                        || !digit(s.charAt(i + 2))
                        || !digit(s.charAt(i + 3))
                        || i > 0 && alnum(s.charAt(i - 1))) {
                    continue;
                }
                int end = ibanEnd(s, i);
                if (end > 0) {
                    out.add(this, i, end);
                    i = end - 1;
                }
            }
        }
    },
    /** An IPv6 address (with {@code ::} compression and an embedded IPv4 tail). */
    IPV6("ipv6", "<ipv6>") {
        @Override
        void find(String s, Spans out) {
            int first = s.indexOf(':');
            if (first < 0 || s.indexOf(':', first + 1) < 0) {
                return;
            }
            int n = s.length();
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (!ipv6Char(c)
                        || i > 0 && (alnum(s.charAt(i - 1)) || s.charAt(i - 1) == ':' || s.charAt(i - 1) == '.')) {
                    continue;
                }
                int end = run(s, i, TextDetector::ipv6Char);
                if (end < n && alnum(s.charAt(end))) {
                    i = end;
                    continue;
                }
                int e = end;
                while (e > i && s.charAt(e - 1) == '.') {
                    e--;
                }
                if (e - i >= 2 && s.charAt(e - 1) == ':' && s.charAt(e - 2) != ':') {
                    e--;
                }
                if (e - i >= 3 && Generalize.isIpv6(s.substring(i, e))) {
                    out.add(this, i, e);
                }
                i = end;
            }
        }
    },
    /** An IPv4 address: four octets of 0 to 255, not part of a longer dotted number (a version 1.2.3.4.5). */
    IPV4("ipv4", "<ipv4>") {
        @Override
        boolean possible(int shape) {
            return (shape & DIGITS) >= 4;
        }

        @Override
        void find(String s, Spans out) {
            if (s.indexOf('.') < 0) {
                return;
            }
            int n = s.length();
            for (int i = 0; i < n; i++) {
                if (!digit(s.charAt(i))) {
                    continue;
                }
                if (i > 0 && (alnum(s.charAt(i - 1)) || s.charAt(i - 1) == '.')) {
                    i = run(s, i, TextDetector::digit);
                    continue;
                }
                int end = Generalize.ipv4End(s, i);
                if (end > 0
                        && (end == n
                                || !alnum(s.charAt(end))
                                        && !(s.charAt(end) == '.' && end + 1 < n && digit(s.charAt(end + 1))))) {
                    out.add(this, i, end);
                    i = end;
                } else {
                    i = run(s, i, c -> digit(c) || c == '.');
                }
            }
        }
    };

    /** The name used in policies, metrics and the {@code vigil privacy test} output. */
    public final String id;
    /** What replaces a match when the policy does not hash it. */
    public final String placeholder;

    TextDetector(String id, String placeholder) {
        this.id = id;
        this.placeholder = placeholder;
    }

    /** Adds the spans of {@code s} this detector matches to {@code out} (which refuses overlaps). */
    abstract void find(String s, Spans out);

    /**
     * The same as {@link #find(String, Spans)} for a string of this {@link #shape}, skipping the passes the shape
     * rules out: all of them when the detector is not {@link #possible} for it.
     */
    void find(String s, int shape, Spans out) {
        if (possible(shape)) {
            find(s, out);
        }
    }

    /**
     * Whether a string of this {@link #shape} can hold a match; false only when {@link #find} would find nothing. The
     * scanners that walk every character (cards, IBANs, bearer tokens, key shapes, parameters) then run only where
     * their anchor occurs: most values (routes, status words, ordinary log lines) rule out all but one or two, and
     * one shared pass is cheaper than a pass per detector. {@code TextShapePropertiesTest} checks the claim.
     */
    boolean possible(int shape) {
        return true; // detectors that find their anchor with String.indexOf (an intrinsic) need no shape
    }

    /** The low byte of a {@link #shape}: its digit count. The flags below are above it. */
    static final int DIGITS = 0xFF;

    static final int EQ_COLON = 1 << 8;
    static final int B_WORD = 1 << 9;
    static final int KEY_WORD = 1 << 10;
    static final int IBAN_ANCHOR = 1 << 11;

    /**
     * One pass over {@code s}: its digits (counted up to 255), whether it has a '=' or ':', a 'b' or 'B' that starts
     * a word (bearer, basic), the first two characters of a key shape ({@link #knownKey}) where a key may start, and
     * two capitals followed by two digits (an IBAN's country and check digits).
     */
    static int shape(String s) {
        int digits = 0;
        int bits = 0;
        char a = 0; // the three characters before the current one, a the earliest
        char b = 0;
        char c = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char ch = s.charAt(i);
            if (ch >= '0' && ch <= '9') {
                digits++;
                if (digit(c) && upper(b) && upper(a)) {
                    bits |= IBAN_ANCHOR;
                }
            } else if (ch == '=' || ch == ':') {
                bits |= EQ_COLON;
            } else {
                if ((ch == 'b' || ch == 'B') && !alnum(c)) {
                    bits |= B_WORD;
                }
                if (c < 128 && ch < 128 && KEY_PAIRS[c << 7 | ch] && !alnum(b) && b != '_' && b != '-') {
                    bits |= KEY_WORD;
                }
            }
            a = b;
            b = c;
            c = ch;
        }
        return bits | Math.min(digits, DIGITS);
    }

    /** The detector named {@code id} in a policy, or null. */
    public static TextDetector byId(String id) {
        for (TextDetector d : values()) {
            if (d.id.equals(id)) {
                return d;
            }
        }
        return null;
    }

    /** Detector ids, for "did you mean" hints. */
    public static java.util.List<String> ids() {
        return java.util.Arrays.stream(values()).map(d -> d.id).toList();
    }

    // --- shared character classes and readers

    interface CharClass {
        boolean test(char c);
    }

    static int run(String s, int from, CharClass cls) {
        int i = from;
        while (i < s.length() && cls.test(s.charAt(i))) {
            i++;
        }
        return i;
    }

    static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean upper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    static boolean alnum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    static boolean base64url(char c) {
        return alnum(c) || c == '-' || c == '_';
    }

    static boolean tokenChar(char c) {
        return alnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '/' || c == '=';
    }

    static boolean localChar(char c) {
        return alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    }

    static boolean ipv6Char(char c) {
        return digit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.';
    }

    static boolean letters(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
                return false;
            }
        }
        return true;
    }

    /**
     * End of a Luhn-valid card number starting at {@code i} (first group of four when grouped), or -1. When grouped
     * digits run on ("5000 0000 0000 0009 200"), the shorter candidates ending at a group boundary are tried too.
     */
    static int cardEnd(String s, int i) {
        int n = s.length();
        int digits = 0;
        int k = i;
        char sep = 0;
        int group = 0;
        int end = -1;
        int[] boundaries = new int[8];
        int[] digitsAt = new int[8];
        int nb = 0;
        while (k < n) {
            char c = s.charAt(k);
            if (digit(c)) {
                digits++;
                group++;
                k++;
                if (digits > 19) {
                    break; // too long for one card: a group boundary before may still end one
                }
                continue;
            }
            if ((c == ' ' || c == '-') && k + 1 < n && digit(s.charAt(k + 1)) && (sep == 0 || sep == c)) {
                // grouped: the first group has four digits, the others three to six (4-4-4-4, 4-6-5, 4-6-4)
                if (sep == 0 ? group != 4 : group < 3 || group > 6) {
                    break;
                }
                if (nb < boundaries.length) {
                    boundaries[nb] = k;
                    digitsAt[nb++] = digits;
                }
                sep = c;
                group = 0;
                k++;
                continue;
            }
            break;
        }
        boolean cleanEnd =
                !(k < n && (alnum(s.charAt(k)) || s.charAt(k) == '.' && k + 1 < n && digit(s.charAt(k + 1))));
        if (cleanEnd && digits >= 13 && digits <= 19 && Checksums.luhn(s, i, k)) {
            return k;
        }
        for (int b = nb - 1; b >= 0 && sep != 0; b--) {
            if (digitsAt[b] >= 13 && digitsAt[b] <= 19 && Checksums.luhn(s, i, boundaries[b])) {
                return boundaries[b];
            }
        }
        return end;
    }

    /** End of an IBAN starting at {@code i}: the longest candidate (whole groups when grouped) that checks, or -1. */
    static int ibanEnd(String s, int i) {
        int n = s.length();
        int k = i;
        int chars = 0;
        int group = 0;
        boolean spaced = false;
        java.util.List<Integer> ends = new java.util.ArrayList<>();
        while (k < n && chars < 34) {
            char c = s.charAt(k);
            if (upper(c) || digit(c)) {
                chars++;
                group++;
                k++;
                continue;
            }
            if (c == ' ' && group == 4 && k + 1 < n && (upper(s.charAt(k + 1)) || digit(s.charAt(k + 1)))) {
                if (!spaced && chars != 4) {
                    break;
                }
                spaced = true;
                ends.add(k);
                group = 0;
                k++;
                continue;
            }
            break;
        }
        if (k < n && alnum(s.charAt(k))) {
            if (!spaced) {
                return -1;
            }
        } else {
            ends.add(k);
        }
        for (int e = ends.size() - 1; e >= 0; e--) {
            int end = ends.get(e);
            if (Checksums.iban(s, i, end)) {
                return end;
            }
        }
        return -1;
    }

    /** End of an API key of a well-known shape starting at {@code i}, or -1. */
    static int knownKey(String s, int i) {
        for (String[] shape : KEY_SHAPES) {
            String prefix = shape[0];
            if (!s.startsWith(prefix, i)) {
                continue;
            }
            int min = Integer.parseInt(shape[1]);
            int end = run(
                    s,
                    i + prefix.length(),
                    prefix.startsWith("AKIA") || prefix.startsWith("ASIA")
                            ? c -> upper(c) || digit(c)
                            : TextDetector::base64url);
            if (end - i - prefix.length() >= min && (end == s.length() || !alnum(s.charAt(end)))) {
                return end;
            }
        }
        return -1;
    }

    /** Prefix and least number of characters after it. */
    private static final String[][] KEY_SHAPES = {
        {"AKIA", "16"},
        {"ASIA", "16"},
        {"ghp_", "20"},
        {"gho_", "20"},
        {"ghu_", "20"},
        {"ghs_", "20"},
        {"ghr_", "20"},
        {"github_pat_", "20"},
        {"glpat-", "20"},
        {"xoxb-", "10"},
        {"xoxp-", "10"},
        {"xoxa-", "10"},
        {"xoxr-", "10"},
        {"xoxs-", "10"},
        {"sk_live_", "16"},
        {"sk_test_", "16"},
        {"rk_live_", "16"},
        {"rk_test_", "16"},
        {"pk_live_", "16"},
        {"AIza", "30"},
        {"sk-", "20"}
    };

    /** The first two characters of each key shape, as {@code first << 7 | second} (all are ASCII). */
    private static final boolean[] KEY_PAIRS = new boolean[1 << 14];

    static {
        for (String[] shape : KEY_SHAPES) {
            KEY_PAIRS[shape[0].charAt(0) << 7 | shape[0].charAt(1)] = true;
        }
    }

    static boolean passwordName(String name) {
        return name.equals("pwd")
                || name.equals("pass")
                || name.endsWith("password")
                || name.endsWith("passwd")
                || name.endsWith("passphrase")
                || name.endsWith("secret");
    }

    static boolean tokenName(String name) {
        return name.equals("token")
                || name.endsWith("_token")
                || name.endsWith("-token")
                || name.endsWith("apikey")
                || name.endsWith("api_key")
                || name.endsWith("api-key");
    }

    interface NameTest {
        boolean test(String lowerCaseName);
    }

    /**
     * Values of parameters whose name passes {@code names}: {@code name=value}, {@code name: value}, {@code
     * "name":"value"}. The value ends at a delimiter (or its closing quote when quoted).
     */
    static void parameters(String s, Spans out, TextDetector d, NameTest names) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c != '=' && c != ':') {
                continue;
            }
            int nameEnd = i;
            if (nameEnd > 0 && (s.charAt(nameEnd - 1) == '"' || s.charAt(nameEnd - 1) == '\'')) {
                nameEnd--;
            }
            int nameStart = nameEnd;
            while (nameStart > 0 && (base64url(s.charAt(nameStart - 1)) || s.charAt(nameStart - 1) == '.')) {
                nameStart--;
            }
            if (nameStart == nameEnd || nameEnd - nameStart > 40) {
                continue;
            }
            if (!names.test(s.substring(nameStart, nameEnd).toLowerCase(Locale.ROOT))) {
                continue;
            }
            int v = i + 1;
            if (c == ':' && v < n && s.charAt(v) == '/') {
                continue; // a URL scheme, not a parameter
            }
            while (v < n && s.charAt(v) == ' ') {
                v++;
            }
            int end;
            if (v < n && (s.charAt(v) == '"' || s.charAt(v) == '\'')) {
                char q = s.charAt(v);
                v++;
                end = s.indexOf(q, v);
                if (end < 0) {
                    end = n;
                }
            } else {
                end = v;
                while (end < n && !delimiter(s.charAt(end))) {
                    end++;
                }
            }
            if (end > v && !Pseudonyms.isReplacement(s, v, end)) {
                out.add(d, v, end);
            }
            i = Math.max(i, end - 1);
        }
    }

    static boolean delimiter(char c) {
        return c <= ' ' || c == '&' || c == ';' || c == ',' || c == '"' || c == '\'' || c == '<' || c == '>' || c == ')'
                || c == '}' || c == ']';
    }
}
