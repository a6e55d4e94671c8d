package io.vigil.privacy;

/** The check digits that tell a payment card number or an IBAN from any other run of digits. */
public final class Checksums {
    private Checksums() {}

    /** Luhn (mod 10) over the digits of {@code s} in {@code [from, to)}, skipping spaces and dashes. */
    public static boolean luhn(CharSequence s, int from, int to) {
        int sum = 0;
        int digits = 0;
        for (int i = to - 1; i >= from; i--) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            int d = c - '0';
            if ((digits & 1) == 1) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            digits++;
        }
        return digits > 0 && sum % 10 == 0;
    }

    /**
     * ISO 13616 check of an IBAN in {@code [from, to)} (spaces skipped): the country and check digits moved to the end,
     * letters as 10..35, the number mod 97 must be 1. Computed digit by digit, so no big integers.
     */
    public static boolean iban(CharSequence s, int from, int to) {
        StringBuilder compact = new StringBuilder(34);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c != ' ') {
                compact.append(Character.toUpperCase(c));
            }
        }
        if (compact.length() < 15 || compact.length() > 34) {
            return false;
        }
        int rem = 0;
        int n = compact.length();
        for (int k = 0; k < n; k++) {
            char c = compact.charAt((k + 4) % n);
            if (c >= '0' && c <= '9') {
                rem = (rem * 10 + (c - '0')) % 97;
            } else if (c >= 'A' && c <= 'Z') {
                rem = (rem * 100 + (c - 'A' + 10)) % 97;
            } else {
                return false;
            }
        }
        return rem == 1;
    }
}
